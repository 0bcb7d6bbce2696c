//! `odf-field ui` (issue 19): the client core's phone-sized face, a small web app on 127.0.0.1 that
//! a phone's WebView (or any browser on the same device) shows.
//!
//! - Every action calls the same [`odf_client::Client`] method as the `odf-field` command line;
//!   the pages hold no rule, and the core's messages come from its catalogue
//!   ([`odf_client::i18n`]). The pages are askama templates of `odf-web` on the dashboard's
//!   `base.html` and embedded assets; nothing is loaded from elsewhere, so everything works offline.
//! - It listens on 127.0.0.1 only. A secret made fresh at each start ([`Ui::first_url`]) is
//!   exchanged once for an HttpOnly, SameSite=Strict cookie; every request must carry it, name this
//!   app's own Host (no DNS rebinding) and, when it has an Origin, this app's origin (no CSRF from
//!   another site). See [`guard`].
//! - A sync runs in the background ([`sync`]); its page shows the progress and each record's state.

#![forbid(unsafe_code)]

mod guard;
mod records;
mod render;
mod sanitarian;
mod sync;
mod verifier;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use odf_client::Client;
use odf_web::Lang;

pub use guard::COOKIE_PREFIX;

/// The state every handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub client: Client,
    pub secret: String,
    pub port: u16,
    pub lang: Mutex<Lang>,
    pub sync: Mutex<sync::Progress>,
}

pub(crate) type State = axum::extract::State<Arc<Shared>>;

impl Shared {
    pub fn lang(&self) -> Lang {
        *self.lang.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A started UI: its address and first URL. It runs until the shutdown future given to
/// [`Ui::serve`] completes.
#[derive(Debug)]
pub struct Ui {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

/// Makes a fresh secret: 32 random bytes from the operating system, in hex.
fn fresh_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| std::io::Error::other(err.to_string()))?;
    Ok(hex::encode(bytes))
}

impl Ui {
    /// Binds 127.0.0.1:`port` (0: any free port) over an open client core.
    pub async fn bind(client: Client, port: u16, lang: Lang) -> std::io::Result<Ui> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            client,
            secret: fresh_secret()?,
            port,
            lang: Mutex::new(lang),
            sync: Mutex::new(sync::Progress::default()),
        });
        Ok(Ui { listener, shared })
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// The one URL that lets a browser in: it carries this start's secret, which the app trades
    /// for a cookie and strips from the address bar.
    pub fn first_url(&self) -> String {
        format!("{}/?k={}", self.base_url(), self.shared.secret)
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = router(self.shared);
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(sanitarian::villages))
        .route("/masuk", get(sanitarian::login_page).post(sanitarian::login))
        .route("/bahasa/{lang}", get(render::switch_lang))
        .route("/assets/{name}", get(render::asset))
        .route("/desa/{code}", get(sanitarian::village))
        .route("/desa/{code}/rumah-baru", get(records::new_household).post(records::add_household))
        .route("/desa/{code}/pemicuan", post(sanitarian::trigger))
        .route("/desa/{code}/klaim", post(sanitarian::claim))
        .route("/rumah/{id}/ubah", get(records::edit_household_page).post(records::edit_household))
        .route(
            "/rumah/{id}/kunjungan",
            // A visit may carry a photo of up to 5 MiB (the core's limit), with the form around it.
            get(records::visit_page).post(records::visit).layer(DefaultBodyLimit::max(6 * 1024 * 1024)),
        )
        .route("/kirim", get(sync::page).post(sync::start))
        .route("/kirim/ulang/{id}", post(sync::retry))
        .route("/verifikasi", get(verifier::list))
        .route("/verifikasi/{id}", get(verifier::detail))
        .route("/verifikasi/{id}/kriteria", post(verifier::community))
        .route("/verifikasi/{id}/keputusan", post(verifier::decide))
        .fallback(render::not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard::guard))
        .with_state(shared)
}
