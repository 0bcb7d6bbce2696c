//! What `odf-server demo` does: a fresh SQLite database in a fresh (or given) folder, the demo places and
//! accounts, the server on the given port (or any free one), the field campaign through phones, the
//! report, and then, unless told otherwise, serving until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{AppState, ServerConfig};
use anyhow::Context;

use super::campaign::{self, CampaignOptions, DEMO_PASSWORD};

/// The demo's command line.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the database and the phones' data go; `None` makes a temporary folder.
    pub dir: Option<PathBuf>,
    pub bind: SocketAddr,
    pub campaign: CampaignOptions,
    /// Keep serving after the report, until Ctrl-C or SIGTERM.
    pub keep_serving: bool,
}

/// Runs the demo and prints its report on stdout.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    let DemoOptions { dir, bind, campaign: campaign_options, keep_serving } = options;
    // A fresh folder each run unless one is given; a given folder loses only the demo's own files.
    let temporary = match dir {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("odf-demo-")
                .tempdir()
                .context("cannot make a temporary folder for the demo")?,
        ),
    };
    let folder =
        dir.unwrap_or_else(|| temporary.as_ref().map(|t| t.path().to_path_buf()).unwrap_or_default());
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    for name in ["odf-demo.db", "odf-demo.db-wal", "odf-demo.db-shm"] {
        let _ = std::fs::remove_file(folder.join(name));
    }
    let _ = std::fs::remove_dir_all(folder.join("phones"));
    let url = format!("sqlite://{}", folder.join("odf-demo.db").display());
    let store = crate::commands::open_store(&url).await?;
    let accounts = campaign::seed(&store).await.context("seeding the demo places and accounts")?;

    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        // The usual port may be taken; any free one will do for a demo.
        Err(_) => tokio::net::TcpListener::bind((bind.ip(), 0))
            .await
            .with_context(|| format!("cannot listen on {} (any port)", bind.ip()))?,
    };
    let address = listener.local_addr().context("the listener has no address")?;
    let base = format!("http://{address}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // The certificates' QR codes point at this server, wherever it could bind.
    // The dashboard publishes the demo province's aggregates, so the printed address opens its page
    // without a sign-in; staff sign in for names and downloads.
    let config = ServerConfig {
        public_url: base.clone(),
        web_public_area: odf_domain::AreaCode::parse("74").ok(),
        ..ServerConfig::default()
    };
    let state = AppState::new(store.clone(), config);
    let server = tokio::spawn(crate::serve(listener, state, async {
        let _ = stopped.await;
    }));

    println!(
        "Kampanye lapangan demo (benih {}, skala {}) lewat klien ponsel ke {base} ...",
        campaign_options.seed, campaign_options.scale
    );
    let report = campaign::run_campaign(&store, &base, &folder.join("phones"), campaign_options)
        .await
        .context("the demo's field campaign")?;
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
    for line in campaign::rollup_lines(&store).await.context("the roll-up report")? {
        println!("{line}");
    }
    println!("\nPiagam ODF (cek keaslian tanpa login di alamat publiknya):");
    for line in campaign::certificate_lines(&store, &base).await.context("the certificate report")? {
        println!("{line}");
    }
    println!("\nData demo: {}", folder.display());
    if keep_serving {
        println!("\nServer berjalan di {base}  (Ctrl-C untuk berhenti)");
        println!(
            "  {base}/                      dasbor Sulawesi Tenggara (terbuka tanpa login di demo; masuk untuk nama dan unduhan)"
        );
        println!("  {base}/v1/coverage/74        cakupan (login dulu; token dasbor: akun 'dasbor')");
        println!("  {base}/v1/openapi.json       dokumen API");
        println!("Akun demo (kata sandi semua: {DEMO_PASSWORD}):");
        for (username, role, area) in &accounts {
            println!("  {username:<12} {:<10} {area}", role.as_str());
        }
        println!(
            "Contoh: curl -s -X POST {base}/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"dasbor\",\"password\":\"{DEMO_PASSWORD}\"}}'"
        );
        crate::shutdown_signal().await;
    }
    let _ = stop.send(());
    server.await.context("the demo server task failed")?.context("the demo server stopped with an error")?;
    store.close().await;
    drop(temporary);
    Ok(())
}
