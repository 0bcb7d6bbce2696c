//! The admin pages of the staff desk (issue 16: accounts, places, edit conflicts): view models
//! and their templates (`templates/admin_*.html`). The server fills them with what the API's store
//! methods and rules answered; this module only prints. Every form posts with the session's CSRF
//! token and works without JavaScript.

mod labels;

use askama::Template;

pub use labels::{AdminLabels, admin_labels};

use crate::view::Layout;

/// The admin pages' tabs; `current` is the one shown.
#[derive(Debug, Clone)]
pub struct AdminNav {
    pub current: &'static str,
}

impl AdminNav {
    /// `(href, label, is current)` of each tab.
    pub fn tabs(&self, a: &AdminLabels) -> Vec<(&'static str, &'static str, bool)> {
        [
            ("/admin/pengguna", a.users),
            ("/admin/perangkat", a.devices),
            ("/admin/wilayah", a.places),
            ("/admin/konflik", a.conflicts),
        ]
        .into_iter()
        .map(|(href, label)| (href, label, href == self.current))
        .collect()
    }
}

/// One account, as listed.
#[derive(Debug, Clone)]
pub struct UserLine {
    pub username: String,
    pub name: String,
    pub role: &'static str,
    pub area: String,
    pub villages: String,
    pub disabled: bool,
    /// Whether this admin may act on the account (not an admin, inside the admin's area).
    pub manageable: bool,
}

#[derive(Debug)]
pub struct UsersView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub csrf: String,
    pub users: Vec<UserLine>,
    /// What the last action did, when the page follows one.
    pub notice: Option<String>,
}

/// A place to go to, or to tick.
#[derive(Debug, Clone)]
pub struct PlaceLine {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

/// A kecamatan and its villages, as a group of checkboxes.
#[derive(Debug, Clone)]
pub struct VillageGroup {
    pub code: String,
    pub name: String,
    pub villages: Vec<PlaceLine>,
}

#[derive(Debug)]
pub struct NewUserView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub csrf: String,
    /// The area the new user will work in (`nasional` or a code) and its name.
    pub area: String,
    pub area_name: String,
    /// The area one level up, when the admin may pick it.
    pub up: Option<PlaceLine>,
    /// Areas below to pick instead (not villages).
    pub children: Vec<PlaceLine>,
    /// Villages to assign, by kecamatan (when the area is a kabupaten or below).
    pub groups: Vec<VillageGroup>,
    /// `(value, label)` of each role the admin may give.
    pub roles: Vec<(&'static str, &'static str)>,
    pub role: String,
    pub username: String,
    pub display_name: String,
    pub error: Option<String>,
}

/// A secret shown once: a new user's password, a reset password or a dashboard token.
#[derive(Debug)]
pub struct SecretView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub heading: &'static str,
    pub username: String,
    pub label: &'static str,
    pub secret: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DeviceLine {
    pub device_id: String,
    pub username: String,
    pub app_version: String,
    pub last_sync: String,
    pub pending: String,
    pub oldest_pending: String,
    pub has_pending: bool,
}

#[derive(Debug)]
pub struct DevicesView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub devices: Vec<DeviceLine>,
}

/// What an import would do (a preview) or did (a report).
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// `areas` or `boundaries`.
    pub kind: &'static str,
    pub title: &'static str,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// `(code, name)` of the first places added.
    pub added_lines: Vec<(String, String)>,
    /// `(code, old name, new name)` of the first places renamed.
    pub renamed_lines: Vec<(String, String, String)>,
    pub unknown: Vec<String>,
    pub errors: Vec<String>,
    pub error_count: usize,
    pub unknown_count: usize,
    /// The label of `changed`: renamed places or replaced boundaries.
    pub changed_label: &'static str,
}

#[derive(Debug)]
pub struct PlacesView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub csrf: String,
    /// A preview waiting for confirmation, with the id of the upload kept on the server.
    pub preview: Option<(ImportSummary, String)>,
    /// The report of an import just done.
    pub report: Option<ImportSummary>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConflictLine {
    pub id: String,
    pub village: String,
    pub village_name: String,
    pub household: String,
    pub fields: String,
    pub kept: String,
    pub other: String,
    pub when: String,
}

#[derive(Debug)]
pub struct ConflictsView {
    pub layout: Layout,
    pub a: &'static AdminLabels,
    pub nav: AdminNav,
    pub csrf: String,
    pub conflicts: Vec<ConflictLine>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    v: &'a UsersView,
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage<'a> {
    v: &'a NewUserView,
}

#[derive(Template)]
#[template(path = "admin_secret.html")]
struct SecretPage<'a> {
    v: &'a SecretView,
}

#[derive(Template)]
#[template(path = "admin_devices.html")]
struct DevicesPage<'a> {
    v: &'a DevicesView,
}

#[derive(Template)]
#[template(path = "admin_places.html")]
struct PlacesPage<'a> {
    v: &'a PlacesView,
}

#[derive(Template)]
#[template(path = "admin_conflicts.html")]
struct ConflictsPage<'a> {
    v: &'a ConflictsView,
}

pub fn users(view: &UsersView) -> Result<String, askama::Error> {
    UsersPage { v: view }.render()
}

pub fn new_user(view: &NewUserView) -> Result<String, askama::Error> {
    NewUserPage { v: view }.render()
}

pub fn secret(view: &SecretView) -> Result<String, askama::Error> {
    SecretPage { v: view }.render()
}

pub fn devices(view: &DevicesView) -> Result<String, askama::Error> {
    DevicesPage { v: view }.render()
}

pub fn places(view: &PlacesView) -> Result<String, askama::Error> {
    PlacesPage { v: view }.render()
}

pub fn conflicts(view: &ConflictsView) -> Result<String, askama::Error> {
    ConflictsPage { v: view }.render()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn every_row_action_is_a_form_with_the_csrf_token_in_both_languages() {
        for lang in [Lang::Id, Lang::En] {
            let a = admin_labels(lang);
            let line = |username: &str, manageable| UserLine {
                username: username.to_owned(),
                name: "Wa Ode".to_owned(),
                role: a.role_sanitarian,
                area: "Contoh Satu (74.04.81)".to_owned(),
                villages: String::new(),
                disabled: false,
                manageable,
            };
            let view = UsersView {
                layout: Layout::new(lang, a.users.to_owned(), "/admin/pengguna".to_owned(), None),
                a,
                nav: AdminNav { current: "/admin/pengguna" },
                csrf: "c5rf".to_owned(),
                users: vec![line("wa_ode", true), line("dinkes", false)],
                notice: None,
            };
            let html = users(&view).unwrap();
            for action in ["nonaktif", "sandi", "token"] {
                assert!(html.contains(&format!("action=\"/admin/pengguna/wa_ode/{action}\"")), "{action}");
                assert!(!html.contains(&format!("/admin/pengguna/dinkes/{action}")), "not for {action}");
            }
            assert_eq!(html.matches("name=\"csrf\" value=\"c5rf\"").count(), 3, "every form has the token");
            assert!(html.contains(a.not_managed) && html.contains("aria-current=\"page\">"));
        }
        assert_ne!(admin_labels(Lang::Id).reset_password, admin_labels(Lang::En).reset_password);
    }
}
