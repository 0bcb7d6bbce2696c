//! `odf-demo`: parses the command line and runs the demo ([`odf_demo::run`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use odf_demo::{CampaignOptions, DemoOptions};

/// Demo odf-verify: basis data SQLite baru, wilayah dan akun contoh, kampanye lapangan lewat klien
/// sungguhan, laporan cakupan, lalu server tetap berjalan sampai Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "odf-demo", version)]
struct Cli {
    /// Folder untuk basis data dan data ponsel demo (bawaan: folder sementara baru).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Alamat dan port yang didengarkan (port lain yang bebas bila sudah terpakai).
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo's report is for a person reading the terminal: the hundreds of request lines of its
    // campaign would bury it, so it logs warnings only unless ODF_LOG says otherwise.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ODF_LOG").unwrap_or_else(|_| "warn".into()),
        )
        // Colour only on a terminal: a log kept in a file or a pipe gets no ANSI codes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let options = DemoOptions {
        dir: cli.dir,
        bind: cli.bind,
        campaign: CampaignOptions { seed: cli.seed, scale: cli.scale },
        keep_serving: !cli.no_serve,
    };
    match odf_demo::run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("galat (error): {}", odf_server::commands::describe(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}
