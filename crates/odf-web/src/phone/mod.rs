//! The phone screens of `odf-field ui` (issue 19): view models as ready-printed text and their
//! askama templates (`templates/phone_*.html`, on the dashboard's `base.html`), plus the phone's
//! own small stylesheet and script, embedded and served under hashed names like the dashboard's.
//! Pure like the rest of this crate: the `odf-field-ui` crate fills the views from the client core.

mod labels;

use std::sync::LazyLock;

use askama::Template;

pub use self::labels::PhoneLabels;
use crate::assets::{Asset, hashed_href, hashed_name};
use crate::view::Layout;

const CSS_BODY: &str = include_str!("../../assets/phone.css");
const JS_BODY: &str = include_str!("../../assets/phone.js");
static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed_name("phone", "css", CSS_BODY));
static CSS_HREF: LazyLock<String> = LazyLock::new(|| hashed_href(&CSS_NAME));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed_name("phone", "js", JS_BODY));
static JS_HREF: LazyLock<String> = LazyLock::new(|| hashed_href(&JS_NAME));

pub static PHONE_CSS: Asset = Asset::new("text/css; charset=utf-8", CSS_BODY, &CSS_NAME, &CSS_HREF);
pub static PHONE_JS: Asset = Asset::new("text/javascript; charset=utf-8", JS_BODY, &JS_NAME, &JS_HREF);

/// The dashboard's assets and the phone's, by hashed name.
pub fn asset(name: &str) -> Option<&'static Asset> {
    crate::assets::by_name(name).or_else(|| [&PHONE_CSS, &PHONE_JS].into_iter().find(|a| a.name() == name))
}

/// What every phone screen has besides the dashboard's layout: its words, its assets and the tabs.
#[derive(Debug, Clone)]
pub struct Frame {
    pub p: &'static PhoneLabels,
    pub css_href: &'static str,
    pub js_href: &'static str,
    /// `villages`, `sync` or `verify`: the tab shown as current.
    pub tab: &'static str,
    /// Records waiting to be sent (shown on the sync tab).
    pub waiting: u32,
    pub verifier: bool,
    pub user: Option<String>,
}

impl Frame {
    pub fn new(lang: crate::Lang, tab: &'static str) -> Frame {
        Frame {
            p: PhoneLabels::of(lang),
            css_href: PHONE_CSS.href(),
            js_href: PHONE_JS.href(),
            tab,
            waiting: 0,
            verifier: false,
            user: None,
        }
    }
}

/// A record's state between the phone and the server, in the core's words.
#[derive(Debug, Clone)]
pub struct SyncBadge {
    /// `not_sent`, `sent_not_confirmed`, `stored`, `rejected` or `conflict` (`data-sync`).
    pub code: &'static str,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct LoginView {
    pub layout: Layout,
    pub frame: Frame,
    pub error: Option<String>,
    pub server: String,
    pub username: String,
}

/// % KK akses with its parts and its date.
#[derive(Debug, Clone)]
pub struct Figure {
    pub percent: String,
    pub numerator: i64,
    pub denominator: i64,
    pub numerator_text: String,
    pub denominator_text: String,
    pub as_of: String,
}

#[derive(Debug, Clone)]
pub struct VillageRow {
    pub code: String,
    pub name: String,
    pub status: String,
    pub figure: Figure,
    pub missing: Vec<String>,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct VillagesView {
    pub layout: Layout,
    pub frame: Frame,
    pub villages: Vec<VillageRow>,
}

#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub id: String,
    pub short: String,
    pub head: String,
    pub kk: i64,
    pub place: String,
    pub latest: Option<String>,
    pub latest_sync: Option<SyncBadge>,
    /// `never_visited`, `babs` or `ok`.
    pub need_code: &'static str,
    pub need: String,
    pub sync: SyncBadge,
    pub visit_href: String,
    pub edit_href: String,
}

#[derive(Debug, Clone)]
pub struct ActionRow {
    pub kind: String,
    pub sync: SyncBadge,
}

#[derive(Debug, Clone)]
pub struct VillageDetailView {
    pub layout: Layout,
    pub frame: Frame,
    pub code: String,
    pub name: String,
    pub status: String,
    pub figure: Figure,
    pub missing: Vec<String>,
    pub eligible: bool,
    pub eligibility: String,
    pub households: Vec<HouseholdRow>,
    pub actions: Vec<ActionRow>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub today: String,
}

#[derive(Debug, Clone)]
pub struct HouseholdFormView {
    pub layout: Layout,
    pub frame: Frame,
    pub heading: String,
    pub action: String,
    pub head: String,
    pub kk: String,
    pub dusun: String,
    pub rw: String,
    pub rt: String,
    pub lat: String,
    pub lng: String,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub back: String,
}

#[derive(Debug, Clone)]
pub struct Rung {
    pub value: &'static str,
    pub name: &'static str,
    pub legacy: &'static str,
    pub explain: &'static str,
    pub access: bool,
    pub checked: bool,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub label: &'static str,
    /// `ya`, `tidak` or empty (not asked).
    pub value: &'static str,
}

#[derive(Debug, Clone)]
pub struct VisitFormView {
    pub layout: Layout,
    pub frame: Frame,
    pub heading: String,
    pub action: String,
    pub rungs: Vec<Rung>,
    pub checks: Vec<Check>,
    pub lat: String,
    pub lng: String,
    /// A photo already kept on the phone for this visit (carried through a GPS confirmation).
    pub photo_sha256: String,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub back: String,
}

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: String,
    pub short: String,
    pub kind: String,
    pub sync: SyncBadge,
    pub fix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SyncView {
    pub layout: Layout,
    pub frame: Frame,
    /// `idle`, `running`, `done` or `failed` (`data-sync-run`).
    pub run: &'static str,
    pub progress_value: u64,
    pub progress_max: u64,
    pub progress_text: String,
    pub outcome: Option<String>,
    pub not_sent: u32,
    pub sent_not_confirmed: u32,
    pub records: Vec<RecordRow>,
    pub last_sync: String,
    pub clock_warning: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SampleRow {
    pub household_id: String,
    pub head: String,
    pub visited: bool,
    pub visited_text: String,
    pub visit_href: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VerificationRow {
    pub id: String,
    pub village: String,
    pub state: String,
    pub visited: String,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub number: String,
    pub village: String,
    pub status: String,
    pub signature: String,
    /// `valid`, `invalid` or `unreadable` (`data-signature`).
    pub signature_code: &'static str,
}

#[derive(Debug, Clone)]
pub struct VerificationsView {
    pub layout: Layout,
    pub frame: Frame,
    pub verifications: Vec<VerificationRow>,
    pub certificates: Vec<CertificateRow>,
}

#[derive(Debug, Clone)]
pub struct VerificationDetailView {
    pub layout: Layout,
    pub frame: Frame,
    pub id: String,
    pub village: String,
    pub state: String,
    pub samples: Vec<SampleRow>,
    pub waiting_for_sample: bool,
    pub community: Option<String>,
    pub criteria: Vec<Check>,
    pub suggestion: Option<String>,
    pub suggestion_code: &'static str,
    pub reasons: Vec<String>,
    pub decision: Option<String>,
    pub actions: Vec<ActionRow>,
    pub message: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MessageView {
    pub layout: Layout,
    pub frame: Frame,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

macro_rules! page {
    ($page:ident, $view:ty, $path:literal, $render:ident) => {
        #[derive(Template)]
        #[template(path = $path)]
        struct $page<'a> {
            v: &'a $view,
        }

        pub fn $render(view: &$view) -> Result<String, askama::Error> {
            $page { v: view }.render()
        }
    };
}

page!(LoginPage, LoginView, "phone_login.html", login);
page!(VillagesPage, VillagesView, "phone_villages.html", villages);
page!(VillagePage, VillageDetailView, "phone_village.html", village);
page!(HouseholdPage, HouseholdFormView, "phone_household.html", household_form);
page!(VisitPage, VisitFormView, "phone_visit.html", visit_form);
page!(SyncPage, SyncView, "phone_sync.html", sync);
page!(VerificationsPage, VerificationsView, "phone_verifications.html", verifications);
page!(VerificationPage, VerificationDetailView, "phone_verification.html", verification);
page!(MessagePage, MessageView, "phone_message.html", message);
