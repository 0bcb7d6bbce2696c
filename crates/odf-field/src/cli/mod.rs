//! The command line: clap derive types with Indonesian help, and [`parse_from`], which localises
//! what clap itself writes (headings, the help and version flags) before parsing.

pub mod field;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgAction, Args, Command, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use self::field::{ClaimArgs, EligibilityArgs, TriggerArgs, VerificationCmd, VillageFilterArgs};

/// Language of the messages the program writes while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Lang {
    // Bahasa Indonesia.
    #[default]
    Id,
    // English.
    En,
}

#[derive(Debug, Parser)]
#[command(
    name = "odf-field",
    version,
    about = "Pencatatan sanitasi rumah tangga Stop BABS di lapangan, bisa tanpa sinyal.",
    long_about = "Pencatatan sanitasi rumah tangga Stop BABS di lapangan, bisa tanpa sinyal.\n\n\
        Semua catatan (rumah tangga, kunjungan) langsung tersimpan di HP/komputer ini dan dikirim \
        ke server saat `sync` dijalankan dan ada sinyal. Tidak ada yang hilang atau tercatat dua \
        kali bila pengiriman terputus: jalankan `sync` lagi.",
    after_help = "Contoh:\n  odf-field login --server https://odf.dinkes.example --username sani\n  \
        odf-field household add --village 74.04.81.2001 --head \"La Ode Hamid\" --kk 2\n  \
        odf-field visit 1a2b3c4d --category JSP --lat -5.49 --lng 122.61\n  odf-field sync\n  \
        odf-field status\n  odf-field claim 74.04.81.2001\n  \
        odf-field verification open 74.04.81.2001 --team budi,wati,sani --plan rt:3",
    next_help_heading = "Opsi"
)]
pub struct Cli {
    /// Folder data lokal (bawaan: folder data pengguna, mis. ~/.local/share/odf-field).
    #[arg(long, global = true, env = "ODF_HOME", value_name = "FOLDER", help_heading = "Opsi umum")]
    pub home: Option<PathBuf>,

    /// Bahasa pesan saat program berjalan: id (bawaan) atau en. Teks bantuan ini selalu dalam
    /// bahasa Indonesia.
    #[arg(
        long,
        global = true,
        env = "ODF_LANG",
        value_enum,
        default_value_t = Lang::Id,
        value_name = "BAHASA",
        help_heading = "Opsi umum"
    )]
    pub lang: Lang,

    /// Keluaran JSON untuk skrip, bukan tabel.
    #[arg(long, global = true, help_heading = "Opsi umum")]
    pub json: bool,

    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Masuk ke server dan simpan sesi di HP ini (kata sandi diminta, tidak ditampilkan).
    Login(LoginArgs),
    /// Siapkan folder data untuk pengguna tanpa menghubungi server (pelatihan, atau mencatat
    /// sebelum login pertama); catatan dikirim setelah login.
    Init(InitArgs),
    /// Keluar: lupakan sesi di HP ini (catatan yang belum terkirim tetap disimpan).
    Logout,
    /// Ambil perubahan dari server (desa tugas, batas desa, rumah tangga, kunjungan HP lain).
    Pull,
    /// Kirim semua catatan yang belum terkirim, lalu ambil perubahan dari server.
    Sync,
    /// Daftar desa yang diketahui HP ini, dengan status dan jumlah KK.
    Villages,
    /// Daftar rumah tangga dan apa yang masih diperlukan tiap rumah.
    Households(HouseholdsArgs),
    /// Catat rumah tangga baru (lihat `household add --help`).
    #[command(subcommand)]
    Household(HouseholdCmd),
    /// Catat kunjungan ke rumah tangga: kategori sanitasi yang ditemukan.
    Visit(VisitArgs),
    /// Status pengiriman: belum terkirim, ditolak (dengan alasannya), konflik, sinkron terakhir, jam HP.
    Status,
    /// % KK akses per desa menurut data di HP ini.
    Coverage(CoverageArgs),
    /// Kirim ulang catatan yang ditolak atau konflik, setelah penyebabnya diperbaiki.
    Retry(RetryArgs),
    /// Apakah desa memenuhi syarat klaim SBS menurut data di HP ini (semua KK dikunjungi dalam
    /// 183 hari terakhir dan punya akses jamban).
    Eligibility(EligibilityArgs),
    /// Catat pemicuan desa (sanitarian); tersimpan di HP, dikirim saat sync.
    Trigger(TriggerArgs),
    /// Ajukan klaim SBS desa (sanitarian); ditolak di HP bila desa belum memenuhi syarat.
    Claim(ClaimArgs),
    /// Verifikasi ODF oleh tim kecamatan: buka, daftar, rincian, kriteria masyarakat, keputusan.
    #[command(subcommand)]
    Verification(VerificationCmd),
    /// Piagam ODF dari server, dengan status dan pemeriksaan tanda tangan di HP ini.
    Certificates(VillageFilterArgs),
    /// Tampilan layar HP: aplikasi web lokal di 127.0.0.1 atas data di HP ini (bisa tanpa sinyal).
    Ui(UiArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct UiArgs {
    /// Port di 127.0.0.1 (bawaan: port bebas mana saja).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
    /// Jangan buka peramban; cukup tampilkan alamatnya.
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct LoginArgs {
    /// Alamat server, mis. https://odf.dinkes.example (bawaan: server login sebelumnya).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Nama pengguna (bawaan: pengguna login sebelumnya).
    #[arg(long, value_name = "NAMA")]
    pub username: Option<String>,
    /// Baca kata sandi dari baris pertama masukan standar (untuk skrip), bukan dari prompt.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct InitArgs {
    /// Alamat server, mis. https://odf.dinkes.example.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// Nama pengguna yang nanti dipakai untuk login (dicatat di setiap kunjungan).
    #[arg(long, value_name = "NAMA")]
    pub username: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct HouseholdsArgs {
    /// Hanya rumah tangga di desa ini (kode Kemendagri, mis. 74.04.81.2001).
    #[arg(long, value_name = "KODE")]
    pub village: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HouseholdCmd {
    /// Daftarkan rumah tangga baru; tersimpan langsung di HP, dikirim saat sync.
    Add(HouseholdAddArgs),
    /// Ubah data rumah tangga (nama KK, jumlah KK, dusun/RW/RT, titik GPS); dikirim saat sync.
    /// Bila HP lain mengubah kolom yang sama, server memakai perubahan terakhir dan admin dapat
    /// meninjau bentrokannya.
    Edit(HouseholdEditArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct HouseholdEditArgs {
    /// Id rumah tangga: lengkap, atau 8 karakter terakhir seperti di `households`.
    #[arg(value_name = "ID_RUMAH_TANGGA", help_heading = "Argumen")]
    pub household: String,
    /// Nama kepala keluarga yang baru.
    #[arg(long, value_name = "NAMA")]
    pub head: Option<String>,
    /// Jumlah KK yang baru, 1-50.
    #[arg(long, value_name = "JUMLAH")]
    pub kk: Option<u16>,
    /// Dusun (kosongkan dengan --dusun "").
    #[arg(long, value_name = "DUSUN")]
    pub dusun: Option<String>,
    /// RW (kosongkan dengan --rw "").
    #[arg(long, value_name = "RW")]
    pub rw: Option<String>,
    /// RT (kosongkan dengan --rt "").
    #[arg(long, value_name = "RT")]
    pub rt: Option<String>,
    /// Lintang (latitude) titik rumah yang baru (bersama --lng).
    #[arg(long, requires = "lng", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lat: Option<f64>,
    /// Bujur (longitude) titik rumah yang baru (bersama --lat).
    #[arg(long, requires = "lat", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lng: Option<f64>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct HouseholdAddArgs {
    /// Kode desa/kelurahan Kemendagri, mis. 74.04.81.2001.
    #[arg(long, value_name = "KODE")]
    pub village: String,
    /// Nama kepala keluarga.
    #[arg(long, value_name = "NAMA")]
    pub head: String,
    /// Jumlah KK (kepala keluarga) yang tinggal di rumah ini, 1-50.
    #[arg(long, default_value_t = 1, value_name = "JUMLAH")]
    pub kk: i64,
    /// Dusun.
    #[arg(long, value_name = "DUSUN")]
    pub dusun: Option<String>,
    /// RW.
    #[arg(long, value_name = "RW")]
    pub rw: Option<String>,
    /// RT.
    #[arg(long, value_name = "RT")]
    pub rt: Option<String>,
    /// Lintang (latitude) titik rumah, mis. -5.49 (bersama --lng).
    #[arg(long, requires = "lng", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lat: Option<f64>,
    /// Bujur (longitude) titik rumah, mis. 122.61 (bersama --lat).
    #[arg(long, requires = "lat", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lng: Option<f64>,
    /// Simpan tanpa bertanya walau titik GPS di luar batas desa.
    #[arg(long, short = 'y', visible_alias = "force")]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct VisitArgs {
    /// Id rumah tangga: lengkap, atau 8 karakter terakhir seperti di `households`.
    #[arg(value_name = "ID_RUMAH_TANGGA", help_heading = "Argumen")]
    pub household: String,
    /// Kategori yang ditemukan: JSP, JSSP, SHARING, BABS, atau tangga sanitasi aman, layak_sendiri,
    /// layak_bersama, belum_layak, babs_tertutup, babs_terbuka.
    #[arg(long, short = 'c', value_name = "KATEGORI")]
    pub category: String,
    /// Lintang (latitude) tempat kunjungan (bersama --lng).
    #[arg(long, requires = "lng", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lat: Option<f64>,
    /// Bujur (longitude) tempat kunjungan (bersama --lat).
    #[arg(long, requires = "lat", allow_hyphen_values = true, value_name = "DERAJAT")]
    pub lng: Option<f64>,
    /// Foto jamban: yang disimpan sidik SHA-256-nya (fotonya dikirim terpisah).
    #[arg(long, value_name = "BERKAS")]
    pub photo: Option<PathBuf>,
    /// Jawaban daftar periksa, bisa berulang: ITEM=ya|tidak. ITEM: closed_toilet, safe_from_well,
    /// strong_slab, child_faeces_safe, all_members_use, water_and_soap, no_faeces_around.
    #[arg(long = "check", value_name = "ITEM=ya|tidak")]
    pub checks: Vec<String>,
    /// Simpan tanpa bertanya walau titik GPS di luar batas desa atau jauh dari rumah.
    #[arg(long, short = 'y', visible_alias = "force")]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct CoverageArgs {
    /// Hanya desa ini (kode Kemendagri).
    #[arg(long, value_name = "KODE")]
    pub village: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Opsi")]
pub struct RetryArgs {
    /// Id lengkap catatan (rumah tangga atau kunjungan), seperti di `status`.
    #[arg(value_name = "ID", help_heading = "Argumen")]
    pub record: String,
}

/// Replaces clap's own help and version flags (whose text is English) with Indonesian ones, on
/// every subcommand, and drops the English `help` subcommand.
fn localize(cmd: Command, top: bool) -> Command {
    let mut cmd = cmd.disable_help_flag(true).disable_help_subcommand(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help("Tampilkan bantuan ini")
            .help_heading("Opsi"),
    );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Tampilkan versi")
                .help_heading("Opsi"),
        );
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| localize(sub, false));
    }
    cmd
}

pub fn command() -> Command {
    localize(Cli::command(), true).subcommand_help_heading("Perintah").subcommand_value_name("PERINTAH")
}

/// Words clap writes itself, in Indonesian.
pub fn localize_text(text: &str) -> String {
    text.replace("Usage:", "Cara pakai:")
        .replace("[OPTIONS]", "[OPSI]")
        .replace("<COMMAND>", "<PERINTAH>")
        .replace("Options:", "Opsi:")
        .replace("Arguments:", "Argumen:")
        .replace("Commands:", "Perintah:")
        .replace("[default: ", "[bawaan: ")
        .replace("[possible values: ", "[pilihan: ")
        .replace("Possible values:", "Pilihan:")
        .replace("[aliases: ", "[alias: ")
        .replace("error:", "galat:")
        .replace("For more information, try", "Untuk keterangan lebih lanjut, coba")
        .replace("invalid value", "nilai tidak sah")
        .replace("' for '", "' untuk '")
        .replace("the following required arguments were not provided:", "argumen wajib berikut belum diisi:")
        .replace("a value is required for", "nilai wajib diisi untuk")
        .replace("but none was supplied", "tetapi tidak ada")
        .replace("unexpected argument", "argumen tidak dikenal")
        .replace("' found", "'")
        .replace("unrecognized subcommand", "perintah tidak dikenal")
        .replace("tip:", "saran:")
}

/// The language asked for by `--lang` (or `ODF_LANG`), read before clap parses, so that clap's
/// errors and the value checks of [`field`] are said in it too.
pub fn requested_lang(args: &[OsString]) -> Lang {
    let mut value = std::env::var_os("ODF_LANG");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--lang" {
            value = args.next().cloned();
        } else if let Some(rest) = arg.to_str().and_then(|a| a.strip_prefix("--lang=")) {
            value = Some(rest.into());
        }
    }
    if value.is_some_and(|v| v.eq_ignore_ascii_case("en")) { Lang::En } else { Lang::Id }
}

static PARSE_LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The language value checks speak while clap parses (set once by [`parse_from`]).
pub(crate) fn parse_lang() -> Lang {
    PARSE_LANG.get().copied().unwrap_or_default()
}

pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // A second parse in the same process (tests) keeps the first language: only checks' texts.
    let _ = PARSE_LANG.set(requested_lang(&args));
    let matches = command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

#[cfg(test)]
mod tests;
