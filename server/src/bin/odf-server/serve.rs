//! `serve` and `config`: run the API with the effective settings, or print them.

use anyhow::Context;
use odf_server::{AppState, Settings};
use odf_store::AnyStore;

pub async fn serve(store: &AnyStore, settings: Settings) -> anyhow::Result<()> {
    // Refuse to start without the signing key rather than issue certificates nobody can check later.
    let state =
        AppState::try_new(store.clone(), settings.server).context("loading the certificate signing key")?;
    let bind = settings.bind;
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr().context("the listener has no address")?;
    println!("odf-server mendengarkan di http://{address} ({})", store.backend_name());
    odf_server::serve(listener, state, odf_server::shutdown_signal()).await.context("serving the API")
}

/// Prints the settings `serve` would use, as a config file (the database password hidden).
pub fn print_config(settings: &Settings) {
    print!("{}", settings.to_toml());
}
