//! `odf-server`: parses the command line and calls into the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, CommandError, UserSpec};
use odf_server::{AppState, ServerConfig};
use odf_store::{AnyStore, DatabaseUrl};
use tokio::io::AsyncBufReadExt;

/// Server odf-verify: sinkronisasi data sanitasi rumah tangga, verifikasi ODF dan cakupan Stop BABS.
#[derive(Debug, Parser)]
#[command(name = "odf-server", version)]
struct Cli {
    /// Basis data: sqlite://berkas.db (bawaan, dibuat bila belum ada) atau postgres://…
    #[arg(long, env = "ODF_DATABASE_URL", default_value = "sqlite://odf.db", global = true)]
    database_url: String,
    /// Nama pelaku yang dicatat di log audit untuk perintah admin.
    #[arg(long, env = "ODF_ACTOR", default_value = "admin-cli", global = true)]
    actor: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Menjalankan server API.
    Serve {
        /// Alamat dan port yang didengarkan.
        #[arg(long, env = "ODF_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Masa berlaku token login, dalam hari.
        #[arg(long, env = "ODF_SESSION_DAYS", default_value_t = 60)]
        session_days: i64,
        #[command(flatten)]
        certificates: odf_server::keys::CertificateOptions,
    },
    /// Demo: basis data SQLite baru, wilayah dan akun contoh, kampanye lapangan lewat klien sungguhan,
    /// laporan cakupan, lalu server tetap berjalan sampai Ctrl-C.
    Demo {
        /// Folder untuk basis data dan data ponsel demo (bawaan: folder sementara baru).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, env = "ODF_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Benih acak kampanye: benih yang sama, angka yang sama.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Pengali jumlah rumah tangga per desa.
        #[arg(long, default_value_t = 1)]
        scale: u32,
        /// Berhenti setelah laporan, tanpa terus melayani.
        #[arg(long)]
        no_serve: bool,
    },
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
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Menambah pengguna. Tanpa --password-stdin, kata sandi acak dibuat dan ditampilkan sekali.
    Add {
        #[arg(long)]
        username: String,
        /// admin, sanitarian, verifier atau viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Kode wilayah tugas (awalan), mis. 74.04 atau 74.04.11.
        #[arg(long, value_parser = parse_area)]
        area: AreaCode,
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
enum TokenCommand {
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo's report is for a person reading the terminal: the hundreds of request lines of its
    // campaign would bury it, so it logs warnings only unless ODF_LOG says otherwise.
    let default_filter = match cli.command {
        Command::Demo { .. } => "warn",
        _ => "info,sqlx=warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ODF_LOG").unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("galat (error): {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open(url: &str) -> Result<AnyStore, String> {
    let url = DatabaseUrl::parse(url).map_err(|err| err.to_string())?;
    tracing::info!(database = %url, "opening database");
    AnyStore::open(&url).await.map_err(|err| format!("{url}: {err}"))
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Command::Demo { dir, bind, seed, scale, no_serve } = cli.command {
        return demo(dir, bind, odf_server::demo::CampaignOptions { seed, scale }, !no_serve).await;
    }
    let store = open(&cli.database_url).await?;
    let actor = cli.actor.as_str();
    let result = match cli.command {
        Command::Serve { bind, session_days, certificates } => {
            let config = ServerConfig {
                session_ttl: chrono::Duration::days(session_days.max(1)),
                ..ServerConfig::default()
            };
            serve(store.clone(), bind, certificates.apply(config, &cli.database_url)).await
        }
        Command::Demo { .. } => Ok(()),
        Command::Migrate => {
            store.migrate().await.map_err(|err| err.to_string())?;
            println!("Migrasi selesai ({}).", store.backend_name());
            Ok(())
        }
        Command::ImportAreas { file } => {
            let done = commands::import_areas_file(&store, &file, actor).await.map_err(|e| e.to_string())?;
            print_import("wilayah", &done);
            Ok(())
        }
        Command::ImportBoundaries { file } => {
            let done =
                commands::import_boundaries_file(&store, &file, actor).await.map_err(|e| e.to_string())?;
            print_import("batas wilayah", &done);
            Ok(())
        }
        Command::User(command) => user_command(&store, command, actor).await.map_err(|e| e.to_string()),
        Command::Token(TokenCommand::Create { username, days }) => {
            let (token, expires) = commands::create_viewer_token(&store, &username, days, actor)
                .await
                .map_err(|e| e.to_string())?;
            println!("Token dasbor untuk {username} (berlaku sampai {expires}):\n{token}");
            println!("Simpan sekarang: token ini tidak dapat ditampilkan lagi.");
            Ok(())
        }
        Command::Recount => {
            let report = commands::recount(&store).await.map_err(|e| e.to_string())?;
            println!(
                "Hitung ulang: {} desa, {} rumah tangga, {} kunjungan; {} selisih.",
                report.villages_checked,
                report.households,
                report.visits,
                report.differences.len()
            );
            for d in &report.differences {
                println!("  {}: tersimpan {:?}, hitung ulang {:?}", d.village, d.stored, d.recounted);
            }
            if report.differences.is_empty() {
                Ok(())
            } else {
                Err("rekap tidak cocok (tallies differ)".to_owned())
            }
        }
        Command::AuditVerify => {
            let check = store.verify_audit_chain().await.map_err(|e| e.to_string())?;
            match check.first_broken {
                None => {
                    println!("Log audit utuh: {} entri.", check.entries);
                    Ok(())
                }
                Some(seq) => Err(format!("log audit rusak mulai entri {seq} (audit chain broken)")),
            }
        }
    };
    store.close().await;
    result
}

fn print_import(what: &str, done: &commands::AreasImport) {
    let r = &done.report;
    println!(
        "Impor {what}: {} baru, {} diperbarui, {} tetap, {} tidak dikenal, {} baris ditolak.",
        r.inserted,
        r.updated,
        r.unchanged,
        r.unknown.len(),
        done.row_errors.len()
    );
    for error in done.row_errors.iter().take(20) {
        println!("  {error}");
    }
    for code in r.unknown.iter().take(20) {
        println!("  {code}: induk/wilayah tidak dikenal (unknown parent or area)");
    }
}

async fn user_command(store: &AnyStore, command: UserCommand, actor: &str) -> Result<(), CommandError> {
    match command {
        UserCommand::Add { username, role, area, villages, name, password_stdin } => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                tokio::io::BufReader::new(tokio::io::stdin())
                    .read_line(&mut line)
                    .await
                    .map_err(|err| CommandError::Invalid(err.to_string()))?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (odf_server::auth::random_password().map_err(CommandError::Invalid)?, true)
            };
            let spec =
                UserSpec { username, display_name: name, role, area, villages, password: password.clone() };
            let user = commands::add_user(store, spec, actor).await?;
            println!(
                "Pengguna {} ({}) dibuat untuk wilayah {}.",
                user.username,
                user.role.as_str(),
                user.area
            );
            if generated {
                println!("Kata sandi awal (tampil sekali): {password}");
            }
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                let villages: Vec<String> = user.villages.iter().map(ToString::to_string).collect();
                println!(
                    "{:<20} {:<10} {:<14} {:<9} {}",
                    user.username,
                    user.role.as_str(),
                    user.area.to_string(),
                    if user.disabled { "nonaktif" } else { "aktif" },
                    villages.join(",")
                );
            }
        }
        UserCommand::Disable { username } => {
            commands::set_disabled(store, &username, true, actor).await?;
            println!("Pengguna {username} dinonaktifkan.");
        }
        UserCommand::Enable { username } => {
            commands::set_disabled(store, &username, false, actor).await?;
            println!("Pengguna {username} diaktifkan.");
        }
    }
    Ok(())
}

async fn serve(store: AnyStore, bind: SocketAddr, config: ServerConfig) -> Result<(), String> {
    // Refuse to start without the signing key rather than issue certificates nobody can check later.
    let state = AppState::try_new(store.clone(), config).map_err(|err| err.to_string())?;
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|err| format!("{bind}: {err}"))?;
    let address = listener.local_addr().map_err(|err| err.to_string())?;
    println!("odf-server mendengarkan di http://{address} ({})", store.backend_name());
    odf_server::serve(listener, state, shutdown_signal()).await.map_err(|err| err.to_string())
}

async fn demo(
    dir: Option<PathBuf>,
    bind: SocketAddr,
    options: odf_server::demo::CampaignOptions,
    keep_serving: bool,
) -> Result<(), String> {
    // A fresh folder each run unless one is given; a given folder loses only the demo's own files.
    let temporary = match dir {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("odf-demo-").tempdir().map_err(|e| e.to_string())?),
    };
    let folder =
        dir.unwrap_or_else(|| temporary.as_ref().map(|t| t.path().to_path_buf()).unwrap_or_default());
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for name in ["odf-demo.db", "odf-demo.db-wal", "odf-demo.db-shm"] {
        let _ = std::fs::remove_file(folder.join(name));
    }
    let _ = std::fs::remove_dir_all(folder.join("phones"));
    let url = format!("sqlite://{}", folder.join("odf-demo.db").display());
    let store = open(&url).await?;
    let accounts = odf_server::demo::seed(&store).await.map_err(|e| e.to_string())?;

    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        // The usual port may be taken; any free one will do for a demo.
        Err(_) => tokio::net::TcpListener::bind((bind.ip(), 0)).await.map_err(|e| e.to_string())?,
    };
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let base = format!("http://{address}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // The certificates' QR codes point at this server, wherever it could bind.
    let config = ServerConfig { public_url: base.clone(), ..ServerConfig::default() };
    let state = AppState::new(store.clone(), config);
    let server = tokio::spawn(odf_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    println!(
        "Kampanye lapangan demo (benih {}, skala {}) lewat klien ponsel ke {base} ...",
        options.seed, options.scale
    );
    let report = odf_server::demo::run_campaign(&store, &base, &folder.join("phones"), options)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} rumah tangga, {} kunjungan sanitarian dan {} kunjungan verifikasi dikirim dari ponsel. Desa: {} lulus verifikasi, {} gagal, {} tergelincir \
         (BABS lagi), {} dicabut; {} terhitung SBS sekarang. Piagam: {} terbit, {} dicabut.",
        report.households,
        report.visits,
        report.verification_visits,
        report.villages_sbs + report.villages_revoked,
        report.villages_failed,
        report.villages_slipped,
        report.villages_revoked,
        report.villages_sbs,
        report.certificates_issued,
        report.certificates_revoked
    );
    println!("\nRekap Stop BABS Sulawesi Tenggara per kabupaten/kota (hanya yang punya desa di data demo):");
    for line in odf_server::demo::rollup_lines(&store).await.map_err(|e| e.to_string())? {
        println!("{line}");
    }
    println!("\nPiagam ODF (cek keaslian tanpa login di alamat publiknya):");
    for line in odf_server::demo::certificate_lines(&store, &base).await.map_err(|e| e.to_string())? {
        println!("{line}");
    }
    println!("\nData demo: {}", folder.display());
    if keep_serving {
        println!("\nServer berjalan di {base}  (Ctrl-C untuk berhenti)");
        println!("  {base}/v1/coverage/74        cakupan (login dulu; token dasbor: akun 'dasbor')");
        println!("  {base}/v1/openapi.json       dokumen API");
        println!("Akun demo (kata sandi semua: {}):", odf_server::demo::DEMO_PASSWORD);
        for (username, role, area) in &accounts {
            println!("  {username:<12} {:<10} {area}", role.as_str());
        }
        println!(
            "Contoh: curl -s -X POST {base}/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"dasbor\",\"password\":\"{}\"}}'",
            odf_server::demo::DEMO_PASSWORD
        );
        shutdown_signal().await;
    }
    let _ = stop.send(());
    server.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
    store.close().await;
    drop(temporary);
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
