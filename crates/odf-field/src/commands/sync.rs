//! `pull` and `sync`, with a progress bar on a terminal (hidden when stderr is not one, or with
//! `--json`), and a summary at the end.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use odf_client::i18n;
use odf_client::{HttpTransport, SyncEvent, SyncOptions, SyncReport, TokioSleeper};

use crate::cli::Lang;
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};
use crate::output;

fn bar(visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn on_event(bar: &ProgressBar, event: &SyncEvent, lang: Lang) {
    match event {
        SyncEvent::WaitingForOtherSync => {
            bar.set_message(i18n::WAITING_FOR_OTHER_SYNC.get(lang.into()).to_owned());
        }
        SyncEvent::PushStarted { pending } => {
            bar.set_length(u64::from(*pending));
            bar.set_position(0);
            bar.set_message(t(lang, i18n::SENDING_RECORDS).to_owned());
        }
        SyncEvent::Pushed { sent, .. } => bar.inc(u64::try_from(*sent).unwrap_or(0)),
        SyncEvent::Retrying { attempt, delay_ms, .. } => bar.set_message(
            i18n::PROGRESS_RETRYING
                .fill(lang.into(), &[("attempt", attempt), ("seconds", &(delay_ms / 1000))]),
        ),
        SyncEvent::PullStarted { .. } => {
            bar.set_length(0);
            bar.set_position(0);
            bar.set_message(t(lang, i18n::FETCHING_CHANGES).to_owned());
        }
        SyncEvent::Pulled { page, changes, .. } => {
            bar.inc_length(u64::try_from(*changes).unwrap_or(0));
            bar.inc(u64::try_from(*changes).unwrap_or(0));
            bar.set_message(i18n::PROGRESS_PULLING_PAGE.fill(lang.into(), &[("page", page)]));
        }
        SyncEvent::ClockWarning { skew } => {
            bar.suspend(|| eprintln!("{}", output::clock_warning(skew.phone_ahead_minutes(), lang)));
        }
        SyncEvent::PhotosStarted { count, .. } => {
            bar.set_length(u64::try_from(*count).unwrap_or(0));
            bar.set_position(0);
            bar.set_message(t(lang, i18n::SENDING_PHOTOS).to_owned());
        }
        SyncEvent::PhotoProgress { received, size, .. } => {
            let percent = received.saturating_mul(100).checked_div(*size).unwrap_or(100);
            let number = bar.position() + 1;
            bar.set_message(
                i18n::PROGRESS_PHOTO.fill(lang.into(), &[("number", &number), ("percent", &percent)]),
            );
        }
        SyncEvent::PhotoUploaded { .. } | SyncEvent::PhotoRefused { .. } => bar.inc(1),
        SyncEvent::PhotoPulled { .. } => bar.set_message(t(lang, i18n::FETCHING_SAMPLE_PHOTOS).to_owned()),
    }
}

pub async fn run(ctx: &Ctx, push_too: bool) -> Outcome {
    let lang = ctx.lang;
    let server =
        ctx.client.server_url().await?.ok_or(Failure::Client(odf_client::ClientError::NotLoggedIn))?;
    let transport =
        HttpTransport::new(&server).map_err(|_| odf_client::ClientError::BadServerUrl(server.clone()))?;
    let options = SyncOptions::default();
    let bar = bar(!ctx.json && std::io::stderr().is_terminal());
    let mut progress = |event: &SyncEvent| on_event(&bar, event, lang);
    let result = if push_too {
        ctx.client.sync(&transport, &TokioSleeper, &options, &mut progress).await
    } else {
        ctx.client.pull(&transport, &TokioSleeper, &options, &mut progress).await
    };
    bar.finish_and_clear();
    let report = result?;
    if ctx.json {
        return output::json(&report);
    }
    summary(ctx, &report, push_too).await
}

async fn summary(ctx: &Ctx, r: &SyncReport, pushed: bool) -> Outcome {
    let lang = ctx.lang.into();
    if pushed {
        let counts: [(&str, &dyn std::fmt::Display); 3] =
            [("stored", &r.stored), ("rejected", &r.rejected), ("conflicts", &r.conflicts)];
        println!("{}", i18n::SYNC_SENT_SUMMARY.fill(lang, &counts));
    }
    println!("{}", i18n::SYNC_RECEIVED_SUMMARY.fill(lang, &[("changes", &r.changes), ("pages", &r.pages)]));
    if r.photos_uploaded + r.photos_waiting + r.photos_refused + r.photos_pulled > 0 {
        let counts: [(&str, &dyn std::fmt::Display); 4] = [
            ("uploaded", &r.photos_uploaded),
            ("waiting", &r.photos_waiting),
            ("refused", &r.photos_refused),
            ("pulled", &r.photos_pulled),
        ];
        println!("{}", i18n::SYNC_PHOTOS_SUMMARY.fill(lang, &counts));
    }
    if r.skipped_changes > 0 {
        println!("{}", i18n::SYNC_SKIPPED_CHANGES.fill(lang, &[("count", &r.skipped_changes)]));
    }
    let lang = ctx.lang;
    let status = ctx.client.status().await?;
    if !status.rejected.is_empty() || !status.conflicts.is_empty() {
        println!("{}", t(lang, i18n::SOME_REFUSED_SEE_STATUS));
    }
    if let Some(clock) = r.clock.filter(|c| c.is_warning()) {
        eprintln!("{}", output::clock_warning(clock.phone_ahead_minutes(), lang));
    }
    Ok(())
}
