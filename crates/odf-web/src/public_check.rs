//! The public certificate check as a page: the QR code on a printed certificate is usually scanned
//! with a phone camera, which opens a browser. Same layout, CSS and escaping as the dashboard.

use crate::Lang;
use crate::view::Layout;

/// What the check found, in the words of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Valid,
    Revoked,
    NotGenuine,
}

impl CheckOutcome {
    /// The API's `status` word, also the page's CSS hook.
    pub fn parse(status: &str) -> CheckOutcome {
        match status {
            "valid" => CheckOutcome::Valid,
            "revoked" => CheckOutcome::Revoked,
            _ => CheckOutcome::NotGenuine,
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            CheckOutcome::Valid => "check-valid",
            CheckOutcome::Revoked => "check-revoked",
            CheckOutcome::NotGenuine => "check-not-genuine",
        }
    }
}

/// The facts of one check, as the JSON answer gives them.
#[derive(Debug, Clone, Default)]
pub struct CheckFacts {
    pub number: Option<String>,
    pub village_name: Option<String>,
    pub village_code: Option<String>,
    pub kecamatan_name: Option<String>,
    pub kabupaten_name: Option<String>,
    pub issued_on: Option<String>,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    pub problems: Vec<String>,
    pub public_key: String,
    pub checked_at: String,
}

#[derive(Debug)]
pub struct PublicCheckView {
    pub layout: Layout,
    pub outcome: CheckOutcome,
    pub message: String,
    /// Label and value, only the facts that are known.
    pub rows: Vec<(&'static str, String)>,
}

pub fn public_check_view(
    lang: Lang,
    lang_href: String,
    outcome: CheckOutcome,
    message: String,
    facts: CheckFacts,
) -> PublicCheckView {
    let en = lang == Lang::En;
    let word = |id: &'static str, english: &'static str| if en { english } else { id };
    let problems = (!facts.problems.is_empty()).then(|| facts.problems.join(", "));
    let rows = [
        (word("Nomor piagam", "Certificate number"), facts.number),
        (word("Desa/kelurahan", "Village"), facts.village_name),
        (word("Kode wilayah", "Area code"), facts.village_code),
        (word("Kecamatan", "District (kecamatan)"), facts.kecamatan_name),
        (word("Kabupaten/kota", "Regency/city"), facts.kabupaten_name),
        (word("Tanggal terbit", "Issued on"), facts.issued_on),
        (word("Dicabut pada", "Revoked on"), facts.revoked_on),
        (word("Alasan pencabutan", "Reason for revocation"), facts.revoke_reason),
        (word("Masalah", "Problems"), problems),
        (word("Kunci publik server", "Server public key"), Some(facts.public_key)),
        (word("Diperiksa pada", "Checked at"), Some(facts.checked_at)),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| (label, v)))
    .collect();
    let title = word("Pemeriksaan piagam ODF", "ODF certificate check").to_owned();
    let mut layout = Layout::new(lang, title, lang_href, None);
    // Whoever scans a certificate has nothing to sign in to.
    layout.offer_sign_in = false;
    PublicCheckView { layout, outcome, message, rows }
}
