//! Recording on the phone: add or edit a household, record a visit (the sanitation ladder one tap
//! per rung, the checklist, GPS from the browser). Each is the `odf-field household add|edit` or
//! `visit` command's client-core call; a GPS warning from the core is shown and the record saved
//! only when the person confirms it, as `--yes` does.

use axum::extract::{Form, Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use odf_client::i18n;
use odf_client::{HouseholdDraft, Saved, VisitDraft};
use odf_domain::{Category, ChecklistItem, GpsFlag};
use odf_mobile_api::{ChecklistDto, GpsDto};
use odf_web::phone::{Check, HouseholdFormView, Rung, VisitFormView};
use serde::Deserialize;

use crate::State;
use crate::render::{core, error_text, failure, frame, html};
use crate::sanitarian::village_page;

fn gps_point(lat: &str, lng: &str) -> Option<GpsDto> {
    let lat = lat.trim().parse().ok()?;
    let lng = lng.trim().parse().ok()?;
    Some(GpsDto { lat, lng })
}

fn gps_warning(flag: GpsFlag, lang: odf_web::Lang) -> String {
    match flag {
        GpsFlag::OutsideVillage => i18n::GPS_OUTSIDE_VILLAGE,
        GpsFlag::FarFromHousehold => i18n::GPS_FAR_FROM_HOUSEHOLD,
    }
    .get(core(lang))
    .to_owned()
}

pub(crate) fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HouseholdForm {
    #[serde(default)]
    head: String,
    #[serde(default)]
    kk: String,
    #[serde(default)]
    dusun: String,
    #[serde(default)]
    rw: String,
    #[serde(default)]
    rt: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    /// Set when the person saw the GPS warnings and saves anyway (`--yes`).
    #[serde(default)]
    confirm: Option<String>,
}

async fn household_form(
    state: &State,
    heading: String,
    action: String,
    back: String,
    form: HouseholdForm,
    warnings: Vec<String>,
    error: Option<String>,
) -> Response {
    let (layout, frame) = frame(state, heading.clone(), "villages").await;
    html(odf_web::phone::household_form(&HouseholdFormView {
        layout,
        frame,
        heading,
        action,
        head: form.head,
        kk: form.kk,
        dusun: form.dusun,
        rw: form.rw,
        rt: form.rt,
        lat: form.lat,
        lng: form.lng,
        warnings,
        error,
        back,
    }))
}

fn labels(state: &State) -> &'static odf_web::phone::PhoneLabels {
    odf_web::phone::PhoneLabels::of(state.lang())
}

pub(crate) async fn new_household(state: State, Path(code): Path<String>) -> Response {
    let form = HouseholdForm { kk: "1".to_owned(), ..HouseholdForm::default() };
    let heading = labels(&state).add_household.to_owned();
    household_form(
        &state,
        heading,
        format!("/desa/{code}/rumah-baru"),
        format!("/desa/{code}"),
        form,
        vec![],
        None,
    )
    .await
}

/// `odf-field household add`.
pub(crate) async fn add_household(
    state: State,
    Path(code): Path<String>,
    Form(form): Form<HouseholdForm>,
) -> Response {
    let lang = state.lang();
    let heading = labels(&state).add_household.to_owned();
    let action = format!("/desa/{code}/rumah-baru");
    let back = format!("/desa/{code}");
    let Ok(kk_count) = form.kk.trim().parse::<i64>() else {
        let err = invalid_kk();
        return household_form(&state, heading, action, back, form, vec![], Some(error_text(&err, lang)))
            .await;
    };
    let draft = HouseholdDraft {
        village: code.clone(),
        head_name: form.head.clone(),
        kk_count,
        dusun: optional(&form.dusun),
        rw: optional(&form.rw),
        rt: optional(&form.rt),
        gps: gps_point(&form.lat, &form.lng),
    };
    match state.client.register_household(draft, form.confirm.is_some()).await {
        Ok(Saved::Saved { .. }) => {
            let saved = labels(&state).saved.to_owned();
            village_page(&state, &code, Some(saved), None).await
        }
        Ok(Saved::NeedsConfirmation { warnings }) => {
            let warnings = warnings.into_iter().map(|w| gps_warning(w, lang)).collect();
            household_form(&state, heading, action, back, form, warnings, None).await
        }
        Err(err) => {
            household_form(&state, heading, action, back, form, vec![], Some(error_text(&err, lang))).await
        }
    }
}

fn invalid_kk() -> odf_client::ClientError {
    crate::render::invalid("kk_count", "jumlah KK harus angka 1-50 (the KK count must be a number 1-50)")
}

async fn household_of(state: &State, id: &str) -> Result<odf_domain::Household, odf_client::ClientError> {
    state.client.find_household(id).await
}

pub(crate) async fn edit_household_page(state: State, Path(id): Path<String>) -> Response {
    let household = match household_of(&state, &id).await {
        Ok(h) => h,
        Err(err) => return failure(&state, &err).await,
    };
    let form = HouseholdForm {
        head: household.head_name.clone(),
        kk: household.kk_count.to_string(),
        dusun: household.dusun.clone().unwrap_or_default(),
        rw: household.rw.clone().unwrap_or_default(),
        rt: household.rt.clone().unwrap_or_default(),
        lat: household.gps.map(|p| p.lat().to_string()).unwrap_or_default(),
        lng: household.gps.map(|p| p.lng().to_string()).unwrap_or_default(),
        confirm: None,
    };
    let heading = format!("{}: {}", labels(&state).edit_household, household.head_name);
    let back = format!("/desa/{}", household.village);
    household_form(&state, heading, format!("/rumah/{id}/ubah"), back, form, vec![], None).await
}

/// `odf-field household edit`: only the fields that changed are sent.
pub(crate) async fn edit_household(
    state: State,
    Path(id): Path<String>,
    Form(form): Form<HouseholdForm>,
) -> Response {
    let lang = state.lang();
    let household = match household_of(&state, &id).await {
        Ok(h) => h,
        Err(err) => return failure(&state, &err).await,
    };
    let heading = format!("{}: {}", labels(&state).edit_household, household.head_name);
    let action = format!("/rumah/{id}/ubah");
    let back = format!("/desa/{}", household.village);
    let Ok(kk) = form.kk.trim().parse::<u16>() else {
        let err = invalid_kk();
        return household_form(&state, heading, action, back, form, vec![], Some(error_text(&err, lang)))
            .await;
    };
    let changed = |new: Option<String>, old: &Option<String>| (new != *old).then_some(new);
    let gps = gps_point(&form.lat, &form.lng)
        .and_then(|p| odf_domain::GeoPoint::new(p.lat, p.lng).ok())
        .filter(|p| Some(*p) != household.gps)
        .map(Some);
    let changes = odf_domain::HouseholdChanges {
        head_name: Some(form.head.trim().to_owned()).filter(|h| *h != household.head_name),
        kk_count: (kk != household.kk_count).then_some(kk),
        dusun: changed(optional(&form.dusun), &household.dusun),
        rw: changed(optional(&form.rw), &household.rw),
        rt: changed(optional(&form.rt), &household.rt),
        gps,
    };
    match state.client.edit_household(household.id, changes).await {
        Ok(_) => {
            let saved = labels(&state).saved.to_owned();
            village_page(&state, &household.village.to_string(), Some(saved), None).await
        }
        Err(err) => {
            household_form(&state, heading, action, back, form, vec![], Some(error_text(&err, lang))).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct VisitForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    closed_toilet: String,
    #[serde(default)]
    safe_from_well: String,
    #[serde(default)]
    strong_slab: String,
    #[serde(default)]
    child_faeces_safe: String,
    #[serde(default)]
    all_members_use: String,
    #[serde(default)]
    water_and_soap: String,
    #[serde(default)]
    no_faeces_around: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    confirm: Option<String>,
    /// Where to go after saving (a verification's page for a sampled household).
    #[serde(default)]
    back: Option<String>,
    /// A photo already kept on the phone (when the form is shown again after a GPS warning).
    #[serde(default)]
    photo_sha256: String,
}

impl VisitForm {
    /// One text field of the posted form.
    fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "category" => &mut self.category,
            "closed_toilet" => &mut self.closed_toilet,
            "safe_from_well" => &mut self.safe_from_well,
            "strong_slab" => &mut self.strong_slab,
            "child_faeces_safe" => &mut self.child_faeces_safe,
            "all_members_use" => &mut self.all_members_use,
            "water_and_soap" => &mut self.water_and_soap,
            "no_faeces_around" => &mut self.no_faeces_around,
            "lat" => &mut self.lat,
            "lng" => &mut self.lng,
            "photo_sha256" => &mut self.photo_sha256,
            "confirm" => {
                self.confirm = Some(value);
                return;
            }
            "back" => {
                self.back = Some(value);
                return;
            }
            _ => return,
        };
        *slot = value;
    }

    /// The posted form (multipart, as it may carry a photo) and the photo's bytes, if one came.
    async fn read(mut multipart: Multipart) -> Result<(VisitForm, Option<Vec<u8>>), String> {
        let mut form = VisitForm::default();
        let mut photo = None;
        while let Some(field) = multipart.next_field().await.map_err(|err| err.to_string())? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photo" {
                let bytes = field.bytes().await.map_err(|err| err.to_string())?;
                photo = Some(bytes.to_vec()).filter(|b| !b.is_empty());
            } else {
                form.set(&name, field.text().await.map_err(|err| err.to_string())?);
            }
        }
        Ok((form, photo))
    }

    fn answers(&self) -> [&str; 7] {
        [
            &self.closed_toilet,
            &self.safe_from_well,
            &self.strong_slab,
            &self.child_faeces_safe,
            &self.all_members_use,
            &self.water_and_soap,
            &self.no_faeces_around,
        ]
    }

    fn checklist(&self) -> ChecklistDto {
        let answer = |text: &str| match text {
            "ya" => Some(true),
            "tidak" => Some(false),
            _ => None,
        };
        let [a, b, c, d, e, f, g] = self.answers().map(answer);
        ChecklistDto {
            closed_toilet: a,
            safe_from_well: b,
            strong_slab: c,
            child_faeces_safe: d,
            all_members_use: e,
            water_and_soap: f,
            no_faeces_around: g,
        }
    }
}

/// Only a path of this app may be gone back to.
fn local_path(back: Option<&str>) -> Option<String> {
    back.filter(|b| b.starts_with('/') && !b.starts_with("//")).map(str::to_owned)
}

async fn visit_form(
    state: &State,
    household: &odf_domain::Household,
    form: &VisitForm,
    warnings: Vec<String>,
    error: Option<String>,
) -> Response {
    let lang = state.lang();
    let p = labels(state);
    let heading = format!("{}: {}", p.record_visit, household.head_name);
    let rungs = Category::ALL
        .iter()
        .map(|c| Rung {
            value: c.as_str(),
            name: i18n::category(*c, core(lang)),
            legacy: c.legacy().as_str(),
            explain: p.ladder_explain.get(c.index()).copied().unwrap_or_default(),
            access: c.has_access(),
            checked: form.category == c.as_str(),
        })
        .collect();
    let answers = form.answers();
    let checks = ChecklistItem::ALL
        .iter()
        .zip(p.checks)
        .zip(answers)
        .map(|((item, label), answer)| Check {
            name: item.as_str(),
            label,
            value: match answer {
                "ya" => "ya",
                "tidak" => "tidak",
                _ => "",
            },
        })
        .collect();
    let back = local_path(form.back.as_deref()).unwrap_or_else(|| format!("/desa/{}", household.village));
    let action = match local_path(form.back.as_deref()) {
        Some(back) => format!("/rumah/{}/kunjungan?back={back}", household.id),
        None => format!("/rumah/{}/kunjungan", household.id),
    };
    let (layout, frame) = frame(state, heading.clone(), "villages").await;
    html(odf_web::phone::visit_form(&VisitFormView {
        layout,
        frame,
        heading,
        action,
        rungs,
        checks,
        lat: form.lat.clone(),
        lng: form.lng.clone(),
        photo_sha256: form.photo_sha256.clone(),
        warnings,
        error,
        back,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Back {
    back: Option<String>,
}

pub(crate) async fn visit_page(
    state: State,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<Back>,
) -> Response {
    match household_of(&state, &id).await {
        Ok(household) => {
            let form = VisitForm { back: query.back, ..VisitForm::default() };
            visit_form(&state, &household, &form, vec![], None).await
        }
        Err(err) => failure(&state, &err).await,
    }
}

/// `odf-field visit`.
pub(crate) async fn visit(
    state: State,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<Back>,
    multipart: Multipart,
) -> Response {
    let lang = state.lang();
    let household = match household_of(&state, &id).await {
        Ok(h) => h,
        Err(err) => return failure(&state, &err).await,
    };
    let (mut form, photo) = match VisitForm::read(multipart).await {
        Ok(read) => read,
        Err(err) => return failure(&state, &crate::render::invalid("photo", &err)).await,
    };
    // The photo is kept on the phone first (the core checks and names it); the visit names it and
    // `sync` uploads it once the server holds the visit.
    if let Some(bytes) = photo {
        match state.client.keep_photo(&bytes).await {
            Ok(sha256) => form.photo_sha256 = sha256,
            Err(err) => {
                return visit_form(&state, &household, &form, vec![], Some(error_text(&err, lang))).await;
            }
        }
    }
    form.back = form.back.or(query.back);
    let draft = VisitDraft {
        household_id: household.id,
        category: form.category.clone(),
        checklist: form.checklist(),
        gps: gps_point(&form.lat, &form.lng),
        photo_sha256: Some(form.photo_sha256.clone()).filter(|h| !h.is_empty()),
        visited_at: None,
    };
    match state.client.record_visit(draft, form.confirm.is_some()).await {
        Ok(Saved::Saved { .. }) => match local_path(form.back.as_deref()) {
            Some(back) => Redirect::to(&back).into_response(),
            None => {
                let saved = labels(&state).saved.to_owned();
                village_page(&state, &household.village.to_string(), Some(saved), None).await
            }
        },
        Ok(Saved::NeedsConfirmation { warnings }) => {
            let warnings = warnings.into_iter().map(|w| gps_warning(w, lang)).collect();
            visit_form(&state, &household, &form, warnings, None).await
        }
        Err(err) => visit_form(&state, &household, &form, vec![], Some(error_text(&err, lang))).await,
    }
}
