//! Accounts: the users of the admin's area, adding sanitarians, verifiers and viewers with villages
//! picked from the places tree, disabling and enabling, password resets and dashboard tokens (each
//! secret shown once), and the devices of the area. Every change is a [`commands`] function, the
//! CLI's: same checks, same messages, same audit entries.

use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use odf_domain::{AreaCode, AreaRef, Level, Role, Wilayah};
use odf_store::UserRecord;
use odf_web::Lang;
use odf_web::admin::{
    AdminLabels, DeviceLine, DevicesView, NewUserView, PlaceLine, SecretView, UserLine, UsersView,
    VillageGroup,
};
use odf_web::format::number_text;
use odf_web::view::moment_text;
use serde::Deserialize;

use super::{Admin, as_admin, no_store, page_lang};
use crate::app::AppState;
use crate::commands::{self, UserSpec};
use crate::web::{Reader, WebError, html};

/// The roles an admin gives from the page (admins are made with the CLI).
const ROLES: [Role; 3] = [Role::Sanitarian, Role::Verifier, Role::Viewer];

fn role_label(a: &AdminLabels, role: Role) -> &'static str {
    match role {
        Role::Sanitarian => a.role_sanitarian,
        Role::Verifier => a.role_verifier,
        Role::Viewer => a.role_viewer,
        Role::Admin => a.role_admin,
    }
}

/// Whether `user` is in the admin's area, and whether the admin may act on them: anyone of the
/// area but admins (managed from above, or with the CLI).
fn in_area(admin: &Admin<'_>, user: &UserRecord) -> (bool, bool) {
    let inside = admin.area().contains(user.area);
    (inside, inside && user.role != Role::Admin)
}

fn name_of(wilayah: &Wilayah, area: AreaRef, lang: Lang) -> String {
    match area {
        AreaRef::Nasional => lang.labels().nasional.to_owned(),
        AreaRef::Code(code) => wilayah.name(code).unwrap_or_default().to_owned(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    /// The user the last action was about.
    ok: Option<String>,
    lang: Option<String>,
}

/// `GET /admin/pengguna`: the accounts of the admin's area.
pub(crate) async fn list(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = page_lang(query.lang.as_deref(), &headers);
    as_admin(&reader, lang, async |admin| {
        let wilayah = state.places().get(state.store()).await.map_err(|e| admin.fail(e))?;
        let users = state.store().list_users().await.map_err(|e| admin.fail(e))?;
        let a = admin.a;
        let lines = users
            .iter()
            .filter_map(|u| {
                let (inside, manageable) = in_area(&admin, u);
                inside.then(|| UserLine {
                    username: u.username.clone(),
                    name: u.display_name.clone(),
                    role: role_label(a, u.role),
                    area: format!("{} ({})", name_of(&wilayah, u.area, lang), u.area),
                    villages: u
                        .villages
                        .iter()
                        .map(|v| format!("{} ({v})", wilayah.name(*v).unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    disabled: u.disabled,
                    manageable: manageable && u.username != admin.username(),
                })
            })
            .collect();
        let notice = query
            .ok
            .filter(|name| users.iter().any(|u| u.username == *name))
            .map(|name| format!("{} ({name})", a.done));
        let view = UsersView {
            layout: admin.layout(&reader, a.users, "/admin/pengguna"),
            a,
            nav: Admin::nav("/admin/pengguna"),
            csrf: admin.csrf(),
            users: lines,
            notice,
        };
        Ok(html(odf_web::admin::users(&view), lang))
    })
    .await
}

/// What the new-user form holds when it is shown again after a refusal.
#[derive(Debug, Default)]
struct Entered {
    username: String,
    display_name: String,
    role: String,
    villages: Vec<String>,
}

/// The new-user form for an area the admin picked, with its villages to tick.
fn new_user_page(
    admin: &Admin<'_>,
    reader: &Reader,
    wilayah: &Wilayah,
    area: AreaRef,
    entered: Entered,
    error: Option<String>,
) -> NewUserView {
    let a = admin.a;
    let line = |code: AreaCode, checked: bool| PlaceLine {
        code: code.to_string(),
        name: wilayah.name(code).unwrap_or_default().to_owned(),
        checked,
    };
    let up = match area {
        AreaRef::Nasional => None,
        AreaRef::Code(code) => {
            let parent = code.parent().map_or(AreaRef::Nasional, AreaRef::Code);
            admin.area().contains(parent).then(|| PlaceLine {
                code: parent.to_string(),
                name: name_of(wilayah, parent, admin.lang),
                checked: false,
            })
        }
    };
    let below: Vec<AreaCode> = match area {
        AreaRef::Nasional => wilayah.roots().map(|p| p.code).collect(),
        AreaRef::Code(code) => wilayah.children(code).map(|p| p.code).collect(),
    };
    let children = below.iter().filter(|c| !c.is_village()).map(|c| line(*c, false)).collect::<Vec<_>>();
    let ticked = |v: AreaCode| entered.villages.iter().any(|t| *t == v.to_string());
    let group = |kecamatan: AreaCode| VillageGroup {
        code: kecamatan.to_string(),
        name: wilayah.name(kecamatan).unwrap_or_default().to_owned(),
        villages: wilayah.children(kecamatan).map(|p| line(p.code, ticked(p.code))).collect(),
    };
    let groups = match area {
        AreaRef::Code(code) if code.level() == Level::Kecamatan => vec![group(code)],
        AreaRef::Code(code) if code.level() == Level::Kabupaten => {
            below.iter().copied().filter(|c| c.level() == Level::Kecamatan).map(group).collect()
        }
        _ => Vec::new(),
    };
    NewUserView {
        layout: admin.layout(reader, a.add_user, "/admin/pengguna/baru"),
        a,
        nav: Admin::nav("/admin/pengguna"),
        csrf: admin.csrf(),
        area: area.to_string(),
        area_name: name_of(wilayah, area, admin.lang),
        up,
        children,
        groups,
        roles: ROLES.iter().map(|r| (r.as_str(), role_label(a, *r))).collect(),
        role: if entered.role.is_empty() { Role::Sanitarian.as_str().to_owned() } else { entered.role },
        username: entered.username,
        display_name: entered.display_name,
        error,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FormQuery {
    wilayah: Option<String>,
    lang: Option<String>,
}

/// The area of a form or query, which the admin's area must hold: 400 when it is no area, the 403
/// page when it lies outside.
fn picked_area(admin: &Admin<'_>, wilayah: &Wilayah, text: Option<&str>) -> Result<AreaRef, WebError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Ok(admin.area()) };
    let area: AreaRef = text.parse().map_err(|err: odf_domain::AreaCodeError| WebError {
        status: StatusCode::BAD_REQUEST,
        message: Some(err.to_string()),
        lang: admin.lang,
    })?;
    if !admin.area().contains(area) {
        return Err(admin.out_of_scope());
    }
    match area {
        AreaRef::Code(code) if !wilayah.contains(code) => {
            Err(WebError::new(StatusCode::NOT_FOUND, admin.lang))
        }
        _ => Ok(area),
    }
}

/// `GET /admin/pengguna/baru?wilayah=…`: the form, for the area picked (the admin's own at first).
pub(crate) async fn form(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<FormQuery>,
) -> Response {
    let lang = page_lang(query.lang.as_deref(), &headers);
    as_admin(&reader, lang, async |admin| {
        let wilayah = state.places().get(state.store()).await.map_err(|e| admin.fail(e))?;
        let area = picked_area(&admin, &wilayah, query.wilayah.as_deref())?;
        let view = new_user_page(&admin, &reader, &wilayah, area, Entered::default(), None);
        Ok(html(odf_web::admin::new_user(&view), lang))
    })
    .await
}

/// `POST /admin/pengguna`: creates the user with `commands::add_user` (the CLI's `user add`) and
/// shows the generated password once. The form is read by hand: its `villages` repeat.
pub(crate) async fn create(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = page_lang(None, &headers);
    as_admin(&reader, lang, async |admin| {
        let mut csrf = String::new();
        let mut area_text = String::new();
        let mut entered = Entered::default();
        for (key, value) in form_urlencoded::parse(&body) {
            match key.as_ref() {
                "csrf" => csrf = value.into_owned(),
                "area" => area_text = value.into_owned(),
                "username" => entered.username = value.into_owned(),
                "display_name" => entered.display_name = value.into_owned(),
                "role" => entered.role = value.into_owned(),
                "villages" => entered.villages.push(value.into_owned()),
                _ => {}
            }
        }
        admin.check_form(&state, &headers, &csrf)?;
        let wilayah = state.places().get(state.store()).await.map_err(|e| admin.fail(e))?;
        let area = picked_area(&admin, &wilayah, Some(&area_text))?;
        let refuse = |entered: Entered, status: StatusCode, message: String| {
            let view = new_user_page(&admin, &reader, &wilayah, area, entered, Some(message));
            let mut response = html(odf_web::admin::new_user(&view), lang);
            *response.status_mut() = status;
            response
        };
        let Some(role) = Role::parse(&entered.role).filter(|r| ROLES.contains(r)) else {
            let message = format!("peran {:?} tidak dikenal (unknown role)", entered.role);
            return Ok(refuse(entered, StatusCode::BAD_REQUEST, message));
        };
        let mut villages = Vec::with_capacity(entered.villages.len());
        for text in &entered.villages {
            match AreaCode::parse(text) {
                Ok(code) => villages.push(code),
                Err(err) => return Ok(refuse(entered, StatusCode::BAD_REQUEST, err.to_string())),
            }
        }
        let password =
            crate::auth::random_password().map_err(|e| admin.fail(crate::error::ApiError::internal(e)))?;
        let display_name = Some(entered.display_name.trim().to_owned()).filter(|n| !n.is_empty());
        let spec = UserSpec {
            username: entered.username.clone(),
            display_name,
            role,
            area,
            villages,
            password: password.clone(),
        };
        // Hashing the new password holds as much memory as a sign-in's check: it takes a turn
        // among the same `login.max_concurrent` permits.
        let permit = state
            .password_checks()
            .acquire_owned()
            .await
            .map_err(|e| admin.fail(crate::error::ApiError::internal(e)))?;
        let added = commands::add_user(state.store(), spec, admin.username()).await;
        drop(permit);
        let user = match added {
            Ok(user) => user,
            Err(err) => {
                let failed = admin.refused(err);
                let message = failed.message.clone().unwrap_or_default();
                if failed.status.is_client_error() && failed.status != StatusCode::FORBIDDEN {
                    return Ok(refuse(entered, failed.status, message));
                }
                return Err(failed);
            }
        };
        Ok(secret_page(
            &admin,
            &reader,
            admin.a.created_user,
            user.username,
            admin.a.password_once,
            password,
            None,
        ))
    })
    .await
}

fn secret_page(
    admin: &Admin<'_>,
    reader: &Reader,
    heading: &'static str,
    username: String,
    label: &'static str,
    secret: String,
    valid_until: Option<String>,
) -> Response {
    let view = SecretView {
        layout: admin.layout(reader, heading, "/admin/pengguna"),
        a: admin.a,
        nav: Admin::nav("/admin/pengguna"),
        heading,
        username,
        label,
        secret,
        valid_until,
    };
    no_store(html(odf_web::admin::secret(&view), admin.lang))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    days: Option<String>,
}

/// `POST /admin/pengguna/{username}/{nonaktif|aktif|sandi|token}`: disable, enable, reset the
/// password, or create a dashboard token, each with the CLI's command.
pub(crate) async fn act(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path((username, action)): Path<(String, String)>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let lang = page_lang(None, &headers);
    as_admin(&reader, lang, async |admin| {
        let Ok(Form(form)) = form else {
            return Err(WebError::new(StatusCode::BAD_REQUEST, lang));
        };
        admin.check_form(&state, &headers, &form.csrf)?;
        let store = state.store();
        let user = store
            .user_by_username(&username)
            .await
            .map_err(|e| admin.fail(e))?
            .ok_or_else(|| WebError::new(StatusCode::NOT_FOUND, lang))?;
        let (_, manageable) = in_area(&admin, &user);
        if !manageable || user.username == admin.username() {
            return Err(admin.out_of_scope());
        }
        let actor = admin.username();
        let back = || Redirect::to(&format!("/admin/pengguna?ok={}", user.username)).into_response();
        match action.as_str() {
            "nonaktif" | "aktif" => {
                commands::set_disabled(store, &user.username, action == "nonaktif", actor)
                    .await
                    .map_err(|e| admin.refused(e))?;
                Ok(back())
            }
            "sandi" => {
                // A new password's hash takes a turn among the sign-ins' permits (see `create`).
                let permit = state
                    .password_checks()
                    .acquire_owned()
                    .await
                    .map_err(|e| admin.fail(crate::error::ApiError::internal(e)))?;
                let reset = commands::reset_password(store, &user.username, actor).await;
                drop(permit);
                let password = reset.map_err(|e| admin.refused(e))?;
                let a = admin.a;
                Ok(secret_page(
                    &admin,
                    &reader,
                    a.new_password,
                    user.username,
                    a.password_once,
                    password,
                    None,
                ))
            }
            "token" => {
                // The command checks the range; text that is no number gets its message too.
                let days = form.days.as_deref().unwrap_or("365").trim().parse::<i64>().unwrap_or(0);
                let (token, expires) = commands::create_viewer_token(store, &user.username, days, actor)
                    .await
                    .map_err(|e| admin.refused(e))?;
                let until = user.area.code().map_or(7, AreaCode::utc_offset_hours);
                let a = admin.a;
                let until = moment_text(expires, until, lang);
                Ok(secret_page(&admin, &reader, a.new_token, user.username, a.token_once, token, Some(until)))
            }
            _ => Err(WebError::new(StatusCode::NOT_FOUND, lang)),
        }
    })
    .await
}

/// `GET /admin/perangkat`: the phones of the admin's area's users, with their last sync and the
/// records they said were still waiting to be sent.
pub(crate) async fn devices(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = page_lang(query.lang.as_deref(), &headers);
    as_admin(&reader, lang, async |admin| {
        let users = state.store().list_users().await.map_err(|e| admin.fail(e))?;
        let mut devices = state.store().devices().await.map_err(|e| admin.fail(e))?;
        // Longest silent first: those are the phones to call.
        devices.sort_by_key(|d| d.last_sync_at);
        let a = admin.a;
        let lines = devices
            .into_iter()
            .filter_map(|d| {
                let user = users.iter().find(|u| u.username == d.username)?;
                admin.area().contains(user.area).then_some(())?;
                let offset = user.area.code().map_or(7, AreaCode::utc_offset_hours);
                Some(DeviceLine {
                    has_pending: d.pending_count > 0,
                    pending: number_text(d.pending_count, lang),
                    oldest_pending: d
                        .oldest_pending_at
                        .map_or_else(|| "–".to_owned(), |at| moment_text(at, offset, lang)),
                    last_sync: moment_text(d.last_sync_at, offset, lang),
                    device_id: d.device_id,
                    username: d.username,
                    app_version: d.app_version,
                })
            })
            .collect();
        let view = DevicesView {
            layout: admin.layout(&reader, a.devices, "/admin/perangkat"),
            a,
            nav: Admin::nav("/admin/perangkat"),
            devices: lines,
        };
        Ok(html(odf_web::admin::devices(&view), lang))
    })
    .await
}
