//! What a page shows, as plain values: the server fills the inputs from the roll-up and the store,
//! the builders here turn them into ready-printed text for the templates (numbers, dates and
//! percentages in the page's language), so the templates stay free of logic.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use odf_domain::{Category, StatusChange};
use odf_rollup::{AreaFigures, Figure, Measure};

use crate::format::{date_text, number_text, percent_text, percent_value};
use crate::labels::{Labels, Lang};

/// One ancestor in the breadcrumbs.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub name: String,
    pub href: String,
}

/// The signed-in reader, with the CSRF token the sign-out form carries.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub name: String,
    pub csrf: String,
    /// Whether the header links to the verification desk (verifiers and admins).
    pub desk: bool,
    /// Whether the header links to the admin pages (admins).
    pub admin: bool,
}

/// What every page has: language, title, breadcrumbs, the language switch and who is signed in.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lang: Lang,
    pub l: &'static Labels,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    /// The same page in the other language.
    pub lang_href: String,
    pub user: Option<SignedIn>,
    /// Whether to offer the sign-in link (not on the sign-in page itself).
    pub offer_sign_in: bool,
    pub css_href: &'static str,
    pub js_href: &'static str,
}

impl Layout {
    /// The header link's text to the admin pages (their words live in `admin`).
    pub fn admin_label(&self) -> &'static str {
        crate::admin::admin_labels(self.lang).admin
    }

    pub fn new(lang: Lang, title: String, lang_href: String, user: Option<SignedIn>) -> Layout {
        Layout {
            lang,
            l: lang.labels(),
            title,
            crumbs: Vec::new(),
            lang_href,
            offer_sign_in: user.is_none(),
            user,
            css_href: crate::assets::CSS.href(),
            js_href: crate::assets::JS.href(),
        }
    }
}

/// One headline figure with everything it must name: measure, numerator, denominator and date.
#[derive(Debug, Clone)]
pub struct Headline {
    /// `kk_akses` or `desa_sbs`, for `data-measure`.
    pub measure: &'static str,
    pub label: &'static str,
    /// What the numerator counts ("KK dengan akses jamban").
    pub means: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    pub percent: String,
    pub numerator_text: String,
    pub denominator_text: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub date_text: String,
}

impl Headline {
    pub fn new(figure: &Figure, date: NaiveDate, lang: Lang) -> Headline {
        let l = lang.labels();
        let (label, means) = match figure.measure {
            Measure::KkAkses => (l.kk_akses, l.kk_akses_means),
            Measure::DesaSbs => (l.desa_sbs, l.desa_sbs_means),
        };
        Headline {
            measure: figure.measure.as_str(),
            label,
            means,
            numerator: figure.numerator,
            denominator: figure.denominator,
            percent: percent(figure.numerator, figure.denominator, lang),
            numerator_text: number_text(figure.numerator, lang),
            denominator_text: number_text(figure.denominator, lang),
            as_of: date.format("%Y-%m-%d").to_string(),
            date_text: date_text(date, lang),
        }
    }
}

fn percent(num: i64, den: i64, lang: Lang) -> String {
    percent_text(u64::try_from(num).unwrap_or(0), u64::try_from(den).unwrap_or(0), lang.decimal_comma())
}

/// A measure in a table cell: the percentage, the fraction, and a sort key (`-1` for no data, so
/// it sorts below 0 %).
#[derive(Debug, Clone)]
pub struct Cell {
    pub percent: String,
    pub fraction: String,
    pub sort: String,
}

impl Cell {
    fn new(figure: &Figure, lang: Lang) -> Cell {
        let (num, den) = (figure.numerator, figure.denominator);
        Cell {
            percent: percent(num, den, lang),
            // No denominator: the dash says "no data"; a "0/0" beside it adds nothing.
            fraction: if den > 0 {
                format!("({}/{})", number_text(num, lang), number_text(den, lang))
            } else {
                String::new()
            },
            sort: percent_value(num, den).map_or_else(|| "-1".to_owned(), |p| format!("{p:.4}")),
        }
    }
}

/// How fresh one child's figures are: phones of accounts working there.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChildFreshness {
    pub last_sync: Option<DateTime<Utc>>,
    pub pending: i64,
}

/// One row of the children table.
#[derive(Debug, Clone)]
pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub href: String,
    pub kk: Cell,
    pub sbs: Cell,
    pub dipicu: i64,
    pub diklaim: i64,
    pub sbs_villages: i64,
    pub slipped: i64,
    pub revoked: i64,
    pub never_visited: i64,
    pub never_visited_text: String,
    pub last_sync: String,
    pub last_sync_sort: String,
    pub pending: i64,
    pub pending_text: String,
}

/// A download link.
#[derive(Debug, Clone)]
pub struct Download {
    pub label: &'static str,
    pub href: String,
}

/// A moment in the area's local time: `29 November 2026 14:05`.
pub fn moment_text(at: DateTime<Utc>, offset_hours: i64, lang: Lang) -> String {
    let local = at + Duration::hours(offset_hours);
    format!("{} {}", date_text(local.date_naive(), lang), local.format("%H:%M"))
}

/// Everything the area page is made from.
#[derive(Debug)]
pub struct AreaInput<'a> {
    pub layout: Layout,
    pub head: &'a AreaFigures<'a>,
    pub children: &'a [AreaFigures<'a>],
    /// Same order as `children`.
    pub freshness: &'a [ChildFreshness],
    pub last_change: Option<DateTime<Utc>>,
    pub pending: i64,
    /// The day of the figures and the latest day that may be asked (today, locally).
    pub date: NaiveDate,
    pub today: NaiveDate,
    pub measure: Measure,
    /// The area's UTC offset, for times.
    pub offset_hours: i64,
    /// Appended to every drill-down link (`?as_of=…&ukuran=…`), so the reader keeps their view.
    pub link_query: String,
    pub map_svg: String,
    pub trend_svg: String,
    pub downloads: Vec<Download>,
}

/// The area page's view model.
#[derive(Debug)]
pub struct AreaView {
    pub layout: Layout,
    pub heading: String,
    pub level: &'static str,
    pub child_level: &'static str,
    pub headline: Vec<Headline>,
    /// The KKS tier line, for a kabupaten/kota.
    pub kks: Option<String>,
    /// `kk` or `sbs` (the switch's value).
    pub measure: &'static str,
    /// `kk_akses` or `desa_sbs` (the map box's `data-measure`).
    pub measure_key: &'static str,
    pub measure_label: &'static str,
    pub as_of: String,
    pub today: String,
    pub map_svg: String,
    pub rows: Vec<ChildRow>,
    pub trend_svg: String,
    pub downloads: Vec<Download>,
    pub last_change: String,
    pub pending: String,
}

/// `kk` or `sbs`, the `ukuran` values of the measure switch.
pub fn measure_param(measure: Measure) -> &'static str {
    match measure {
        Measure::KkAkses => "kk",
        Measure::DesaSbs => "sbs",
    }
}

pub fn area_view(input: AreaInput<'_>) -> AreaView {
    let lang = input.layout.lang;
    let l = input.layout.l;
    let head = input.head;
    let kks = head.kabupaten.map(|k| {
        let tier = k.kks_tier.map_or(l.kks_none, |t| t.label());
        let sbs = if k.sbs { format!(" · {}", l.kab_sbs) } else { String::new() };
        format!("{}: {tier}{sbs}", l.kks_tier)
    });
    let child_level = input.children.first().map_or("", |c| l.level(c.level));
    let rows = input
        .children
        .iter()
        .zip(input.freshness.iter().copied().chain(std::iter::repeat(ChildFreshness::default())))
        .map(|(child, fresh)| {
            let code = child.code.map(|c| c.to_string()).unwrap_or_default();
            let v = &child.villages;
            ChildRow {
                href: format!("/wilayah/{code}{}", input.link_query),
                code,
                name: child.name.to_owned(),
                kk: Cell::new(&child.kk_akses, lang),
                sbs: Cell::new(&child.desa_sbs, lang),
                dipicu: i64::from(v.dipicu),
                diklaim: i64::from(v.klaim_sbs) + i64::from(v.verifikasi),
                sbs_villages: i64::from(v.sbs),
                slipped: i64::from(v.slipped),
                revoked: i64::from(v.revoked),
                never_visited: child.households.kk_never_visited,
                never_visited_text: number_text(child.households.kk_never_visited, lang),
                last_sync: fresh
                    .last_sync
                    .map_or_else(|| l.never.to_owned(), |at| moment_text(at, input.offset_hours, lang)),
                last_sync_sort: fresh.last_sync.map_or(0, |at| at.timestamp()).to_string(),
                pending: fresh.pending,
                pending_text: number_text(fresh.pending, lang),
            }
        })
        .collect();
    AreaView {
        heading: head.name.to_owned(),
        level: l.level(head.level),
        child_level,
        headline: vec![
            Headline::new(&head.kk_akses, input.date, lang),
            Headline::new(&head.desa_sbs, input.date, lang),
        ],
        kks,
        measure: measure_param(input.measure),
        measure_key: input.measure.as_str(),
        measure_label: match input.measure {
            Measure::KkAkses => l.kk_akses,
            Measure::DesaSbs => l.desa_sbs,
        },
        as_of: input.date.format("%Y-%m-%d").to_string(),
        today: input.today.format("%Y-%m-%d").to_string(),
        map_svg: input.map_svg,
        rows,
        trend_svg: input.trend_svg,
        downloads: input.downloads,
        last_change: input
            .last_change
            .map_or_else(|| l.never.to_owned(), |at| moment_text(at, input.offset_hours, lang)),
        pending: number_text(input.pending, lang),
        layout: input.layout,
    }
}

/// One entry of a village's status history.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: String,
    pub when: String,
    pub event: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    /// `to`'s machine name, for styling.
    pub to_code: &'static str,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

/// One rung of the ladder with its KK count.
#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub code: &'static str,
    pub label: &'static str,
    pub kk: String,
    pub share: String,
}

/// A verification, as its minutes summarise it.
#[derive(Debug, Clone)]
pub struct VerificationSummary {
    pub opened_at: DateTime<Utc>,
    pub team_size: usize,
    /// `Some(passed, when)` once decided.
    pub decision: Option<(bool, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub struct VerificationLine {
    pub opened: String,
    pub team: String,
    pub decision: String,
    pub passed: Option<bool>,
}

/// A certificate with its public-check link.
#[derive(Debug, Clone)]
pub struct CertificateSummary {
    pub number: String,
    pub issued_on: NaiveDate,
    pub revoked: bool,
    pub check_href: String,
    /// Only for signed-in readers (the PDF is behind sign-in).
    pub pdf_href: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CertificateLine {
    pub number: String,
    pub issued: String,
    pub state: &'static str,
    pub revoked: bool,
    pub check_href: String,
    pub pdf_href: Option<String>,
}

/// A household still without access (names: only for staff covering the village).
#[derive(Debug, Clone)]
pub struct HouseholdLine {
    pub head_name: String,
    pub kk_count: u16,
    pub place: String,
    pub category: Option<Category>,
    pub last_visit: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub head_name: String,
    pub kk: String,
    pub place: String,
    pub category: &'static str,
    pub last_visit: String,
}

#[derive(Debug)]
pub struct VillageInput<'a> {
    pub layout: Layout,
    pub figures: &'a AreaFigures<'a>,
    pub date: NaiveDate,
    /// The area's local day now: the latest the date picker offers.
    pub today: NaiveDate,
    pub offset_hours: i64,
    pub history: &'a [StatusChange],
    /// Whether to name who made each change (staff only).
    pub show_actors: bool,
    pub verifications: Vec<VerificationSummary>,
    pub certificates: Vec<CertificateSummary>,
    /// `None`: the reader may not see names; the section is left out.
    pub without_access: Option<Vec<HouseholdLine>>,
}

#[derive(Debug)]
pub struct VillageView {
    pub layout: Layout,
    pub heading: String,
    pub level: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub headline: Vec<Headline>,
    /// The date picker's value and its latest day, `YYYY-MM-DD`.
    pub as_of: String,
    pub today: String,
    pub timeline: Vec<TimelineEntry>,
    pub categories: Vec<CategoryRow>,
    pub verifications: Vec<VerificationLine>,
    pub certificates: Vec<CertificateLine>,
    pub without_access: Option<Vec<HouseholdRow>>,
}

pub fn village_view(input: VillageInput<'_>) -> VillageView {
    let lang = input.layout.lang;
    let l = input.layout.l;
    let f = input.figures;
    let status = f.village.map_or(odf_domain::VillageStatus::BelumDipicu, |v| v.status);
    let moment = |at: DateTime<Utc>| moment_text(at, input.offset_hours, lang);
    let timeline = input
        .history
        .iter()
        .map(|change| TimelineEntry {
            at: change.event.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            when: moment(change.event.at),
            event: lang.event(change.event.kind),
            from: lang.status(change.from),
            to: lang.status(change.to),
            to_code: change.to.as_str(),
            actor: input.show_actors.then(|| change.event.actor.clone()),
            reason: change.event.reason.clone(),
        })
        .collect();
    let h = &f.households;
    let by = &h.kk_by_category;
    let counts = [
        (Category::Aman, by.aman),
        (Category::LayakSendiri, by.layak_sendiri),
        (Category::LayakBersama, by.layak_bersama),
        (Category::BelumLayak, by.belum_layak),
        (Category::BabsTertutup, by.babs_tertutup),
        (Category::BabsTerbuka, by.babs_terbuka),
    ];
    let mut categories: Vec<CategoryRow> = counts
        .iter()
        .map(|(c, kk)| CategoryRow {
            code: c.as_str(),
            label: lang.category(*c),
            kk: number_text(*kk, lang),
            share: percent(*kk, h.kk, lang),
        })
        .collect();
    categories.push(CategoryRow {
        code: "never_visited",
        label: l.never_visited,
        kk: number_text(h.kk_never_visited, lang),
        share: percent(h.kk_never_visited, h.kk, lang),
    });
    let verifications = input
        .verifications
        .iter()
        .map(|v| VerificationLine {
            opened: moment(v.opened_at),
            team: format!("{}: {}", l.team, v.team_size),
            decision: match v.decision {
                Some((passed, at)) => format!("{} · {}", if passed { l.lulus } else { l.gagal }, moment(at)),
                None => l.awaiting.to_owned(),
            },
            passed: v.decision.map(|(passed, _)| passed),
        })
        .collect();
    let certificates = input
        .certificates
        .into_iter()
        .map(|c| CertificateLine {
            number: c.number,
            issued: date_text(c.issued_on, lang),
            state: if c.revoked { l.revoked } else { l.valid },
            revoked: c.revoked,
            check_href: c.check_href,
            pdf_href: c.pdf_href,
        })
        .collect();
    let without_access = input.without_access.map(|lines| {
        lines
            .into_iter()
            .map(|h| HouseholdRow {
                head_name: h.head_name,
                kk: h.kk_count.to_string(),
                place: h.place,
                category: h.category.map_or(l.never_visited, |c| lang.category(c)),
                last_visit: h.last_visit.map_or_else(|| l.never.to_owned(), moment),
            })
            .collect()
    });
    VillageView {
        heading: f.name.to_owned(),
        level: l.level(f.level),
        status: lang.status(status),
        status_code: status.as_str(),
        headline: vec![
            Headline::new(&f.kk_akses, input.date, lang),
            Headline::new(&f.desa_sbs, input.date, lang),
        ],
        as_of: input.date.format("%Y-%m-%d").to_string(),
        today: input.today.format("%Y-%m-%d").to_string(),
        timeline,
        categories,
        verifications,
        certificates,
        without_access,
        layout: input.layout,
    }
}

/// The sign-in page.
#[derive(Debug)]
pub struct LoginView {
    pub layout: Layout,
    pub csrf: String,
    pub username: String,
    pub error: Option<&'static str>,
}

/// A 4xx/5xx page.
#[derive(Debug)]
pub struct ErrorView {
    pub layout: Layout,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
}
