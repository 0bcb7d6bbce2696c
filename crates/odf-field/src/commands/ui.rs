//! `odf-field ui`: the phone-sized local web app (crate `odf-field-ui`) over this home folder's
//! client core. It prints the first URL (with this start's secret) and opens it in the browser
//! when there is a display; Ctrl+C stops it.

use odf_client::i18n;

use crate::cli::{Lang, UiArgs};
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};

fn web_lang(lang: Lang) -> odf_web::Lang {
    match lang {
        Lang::Id => odf_web::Lang::Id,
        Lang::En => odf_web::Lang::En,
    }
}

/// Asks the desktop to open `url`; a phone app hands it to its WebView instead.
fn open_browser(url: &str) {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some());
    if display {
        let spawned = std::process::Command::new("xdg-open")
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Err(err) = spawned {
            tracing::debug!(%err, "xdg-open");
        }
    }
}

pub(super) async fn run(ctx: &Ctx, args: &UiArgs) -> Outcome {
    let lang = ctx.lang;
    let ui = odf_field_ui::Ui::bind(ctx.client.clone(), args.port, web_lang(lang))
        .await
        .map_err(|err| Failure::caused(t(lang, i18n::UI_CANNOT_LISTEN), err))?;
    let url = ui.first_url();
    println!("{}", i18n::UI_OPEN_ADDRESS.fill(lang.into(), &[("url", &url)]));
    println!("{}", t(lang, i18n::UI_STOP_HINT));
    if !args.no_open {
        open_browser(&url);
    }
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    ui.serve(stop).await.map_err(|err| Failure::caused(t(lang, i18n::UI_CANNOT_LISTEN), err))
}
