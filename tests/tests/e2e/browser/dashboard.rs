//! The web dashboard (issue 15) in Chromium, on the demo's seeded database, against the DOM and URL
//! contract of `/work/notes/WEB.md` (kept in docs/ARCHITECTURE.md, "Web dashboard"): the figures the
//! pages show are the API's, the map and the table drill down to a village, the measure and the
//! date switch, and household names stay with the staff whose scope covers the village.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::seeded::{ADMIN, Api, Coverage, Demo, Fraction, VIEWER, sanitarian_of, with_demo};
use super::{Browser, DESKTOP, PHONE, attr, click, skipped, text, with_browser};

const MEASURES: [&str; 2] = ["kk_akses", "desa_sbs"];

/// Signs in through the page at `/masuk` and waits for the signed-in header (`form#logout`).
async fn sign_in(browser: &Browser, base: &str, username: &str) {
    browser.goto(&format!("{base}/masuk"), "form#login").await;
    let field = |name: &str| format!("form#login input[name={name}]");
    browser.wait(&field("username")).await.send_keys(username).await.expect("type the username");
    browser
        .wait(&field("password"))
        .await
        .send_keys(super::seeded::PASSWORD)
        .await
        .expect("type the password");
    click(&browser.wait("form#login button[type=submit]").await).await;
    browser.wait("form#logout").await;
}

fn area_url(base: &str, code: &str) -> String {
    format!("{base}/wilayah/{code}")
}

/// `74.04.81.2001` → `["74", "74.04", "74.04.81"]`.
fn ancestors(code: &str) -> Vec<String> {
    let parts: Vec<&str> = code.split('.').collect();
    (1..parts.len()).map(|n| parts[..n].join(".")).collect()
}

/// The area codes the breadcrumbs link to (`nasional` included when shown).
async fn breadcrumb_areas(browser: &Browser) -> Vec<String> {
    let mut areas = Vec::new();
    for link in browser.all("nav#breadcrumbs a").await {
        let href =
            link.prop("href").await.expect("a breadcrumb's href").expect("a breadcrumb link has an href");
        let url = url::Url::parse(&href).expect("an absolute href");
        let area = url.path().strip_prefix("/wilayah/");
        areas.push(area.unwrap_or_else(|| panic!("breadcrumb to {href}, not an area page")).to_owned());
    }
    areas
}

/// On the page of `code`: the breadcrumbs link to every ancestor, in order, and to nothing else
/// (but the national page, which the breadcrumbs may start with).
async fn assert_breadcrumbs(browser: &Browser, code: &str) {
    browser.wait("nav#breadcrumbs").await;
    let links: Vec<String> =
        breadcrumb_areas(browser).await.into_iter().filter(|a| a != "nasional").collect();
    assert_eq!(links, ancestors(code), "breadcrumbs on the page of {code}");
}

/// The page's URL path is `/wilayah/{code}`.
async fn assert_on_page_of(browser: &Browser, code: &str) {
    let url = browser.current_url().await;
    assert_eq!(url.path(), format!("/wilayah/{code}"), "now on {url}");
}

/// A query parameter of the current URL.
async fn query(browser: &Browser, name: &str) -> Option<String> {
    browser
        .current_url()
        .await
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Indonesian digit grouping (`1.234`), as figures are printed on the page.
fn grouped(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    if number < 0 { format!("-{out}") } else { out }
}

/// Both headline figures carry the API's numerator, denominator and day as attributes, and print
/// the measure's name, numerator and denominator: never a bare percentage.
async fn assert_headline(browser: &Browser, expected: &Coverage) {
    for (measure, name) in MEASURES.into_iter().zip(["KK akses", "desa SBS"]) {
        let css = format!("section#headline [data-measure=\"{measure}\"]");
        let figure = browser.wait(&css).await;
        let want = expected.area(measure);
        let shown = Fraction {
            numerator: attr(&figure, "data-numerator").await.parse().expect("data-numerator is a number"),
            denominator: attr(&figure, "data-denominator")
                .await
                .parse()
                .expect("data-denominator is a number"),
        };
        assert_eq!(shown, want, "headline {measure} against /v1/coverage");
        assert_eq!(attr(&figure, "data-as-of").await, expected.date(), "headline {measure} day");
        let visible = text(&figure).await;
        for part in [name.to_owned(), grouped(want.numerator), grouped(want.denominator)] {
            assert!(visible.contains(&part), "headline {measure} shows {part:?}: {visible:?}");
        }
    }
}

/// The children's codes in the table and on the map.
async fn table_codes(browser: &Browser) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for row in browser.all("table#children tbody tr[data-code]").await {
        codes.insert(attr(&row, "data-code").await);
    }
    codes
}

async fn map_codes(browser: &Browser) -> Vec<String> {
    let mut codes = Vec::new();
    for path in browser.all("svg#map path[data-code]").await {
        codes.push(attr(&path, "data-code").await);
    }
    codes
}

/// One map shape per child, one table row per child, the API's children. Used at levels whose
/// children all have a stored boundary (kabupaten and below in the demo places).
async fn assert_one_shape_and_row_per_child(browser: &Browser, expected: &Coverage) {
    let api: BTreeSet<String> = expected.child_codes().into_iter().collect();
    assert!(!api.is_empty(), "the area has children");
    assert_eq!(table_codes(browser).await, api, "table rows against the API's children");
    let shapes = map_codes(browser).await;
    let unique: BTreeSet<String> = shapes.iter().cloned().collect();
    assert_eq!(shapes.len(), unique.len(), "one shape per child, no child twice: {shapes:?}");
    assert_eq!(unique, api, "map shapes against the API's children");
}

/// Each shape with data names its child's figure of `measure` as `(numerator/denominator)` in its
/// link's text (the `<title>`): the map shows the chosen measure at the chosen day.
async fn assert_map_shows(browser: &Browser, expected: &Coverage, measure: &str) {
    for code in map_codes(browser).await {
        let want = expected.child(&code, measure);
        if want.denominator == 0 {
            continue;
        }
        let script = "return document.querySelector('svg#map path[data-code=\"' + arguments[0] + '\"]')\
                      .closest('a').textContent;";
        let label = browser.script(script, vec![json!(code)]).await;
        let label = label.as_str().unwrap_or_default();
        let fraction = format!("({}/{})", grouped(want.numerator), grouped(want.denominator));
        assert!(label.contains(&fraction), "map shape {code}: {measure} {fraction} in {label:?}");
    }
}

/// Whether the demo boundaries hold a shape of `code` or of an area inside it.
fn has_boundary_below(code: &str) -> bool {
    let boundaries: serde_json::Value =
        serde_json::from_str(odf_fixtures::BOUNDARIES_GEOJSON_FILE).expect("the demo boundaries");
    let features = boundaries["features"].as_array().expect("features");
    features
        .iter()
        .filter_map(|f| f["properties"]["kode"].as_str())
        .any(|kode| kode == code || kode.strip_prefix(code).is_some_and(|rest| rest.starts_with('.')))
}

/// Clicks the link in the first cell of the table row of `code`.
async fn click_row(browser: &Browser, code: &str) {
    click(
        &browser.wait(&format!("table#children tbody tr[data-code=\"{code}\"] > :first-child a[href]")).await,
    )
    .await;
}

/// A village of the demo with households both with and without access, and its kabupaten and
/// kecamatan: the one the tests click down to. The campaign's seed makes it the same every run.
async fn village_with_households_without_access(api: &Api) -> [String; 3] {
    let kk = |coverage: &Coverage, code: &str| coverage.child(code, "kk_akses");
    let province = api.coverage("74", None).await;
    for kabupaten in province.child_codes() {
        if kk(&province, &kabupaten).denominator == 0 {
            continue;
        }
        let kab = api.coverage(&kabupaten, None).await;
        for kecamatan in kab.child_codes() {
            if kk(&kab, &kecamatan).denominator == 0 {
                continue;
            }
            let kec = api.coverage(&kecamatan, None).await;
            for village in kec.child_codes() {
                let figure = kk(&kec, &village);
                if 0 < figure.numerator && figure.numerator < figure.denominator {
                    return [kabupaten, kecamatan, village];
                }
            }
        }
    }
    panic!("the demo campaign left no village with households still without access");
}

/// (a) headline = API, (b) province → kabupaten (table) → kecamatan (map) → village (table) with
/// breadcrumbs at each step, (c) one shape per child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_page_shows_the_api_figures_and_clicks_down_to_a_village() {
    if skipped() {
        return;
    }
    with_demo(|demo: Demo| async move {
        let api = Api::sign_in(&demo.url, VIEWER).await;
        let [kabupaten, kecamatan, village] = village_with_households_without_access(&api).await;
        with_browser("dashboard-drill", DESKTOP, |browser| async move {
            sign_in(&browser, &demo.url, VIEWER).await;
            let base = &demo.url;

            browser.goto(&area_url(base, "74"), "section#headline").await;
            browser.wait("html[lang=id]").await;
            let province = api.coverage("74", None).await;
            assert_headline(&browser, &province).await;
            assert_breadcrumbs(&browser, "74").await;
            let api_children: BTreeSet<String> = province.child_codes().into_iter().collect();
            assert_eq!(table_codes(&browser).await, api_children, "province table against the API");
            // The demo stores no kabupaten boundaries, only kecamatan and village ones: a shape
            // (drawn from its kecamatan) for each kabupaten that has some, each once.
            let shapes = map_codes(&browser).await;
            let unique: BTreeSet<String> = shapes.iter().cloned().collect();
            assert_eq!(shapes.len(), unique.len(), "province map: no child twice: {shapes:?}");
            let with_boundaries: BTreeSet<String> =
                api_children.iter().filter(|code| has_boundary_below(code)).cloned().collect();
            assert!(!with_boundaries.is_empty(), "the demo has boundaries");
            assert_eq!(unique, with_boundaries, "province map: the kabupaten with boundaries");
            browser.wait("svg#trend").await;
            // The whole page for the README: headline, map, trend, table and downloads.
            let (png, _) = browser.full_page_screenshot("province").await;
            assert!(png.starts_with(b"\x89PNG"), "a full-page PNG");
            Browser::publish_screenshot(&png, "dashboard-province.png");

            // Kabupaten, from the table.
            click_row(&browser, &kabupaten).await;
            browser.wait(&format!("table#children tbody tr[data-code^=\"{kabupaten}.\"]")).await;
            assert_on_page_of(&browser, &kabupaten).await;
            assert_breadcrumbs(&browser, &kabupaten).await;
            let kab = api.coverage(&kabupaten, None).await;
            assert_headline(&browser, &kab).await;
            assert_one_shape_and_row_per_child(&browser, &kab).await;
            browser.screenshot("kabupaten").await;

            // Kecamatan, from the map.
            click(&browser.wait(&format!("svg#map path[data-code=\"{kecamatan}\"]")).await).await;
            browser.wait(&format!("table#children tbody tr[data-code^=\"{kecamatan}.\"]")).await;
            assert_on_page_of(&browser, &kecamatan).await;
            assert_breadcrumbs(&browser, &kecamatan).await;
            let kec = api.coverage(&kecamatan, None).await;
            assert_headline(&browser, &kec).await;
            assert_one_shape_and_row_per_child(&browser, &kec).await;
            browser.screenshot("kecamatan").await;

            // Village, from the table.
            click_row(&browser, &village).await;
            browser.wait("section#timeline").await;
            assert_on_page_of(&browser, &village).await;
            assert_breadcrumbs(&browser, &village).await;
            browser.wait("section#categories").await;
            browser.wait("section#certificates").await;
            browser.screenshot("village").await;
        })
        .await;
    })
    .await;
}

/// (d) The measure (JS submits on change) and the date (the form's button, as without JS): the URL
/// (`ukuran=sbs`, `as_of`), the headline, the map (`#map-box[data-measure]` names the measure as the
/// headline does, `kk_akses` or `desa_sbs`, and each shape's title its figure) and the download
/// links follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_measure_and_date_moves_the_headline_the_map_and_the_downloads() {
    if skipped() {
        return;
    }
    with_demo(|demo: Demo| async move {
        let api = Api::sign_in(&demo.url, ADMIN).await;
        let [kabupaten, ..] = village_with_households_without_access(&api).await;
        let today = api.coverage(&kabupaten, None).await;
        // Before the certificates (issued on the campaign's day) and the latest visits (10 to 30
        // days before it): both measures differ from today's.
        let day = NaiveDate::parse_from_str(&today.date(), "%Y-%m-%d").expect("the API's date")
            - Duration::days(45);
        let day = day.format("%Y-%m-%d").to_string();
        let past = api.coverage(&kabupaten, Some(&day)).await;
        assert_ne!(past.area("desa_sbs"), today.area("desa_sbs"), "the demo's % desa SBS differs on {day}");

        with_browser("dashboard-switch", DESKTOP, |browser| async move {
            sign_in(&browser, &demo.url, ADMIN).await;
            browser.goto(&area_url(&demo.url, &kabupaten), "section#headline").await;
            assert_headline(&browser, &today).await;
            browser.wait("#map-box[data-measure=kk_akses] svg#map").await;
            assert_map_shows(&browser, &today, "kk_akses").await;

            browser
                .wait("form#controls select#measure[name=ukuran]")
                .await
                .select_by_value("sbs")
                .await
                .expect("choose sbs");
            browser.wait("#map-box[data-measure=desa_sbs] svg#map").await;
            assert_on_page_of(&browser, &kabupaten).await;
            assert_eq!(query(&browser, "ukuran").await.as_deref(), Some("sbs"), "the measure is in the URL");
            assert_headline(&browser, &today).await;
            assert_map_shows(&browser, &today, "desa_sbs").await;
            browser.screenshot("sbs").await;

            // The date as a user without JS would: set the field, press the form's button.
            let field = browser.wait("form#controls input#as-of[type=date][name=as_of]").await;
            browser.script("arguments[0].value = arguments[1];", vec![json!(field), json!(day)]).await;
            click(&browser.wait("form#controls button#apply[type=submit]").await).await;
            browser.wait(&format!("section#headline [data-measure=kk_akses][data-as-of=\"{day}\"]")).await;
            assert_on_page_of(&browser, &kabupaten).await;
            assert_eq!(
                query(&browser, "as_of").await.as_deref(),
                Some(day.as_str()),
                "the day is in the URL"
            );
            assert_eq!(query(&browser, "ukuran").await.as_deref(), Some("sbs"), "the measure stays chosen");
            assert_headline(&browser, &past).await;
            browser.wait("#map-box[data-measure=desa_sbs] svg#map").await;
            assert_map_shows(&browser, &past, "desa_sbs").await;
            let downloads = browser.all(&format!("section#downloads a[href*=\"as_of={day}\"]")).await;
            assert!(!downloads.is_empty(), "download links carry as_of={day}");
            assert_eq!(
                browser.wait("input#as-of").await.prop("value").await.expect("the field's value").as_deref(),
                Some(day.as_str()),
                "the date field shows the chosen day"
            );
            browser.screenshot("sbs-past").await;
        })
        .await;
    })
    .await;
}

/// (e) A viewer of the province sees a village's aggregates but no names; the kecamatan's
/// sanitarian, whose scope covers the village, sees who still lacks access.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_staff_covering_the_village_see_the_households_without_access() {
    if skipped() {
        return;
    }
    with_demo(|demo: Demo| async move {
        let api = Api::sign_in(&demo.url, VIEWER).await;
        let [_, kecamatan, village] = village_with_households_without_access(&api).await;
        // Names of heads of families, as the demo campaign writes them.
        let names = format!("KK {village} ");
        let page = area_url(&demo.url, &village);

        with_browser("dashboard-viewer", PHONE, |browser| {
            let (base, page, names) = (demo.url.clone(), page.clone(), names.clone());
            async move {
                sign_in(&browser, &base, VIEWER).await;
                browser.goto(&page, "section#timeline").await;
                browser.wait("section#categories").await;
                assert!(!browser.has("#without-access").await, "a viewer sees no #without-access");
                let source = browser.client.source().await.expect("the page's source");
                assert!(!source.contains(&names), "no head of family's name on the viewer's page");
                browser.screenshot("village").await;
            }
        })
        .await;

        let sanitarian = sanitarian_of(&kecamatan);
        with_browser("dashboard-staff", PHONE, |browser| async move {
            sign_in(&browser, &demo.url, &sanitarian).await;
            browser.goto(&page, "section#timeline").await;
            let list = browser.wait("section#without-access").await;
            let shown = text(&list).await;
            assert!(shown.contains(&names), "the sanitarian sees names ({names}…): {shown:?}");
            browser.screenshot("village").await;
        })
        .await;
    })
    .await;
}
