//! The command line of `odf-server`: global options, the commands and their flags. Flags that are
//! also settings become the strongest layer of [`odf_server::Settings`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use odf_domain::{AreaCode, AreaRef, Role};
use odf_server::config::{ConfigLayer, PhotosLayer, SessionLayer, WebLayer};

/// Server odf-verify: sinkronisasi data sanitasi rumah tangga, verifikasi ODF dan cakupan Stop BABS.
///
/// Pengaturan (settings): flag > variabel ODF_* > berkas --config > bawaan; `odf-server config`
/// menampilkan yang berlaku. Contoh berkas: docs/odf-server.example.toml.
#[derive(Debug, Parser)]
#[command(name = "odf-server", version)]
pub struct Cli {
    /// Berkas konfigurasi TOML (juga ODF_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Basis data: sqlite://berkas.db (bawaan sqlite://odf.db, dibuat bila belum ada) atau
    /// postgres://… (juga ODF_DATABASE_URL, database_url).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Nama pelaku yang dicatat di log audit untuk perintah admin.
    #[arg(long, env = "ODF_ACTOR", default_value = "admin-cli", global = true)]
    pub actor: String,
    /// Bentuk log di stderr: text (berwarna hanya di terminal) atau json, satu objek per baris
    /// (juga ODF_LOG_FORMAT).
    #[arg(long, env = "ODF_LOG_FORMAT", value_enum, default_value_t, global = true)]
    pub log_format: crate::logging::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Menjalankan server API.
    Serve(ServeFlags),
    /// Menampilkan pengaturan yang berlaku sebagai TOML (kata sandi basis data disembunyikan).
    Config(ServeFlags),
    /// Menerapkan migrasi basis data (juga dilakukan otomatis saat server mulai).
    Migrate,
    /// Mengimpor daftar wilayah dari CSV kode,nama[,level,kind] (kode Kemendagri).
    ImportAreas { file: PathBuf },
    /// Mengimpor batas wilayah dari GeoJSON FeatureCollection (properti "kode").
    ImportBoundaries { file: PathBuf },
    /// Mengelola pengguna.
    #[command(subcommand)]
    User(UserCommand),
    /// Mengelola token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Menghitung ulang rekap desa dari kunjungan mentah dan melaporkan selisih.
    Recount,
    /// Memeriksa rantai hash log audit.
    AuditVerify,
    /// Mengelola kunci tanda tangan piagam (rotasi, kunci bocor).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Mencadangkan basis data SQLite ke berkas baru selagi server berjalan (PostgreSQL: pg_dump).
    Backup { file: PathBuf },
    /// Memulihkan cadangan SQLite menjadi basis data baru di --database-url (yang belum ada);
    /// hentikan server dulu dan pindahkan berkas lama bila memakai alamat yang sama.
    Restore { file: PathBuf },
    /// Demo: basis data SQLite baru, wilayah dan akun contoh, kampanye lapangan lewat klien ponsel
    /// sungguhan, laporan cakupan, lalu server (dengan dasbornya) tetap berjalan sampai Ctrl-C.
    #[cfg(feature = "demo")]
    Demo(DemoFlags),
}

/// The flags of `demo`.
#[cfg(feature = "demo")]
#[derive(Debug, Clone, Args)]
pub struct DemoFlags {
    /// Folder untuk basis data dan data ponsel demo (bawaan: folder sementara baru).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Alamat dan port yang didengarkan (port lain yang bebas bila sudah terpakai).
    #[arg(long, env = "ODF_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Benih acak kampanye: benih yang sama, angka yang sama.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Pengali jumlah rumah tangga per desa.
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Berhenti setelah laporan, tanpa terus melayani.
    #[arg(long)]
    pub no_serve: bool,
}

/// The flags of `serve` (and `config`, which shows what `serve` would use).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeFlags {
    /// Alamat dan port yang didengarkan (bawaan 127.0.0.1:8080; juga ODF_BIND, bind).
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Masa berlaku token login, dalam hari (bawaan 60; juga ODF_SESSION_DAYS, session.ttl_days).
    #[arg(long, allow_negative_numbers = true)]
    pub session_days: Option<i64>,
    /// Folder data server: kunci tanda tangan piagam (bawaan: odf-data di samping berkas SQLite,
    /// atau ./odf-data; juga ODF_DATA_DIR, data_dir).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Alamat publik server, untuk kode QR di piagam (bawaan http://127.0.0.1:8080; juga
    /// ODF_PUBLIC_URL, public_url).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Kode wilayah yang angka agregatnya tampil di dasbor tanpa masuk (tanpa nama); bawaan mati
    /// (juga ODF_WEB_PUBLIC_AREA, web.public_area).
    #[arg(long)]
    pub web_public_area: Option<String>,
    /// Folder foto kunjungan (bawaan: photos di dalam folder data; juga ODF_PHOTO_DIR, photos.dir).
    #[arg(long)]
    pub photo_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Menambah pengguna. Tanpa --password-stdin, kata sandi acak dibuat dan ditampilkan sekali.
    Add {
        #[arg(long)]
        username: String,
        /// admin, sanitarian, verifier atau viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Kode wilayah tugas (awalan), mis. 74.04 atau 74.04.11, atau `nasional` untuk seluruh
        /// Indonesia (hanya viewer dan admin).
        #[arg(long, value_parser = parse_area_or_nasional)]
        area: AreaRef,
        /// Untuk sanitarian: kode desa yang ditugaskan, dipisah koma.
        #[arg(long, value_delimiter = ',', value_parser = parse_area)]
        villages: Vec<AreaCode>,
        /// Nama lengkap.
        #[arg(long)]
        name: Option<String>,
        /// Membaca kata sandi dari baris pertama stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Menampilkan semua pengguna.
    List,
    /// Menonaktifkan pengguna (token-tokennya ikut tidak berlaku).
    Disable { username: String },
    /// Mengaktifkan kembali pengguna.
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Membuat kunci baru untuk piagam baru; piagam lama tetap terverifikasi dengan kunci lamanya.
    /// Server yang berjalan memakai kunci baru setelah dijalankan ulang.
    Rotate(KeyFlags),
    /// Menandai kunci lama sebagai bocor: piagam yang ditandatanganinya tidak lagi dianggap asli.
    Compromised {
        /// Sidik kunci seperti tercetak di piagam (mis. "1a2b 3c4d ...") atau hex lengkapnya.
        key: String,
        #[command(flatten)]
        flags: KeyFlags,
    },
    /// Menampilkan kunci yang berlaku dan kunci-kunci lama.
    List(KeyFlags),
}

/// Where the keys are.
#[derive(Debug, Clone, Default, Args)]
pub struct KeyFlags {
    /// Folder data server (seperti `serve --data-dir`; juga ODF_DATA_DIR, data_dir).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Membuat token baca-saja untuk dasbor (hanya angka agregat).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .ok_or_else(|| format!("peran {text:?} tidak dikenal: admin, sanitarian, verifier, viewer"))
}

fn parse_area(text: &str) -> Result<AreaCode, String> {
    AreaCode::parse(text).map_err(|err| err.to_string())
}

fn parse_area_or_nasional(text: &str) -> Result<AreaRef, String> {
    text.parse().map_err(|err: odf_domain::AreaCodeError| format!("{err} (atau 'nasional')"))
}

impl Cli {
    /// The settings given as flags: the strongest layer.
    pub fn flags(&self) -> ConfigLayer {
        let serve = match &self.command {
            Command::Serve(flags) | Command::Config(flags) => flags.clone(),
            Command::Key(
                KeyCommand::Rotate(keys)
                | KeyCommand::List(keys)
                | KeyCommand::Compromised { flags: keys, .. },
            ) => ServeFlags { data_dir: keys.data_dir.clone(), ..ServeFlags::default() },
            _ => ServeFlags::default(),
        };
        ConfigLayer {
            database_url: self.database_url.clone(),
            bind: serve.bind,
            public_url: serve.public_url,
            data_dir: serve.data_dir,
            session: SessionLayer { ttl_days: serve.session_days },
            web: WebLayer { public_area: serve.web_public_area },
            photos: PhotosLayer { dir: serve.photo_dir, max_bytes: None },
            ..ConfigLayer::default()
        }
    }
}
