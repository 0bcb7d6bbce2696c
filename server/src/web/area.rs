//! `GET /wilayah/{area}`: the area page (nasional, provinsi, kabupaten/kota, kecamatan): headline
//! figures, the map and table of the children, the monthly trend, the date and measure controls,
//! and the download links; a village code gets the village page ([`super::village`]).
//!
//! One roll-up per page (the coverage API's [`ScopedArea`]); the children, their map values and
//! their freshness all come from it and from one read each of boundaries and phones.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use geo::MultiPolygon;
use odf_domain::{AreaCode, Level};
use odf_rollup::{AreaRef, Measure};
use odf_web::Lang;
use odf_web::svg::{MapLabels, MapShape, MapValue, NumberStyle, TrendLabels};
use odf_web::view::{AreaInput, ChildFreshness, Crumb, Download, Layout, area_view, measure_param};

use super::{PageQuery, Reader, WebError, html, lang_of, lang_switch_href, remember_lang};
use crate::app::AppState;
use crate::routes::coverage::{ScopedArea, area_text, devices_with_areas, under, works_in};

pub(crate) async fn page(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(text): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&query, &headers);
    let mut response = match render(&state, &reader, &text, &query, lang).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    remember_lang(&query, &mut response);
    response
}

fn api(lang: Lang) -> impl Fn(crate::error::ApiError) -> WebError {
    move |err| WebError::from_api(err, lang)
}

async fn render(
    state: &AppState,
    reader: &Reader,
    text: &str,
    query: &PageQuery,
    lang: Lang,
) -> Result<Response, WebError> {
    let area = match reader.area(text) {
        Ok(area) => area,
        Err(err) if err.status == StatusCode::UNAUTHORIZED => {
            return Ok(Redirect::to("/masuk").into_response());
        }
        Err(err) => return Err(WebError::from_api(err, lang)),
    };
    let measure = match query.ukuran.as_deref() {
        None | Some("kk" | "") => Measure::KkAkses,
        Some("sbs") => Measure::DesaSbs,
        Some(other) => {
            return Err(WebError {
                status: StatusCode::BAD_REQUEST,
                message: Some(format!("ukuran={other}: pakai kk atau sbs (use kk or sbs)")),
                lang,
            });
        }
    };
    let as_of = query.as_of.as_deref().filter(|d| !d.is_empty());
    let scoped = ScopedArea::of(state, area, as_of).await.map_err(api(lang))?;
    let layout = layout(reader, &scoped, text, query, lang);
    if let AreaRef::Code(code) = area
        && code.level() == Level::Desa
    {
        return super::village::render(state, reader, &scoped, code, layout).await;
    }
    // A past day rebuilds the roll-up from the dated facts, which the trend then reuses; today's
    // figures come from the tallies, and the trend from its cache or one read of the facts.
    let (rollup, facts) = match scoped.day {
        Some(_) => {
            let (rollup, facts) = scoped.rollup_and_facts(state).await.map_err(api(lang))?;
            (rollup, Some(facts))
        }
        None => (scoped.summary(state).await.map_err(api(lang))?, None),
    };
    let head = rollup.get(area).ok_or_else(|| WebError::new(StatusCode::NOT_FOUND, lang))?;
    let children = rollup.children(area);

    // Freshness: one read of the phones, shared out to the children in memory.
    let devices = devices_with_areas(state).await.map_err(api(lang))?;
    let freshness_of = |within: Option<AreaCode>| {
        devices.iter().filter(|(user_area, _)| works_in(within, *user_area)).fold(
            ChildFreshness::default(),
            |acc, (_, d)| ChildFreshness {
                last_sync: acc.last_sync.max(Some(d.last_sync_at)),
                pending: acc.pending + d.pending_count,
            },
        )
    };
    let freshness: Vec<ChildFreshness> = children.iter().map(|c| freshness_of(c.code)).collect();
    let pending = freshness_of(under(area)).pending;
    let last_change = state.store().last_change_at(under(area)).await.map_err(|e| api(lang)(e.into()))?;

    // The map: the children's stored boundaries, coloured by the chosen measure.
    let codes: Vec<_> = children.iter().filter_map(|c| c.code).collect();
    let boundaries = child_boundaries(state, &scoped, &codes).await.map_err(|e| api(lang)(e.into()))?;
    let link_query = link_query(query, &scoped, measure);
    let shapes: Vec<MapShape> = boundaries
        .into_iter()
        .filter_map(|(code, geometry)| {
            let child = children.iter().find(|c| c.code == Some(code))?;
            let figure = child.figure(measure);
            Some(MapShape {
                code: code.to_string(),
                name: child.name.to_owned(),
                href: format!("/wilayah/{code}{link_query}"),
                geometry,
                value: (figure.denominator > 0).then(|| MapValue {
                    numerator: u64::try_from(figure.numerator).unwrap_or(0),
                    denominator: u64::try_from(figure.denominator).unwrap_or(0),
                }),
            })
        })
        .collect();
    let l = lang.labels();
    let measure_label = if measure == Measure::KkAkses { l.kk_akses } else { l.desa_sbs };
    let style = match lang {
        Lang::Id => NumberStyle::Indonesian,
        Lang::En => NumberStyle::English,
    };
    let map_title = format!("{} {measure_label}, {}", l.map, head.name);
    let map_svg = odf_web::svg::choropleth_in(
        &shapes,
        &MapLabels { title: &map_title, measure: measure_label, no_data: l.no_data },
        style,
    );

    // The trend: the series code's months (`/series`), from the same facts.
    let points =
        super::trend::points(state, &scoped, facts.as_ref(), last_change).await.map_err(api(lang))?;
    let trend_svg = odf_web::svg::trend_in(
        &points,
        &TrendLabels { title: l.trend, kk_akses: l.kk_akses, desa_sbs: l.desa_sbs },
        style,
    );

    let view = area_view(AreaInput {
        layout,
        head: &head,
        children: &children,
        freshness: &freshness,
        last_change,
        pending,
        date: scoped.date(),
        today: area.local_date(scoped.now),
        measure,
        offset_hours: area.utc_offset_hours(),
        link_query,
        map_svg,
        trend_svg,
        downloads: downloads(reader, area, &scoped, lang),
    });
    Ok(html(odf_web::pages::area(&view), lang))
}

/// The boundaries of `codes`, in their order. A child without a stored boundary of its own is drawn
/// from its own children's (one level down, one more read), so a province whose kabupaten shapes
/// were never imported, as in the demo data, still gets a map.
async fn child_boundaries(
    state: &AppState,
    scoped: &ScopedArea,
    codes: &[AreaCode],
) -> Result<Vec<(AreaCode, MultiPolygon<f64>)>, odf_store::StoreError> {
    let parse = |geometry: &serde_json::Value| odf_store::boundary_from_geojson(geometry).map(|b| b.0);
    let mut found: Vec<(AreaCode, MultiPolygon<f64>)> = state
        .store()
        .boundaries_of(codes)
        .await?
        .iter()
        .filter_map(|(code, geometry)| Some((*code, parse(geometry)?)))
        .collect();
    let missing: Vec<AreaCode> =
        codes.iter().copied().filter(|c| !found.iter().any(|(f, _)| f == c)).collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let below: Vec<AreaCode> =
        missing.iter().flat_map(|m| scoped.wilayah.children(*m).map(|p| p.code)).collect();
    let pieces = state.store().boundaries_of(&below).await?;
    for parent in missing {
        let polygons: Vec<_> = pieces
            .iter()
            .filter(|(code, _)| code.parent() == Some(parent))
            .filter_map(|(_, geometry)| parse(geometry))
            .flat_map(|multi| multi.0)
            .collect();
        if !polygons.is_empty() {
            found.push((parent, MultiPolygon(polygons)));
        }
    }
    found.sort_by_key(|(code, _)| *code);
    Ok(found)
}

/// `?as_of=…&ukuran=…` to keep the reader's view when drilling down (empty for the defaults).
fn link_query(query: &PageQuery, scoped: &ScopedArea, measure: Measure) -> String {
    let mut parts = Vec::new();
    if query.as_of.as_deref().is_some_and(|d| !d.is_empty()) {
        parts.push(format!("as_of={}", scoped.date().format("%Y-%m-%d")));
    }
    if measure != Measure::KkAkses {
        parts.push(format!("ukuran={}", measure_param(measure)));
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// The coverage API's exports, for the same day. They need an account (the API's `Caller`, which
/// takes the session cookie on GET): the public sees none.
fn downloads(reader: &Reader, area: AreaRef, scoped: &ScopedArea, lang: Lang) -> Vec<Download> {
    if reader.caller().is_none() {
        return Vec::new();
    }
    let l = lang.labels();
    let (code, day) = (area_text(area), scoped.date().format("%Y-%m-%d"));
    vec![
        Download {
            label: l.dl_csv,
            href: format!("/v1/coverage/{code}?format=csv&lang={}&as_of={day}", lang.as_str()),
        },
        Download { label: l.dl_geojson, href: format!("/v1/coverage/{code}?format=geojson&as_of={day}") },
        Download { label: l.dl_stbm, href: format!("/v1/coverage/{code}/stbm.csv?as_of={day}") },
        Download { label: l.dl_dhis2, href: format!("/v1/coverage/{code}/dhis2?as_of={day}") },
    ]
}

/// The header, breadcrumbs (every ancestor the reader may open) and language switch of a page.
fn layout(reader: &Reader, scoped: &ScopedArea, text: &str, query: &PageQuery, lang: Lang) -> Layout {
    let l = lang.labels();
    let name = |code| scoped.wilayah.name(code).unwrap_or_default().to_owned();
    let keep = link_query(
        query,
        scoped,
        match query.ukuran.as_deref() {
            Some("sbs") => Measure::DesaSbs,
            _ => Measure::KkAkses,
        },
    );
    let title = match scoped.area {
        AreaRef::Nasional => l.nasional.to_owned(),
        AreaRef::Code(code) => name(code),
    };
    let path = format!("/wilayah/{text}");
    let mut layout = Layout::new(lang, title, lang_switch_href(&path, query, lang), reader.signed_in());
    let mut crumbs = Vec::new();
    if reader.area("nasional").is_ok() && scoped.area != AreaRef::Nasional {
        crumbs.push(Crumb { name: l.nasional.to_owned(), href: format!("/wilayah/nasional{keep}") });
    }
    if let AreaRef::Code(code) = scoped.area {
        for ancestor in code.ancestors() {
            if reader.area(&ancestor.to_string()).is_ok() {
                crumbs.push(Crumb { name: name(ancestor), href: format!("/wilayah/{ancestor}{keep}") });
            }
        }
    }
    layout.crumbs = crumbs;
    layout
}
