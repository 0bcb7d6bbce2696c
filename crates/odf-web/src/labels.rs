//! The words of the dashboard, in Bahasa Indonesia (the default) and English. One struct, so a
//! template cannot name a label one language lacks.

/// The page language: `id` unless the reader chose `en`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// Indonesian writes `45,2`; English `45.2`.
    pub fn decimal_comma(self) -> bool {
        self == Lang::Id
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    /// A status in this language (the domain keeps both words).
    pub fn status(self, status: odf_domain::VillageStatus) -> &'static str {
        pick(self, status.words())
    }

    /// A status change's event in this language.
    pub fn event(self, event: odf_domain::EventKind) -> &'static str {
        pick(self, event.words())
    }

    /// A rung of the sanitation ladder: the domain's Indonesian label, or an English one.
    pub fn category(self, category: odf_domain::Category) -> &'static str {
        use odf_domain::Category as C;
        match self {
            Lang::Id => category.label(),
            Lang::En => match category {
                C::Aman => "Safely managed",
                C::LayakSendiri => "Basic, own toilet",
                C::LayakBersama => "Basic, shared toilet",
                C::BelumLayak => "Limited",
                C::BabsTertutup => "Open defecation, covered",
                C::BabsTerbuka => "Open defecation",
            },
        }
    }
}

fn pick(lang: Lang, words: (&'static str, &'static str)) -> &'static str {
    match lang {
        Lang::Id => words.0,
        Lang::En => words.1,
    }
}

/// Every label the pages print.
#[derive(Debug)]
pub struct Labels {
    pub site: &'static str,
    pub skip: &'static str,
    pub breadcrumbs: &'static str,
    pub lang_switch: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub public_note: &'static str,
    pub headline: &'static str,
    pub kk_akses: &'static str,
    pub desa_sbs: &'static str,
    pub kk_unit: &'static str,
    pub desa_unit: &'static str,
    pub of: &'static str,
    pub as_of_word: &'static str,
    pub kk_akses_means: &'static str,
    pub desa_sbs_means: &'static str,
    pub kks_tier: &'static str,
    pub kks_none: &'static str,
    pub kab_sbs: &'static str,
    pub controls: &'static str,
    pub measure: &'static str,
    pub as_of: &'static str,
    pub apply: &'static str,
    pub map: &'static str,
    pub no_data: &'static str,
    pub children: &'static str,
    pub col_name: &'static str,
    pub col_dipicu: &'static str,
    pub col_diklaim: &'static str,
    pub col_sbs: &'static str,
    pub col_slipped: &'static str,
    pub col_revoked: &'static str,
    pub col_never: &'static str,
    pub col_last_sync: &'static str,
    pub col_pending: &'static str,
    pub sort_hint: &'static str,
    pub trend: &'static str,
    pub downloads: &'static str,
    pub dl_csv: &'static str,
    pub dl_geojson: &'static str,
    pub dl_stbm: &'static str,
    pub dl_dhis2: &'static str,
    pub dl_sign_in: &'static str,
    pub freshness: &'static str,
    pub last_change: &'static str,
    pub never: &'static str,
    pub status: &'static str,
    pub timeline: &'static str,
    pub no_history: &'static str,
    pub categories: &'static str,
    pub col_category: &'static str,
    pub col_share: &'static str,
    pub never_visited: &'static str,
    pub certificates: &'static str,
    pub verification: &'static str,
    pub opened: &'static str,
    pub awaiting: &'static str,
    pub lulus: &'static str,
    pub gagal: &'static str,
    pub team: &'static str,
    pub certificate: &'static str,
    pub issued: &'static str,
    pub valid: &'static str,
    pub revoked: &'static str,
    pub public_check: &'static str,
    pub pdf: &'static str,
    pub no_certificates: &'static str,
    pub without_access: &'static str,
    pub without_access_note: &'static str,
    pub col_head: &'static str,
    pub col_place: &'static str,
    pub col_last_visit: &'static str,
    pub all_have_access: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_locked: &'static str,
    pub login_disabled: &'static str,
    pub forbidden: &'static str,
    pub forbidden_text: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub bad_request: &'static str,
    pub session_expired: &'static str,
    pub server_error: &'static str,
    pub back_home: &'static str,
    pub nasional: &'static str,
    pub provinsi: &'static str,
    pub kabupaten: &'static str,
    pub kecamatan: &'static str,
    pub desa: &'static str,
}

pub static ID: Labels = Labels {
    site: "Stop BABS — Cakupan",
    skip: "Lewati ke isi",
    breadcrumbs: "Lokasi wilayah",
    lang_switch: "English",
    sign_in: "Masuk",
    sign_out: "Keluar",
    signed_in_as: "Masuk sebagai",
    public_note: "Data agregat yang dipublikasikan; tanpa nama.",
    headline: "Angka utama",
    kk_akses: "% KK akses",
    desa_sbs: "% desa SBS",
    kk_unit: "KK",
    desa_unit: "desa",
    of: "dari",
    as_of_word: "per",
    kk_akses_means: "KK dengan akses jamban",
    desa_sbs_means: "desa tersertifikasi SBS",
    kks_tier: "Tingkat KKS",
    kks_none: "belum mencapai tingkat KKS",
    kab_sbs: "Kabupaten/kota SBS",
    controls: "Tampilan",
    measure: "Ukuran",
    as_of: "Per tanggal",
    apply: "Terapkan",
    map: "Peta",
    no_data: "Tidak ada data",
    children: "Rincian wilayah",
    col_name: "Wilayah",
    col_dipicu: "Dipicu",
    col_diklaim: "Diklaim",
    col_sbs: "SBS",
    col_slipped: "Kembali BABS",
    col_revoked: "Dicabut",
    col_never: "KK belum dikunjungi",
    col_last_sync: "Sinkron terakhir",
    col_pending: "Data masih di ponsel",
    sort_hint: "Klik judul kolom untuk mengurutkan.",
    trend: "Tren bulanan menuju 100 %",
    downloads: "Unduh data",
    dl_csv: "Tabel (CSV)",
    dl_geojson: "Peta (GeoJSON)",
    dl_stbm: "Rekap STBM (CSV)",
    dl_dhis2: "DHIS2 dataValueSets (JSON)",
    dl_sign_in: "Unduhan memerlukan akun: masuk dulu.",
    freshness: "Kesegaran data",
    last_change: "Perubahan terakhir di server",
    never: "belum pernah",
    status: "Status desa",
    timeline: "Riwayat status",
    no_history: "Belum ada perubahan status.",
    categories: "KK menurut tangga sanitasi",
    col_category: "Kategori",
    col_share: "Bagian",
    never_visited: "Belum dikunjungi",
    certificates: "Berita acara verifikasi dan piagam",
    verification: "Verifikasi",
    opened: "dibuka",
    awaiting: "menunggu keputusan",
    lulus: "Lulus",
    gagal: "Gagal",
    team: "Tim",
    certificate: "Piagam",
    issued: "terbit",
    valid: "berlaku",
    revoked: "dicabut",
    public_check: "Periksa keaslian",
    pdf: "PDF",
    no_certificates: "Belum ada verifikasi atau piagam.",
    without_access: "KK yang belum punya akses",
    without_access_note: "Data pribadi: hanya untuk petugas yang wilayahnya mencakup desa ini.",
    col_head: "Kepala keluarga",
    col_place: "Dusun / RW / RT",
    col_last_visit: "Kunjungan terakhir",
    all_have_access: "Semua KK yang dikunjungi sudah punya akses.",
    login_title: "Masuk ke dasbor",
    username: "Nama pengguna",
    password: "Kata sandi",
    login_failed: "Nama pengguna atau kata sandi salah.",
    login_locked: "Terlalu banyak percobaan gagal; coba lagi nanti.",
    login_disabled: "Akun ini dinonaktifkan.",
    forbidden: "Di luar cakupan akun Anda",
    forbidden_text: "Wilayah ini tidak termasuk cakupan Anda.",
    not_found: "Tidak ditemukan",
    not_found_text: "Wilayah atau halaman ini tidak ada.",
    bad_request: "Permintaan tidak sah",
    session_expired: "Formulir kedaluwarsa atau bukan dari situs ini; muat ulang halaman lalu coba lagi.",
    server_error: "Terjadi kesalahan di server",
    back_home: "Kembali ke halaman awal",
    nasional: "Nasional",
    provinsi: "Provinsi",
    kabupaten: "Kabupaten/Kota",
    kecamatan: "Kecamatan",
    desa: "Desa/Kelurahan",
};

pub static EN: Labels = Labels {
    site: "Stop BABS — Coverage",
    skip: "Skip to content",
    breadcrumbs: "Area path",
    lang_switch: "Bahasa Indonesia",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    public_note: "Published aggregates; no names.",
    headline: "Headline figures",
    kk_akses: "% KK with access",
    desa_sbs: "% villages SBS",
    kk_unit: "KK",
    desa_unit: "villages",
    of: "of",
    as_of_word: "as of",
    kk_akses_means: "KK with access to a toilet",
    desa_sbs_means: "villages certified SBS",
    kks_tier: "KKS tier",
    kks_none: "no KKS tier reached",
    kab_sbs: "Kabupaten/kota SBS",
    controls: "View",
    measure: "Measure",
    as_of: "As of",
    apply: "Apply",
    map: "Map",
    no_data: "No data",
    children: "Breakdown by area",
    col_name: "Area",
    col_dipicu: "Triggered",
    col_diklaim: "Claimed",
    col_sbs: "SBS",
    col_slipped: "Slipped",
    col_revoked: "Revoked",
    col_never: "KK never visited",
    col_last_sync: "Last sync",
    col_pending: "Records still on phones",
    sort_hint: "Click a column title to sort.",
    trend: "Monthly trend toward 100 %",
    downloads: "Downloads",
    dl_csv: "Table (CSV)",
    dl_geojson: "Map (GeoJSON)",
    dl_stbm: "STBM recap (CSV)",
    dl_dhis2: "DHIS2 dataValueSets (JSON)",
    dl_sign_in: "Downloads need an account: sign in first.",
    freshness: "Data freshness",
    last_change: "Last change on the server",
    never: "never",
    status: "Village status",
    timeline: "Status history",
    no_history: "No status changes yet.",
    categories: "Households by sanitation ladder",
    col_category: "Category",
    col_share: "Share",
    never_visited: "Never visited",
    certificates: "Verification minutes and certificates",
    verification: "Verification",
    opened: "opened",
    awaiting: "awaiting the decision",
    lulus: "Pass",
    gagal: "Fail",
    team: "Team",
    certificate: "Certificate",
    issued: "issued",
    valid: "valid",
    revoked: "revoked",
    public_check: "Check authenticity",
    pdf: "PDF",
    no_certificates: "No verifications or certificates yet.",
    without_access: "Households without access",
    without_access_note: "Personal data: only for staff whose area covers this village.",
    col_head: "Head of family",
    col_place: "Hamlet / RW / RT",
    col_last_visit: "Last visit",
    all_have_access: "Every visited household has access.",
    login_title: "Sign in to the dashboard",
    username: "Username",
    password: "Password",
    login_failed: "Wrong username or password.",
    login_locked: "Too many failed attempts; try again later.",
    login_disabled: "This account is disabled.",
    forbidden: "Outside your account's area",
    forbidden_text: "This area is not within your scope.",
    not_found: "Not found",
    not_found_text: "This area or page does not exist.",
    bad_request: "Bad request",
    session_expired: "The form expired or did not come from this site; reload the page and try again.",
    server_error: "Server fault",
    back_home: "Back to the start page",
    nasional: "National",
    provinsi: "Province",
    kabupaten: "Regency/City",
    kecamatan: "District",
    desa: "Village",
};

impl Labels {
    /// The name of a roll-up level (`nasional` ... `desa`).
    pub fn level(&self, level: odf_rollup::RollupLevel) -> &'static str {
        use odf_rollup::RollupLevel as L;
        match level {
            L::Nasional => self.nasional,
            L::Provinsi => self.provinsi,
            L::Kabupaten => self.kabupaten,
            L::Kecamatan => self.kecamatan,
            L::Desa => self.desa,
        }
    }
}
