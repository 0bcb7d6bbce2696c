//! The askama templates (compile-time checked, HTML-escaped) and their render functions.

use askama::Template;

use crate::desk::DeskView;
use crate::desk_verify::{DeskVerificationView, DeskVillageView, MinutesView};
use crate::public_check::PublicCheckView;
use crate::view::{AreaView, ErrorView, LoginView, VillageView};

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage<'a> {
    v: &'a AreaView,
}

#[derive(Template)]
#[template(path = "village.html")]
struct VillagePage<'a> {
    v: &'a VillageView,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    v: &'a LoginView,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage<'a> {
    v: &'a DeskView,
}

#[derive(Template)]
#[template(path = "public_check.html")]
struct PublicCheckPage<'a> {
    v: &'a PublicCheckView,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    v: &'a ErrorView,
}

pub fn area(view: &AreaView) -> Result<String, askama::Error> {
    AreaPage { v: view }.render()
}

pub fn village(view: &VillageView) -> Result<String, askama::Error> {
    VillagePage { v: view }.render()
}

pub fn login(view: &LoginView) -> Result<String, askama::Error> {
    LoginPage { v: view }.render()
}

pub fn error(view: &ErrorView) -> Result<String, askama::Error> {
    ErrorPage { v: view }.render()
}

pub fn desk(view: &DeskView) -> Result<String, askama::Error> {
    DeskPage { v: view }.render()
}

pub fn public_check(view: &PublicCheckView) -> Result<String, askama::Error> {
    PublicCheckPage { v: view }.render()
}
#[derive(Template)]
#[template(path = "desk_village.html")]
struct DeskVillagePage<'a> {
    v: &'a DeskVillageView,
}

#[derive(Template)]
#[template(path = "desk_verification.html")]
struct DeskVerificationPage<'a> {
    v: &'a DeskVerificationView,
}

#[derive(Template)]
#[template(path = "desk_minutes.html")]
struct MinutesPage<'a> {
    v: &'a MinutesView,
}

/// A village's page at the verification desk.
pub fn desk_village(view: &DeskVillageView) -> Result<String, askama::Error> {
    DeskVillagePage { v: view }.render()
}

/// A verification's page at the verification desk.
pub fn desk_verification(view: &DeskVerificationView) -> Result<String, askama::Error> {
    DeskVerificationPage { v: view }.render()
}

/// The printable Berita Acara.
pub fn minutes(view: &MinutesView) -> Result<String, askama::Error> {
    MinutesPage { v: view }.render()
}
