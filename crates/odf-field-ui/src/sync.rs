//! The sync screen: `odf-field sync` run in the background, its progress, and each record's true
//! state. The page reloads itself each second while a sync runs (no script needed); the outbox is
//! listed from the core with the core's words for each state and, for a refused record, the
//! server's reason and how to fix it.

use std::sync::{Arc, PoisonError};

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use odf_client::i18n;
use odf_client::{HttpTransport, SyncEvent, SyncOptions, SyncState, TokioSleeper};
use odf_web::phone::{RecordRow, SyncView};
use uuid::Uuid;

use crate::render::{badge, core, error_text, failure, frame, html, short};
use crate::{Shared, State};

/// Where the background sync stands.
#[derive(Debug, Default, Clone)]
pub(crate) struct Progress {
    pub running: bool,
    pub value: u64,
    pub max: u64,
    pub step: Option<i18n::Text>,
    pub page: u32,
    /// The last run's result: true when it ended well, with its summary (already in words).
    pub outcome: Option<(bool, String)>,
}

fn on_event(shared: &Shared, event: &SyncEvent) {
    let mut p = shared.sync.lock().unwrap_or_else(PoisonError::into_inner);
    match event {
        SyncEvent::WaitingForOtherSync => p.step = Some(i18n::WAITING_FOR_OTHER_SYNC),
        SyncEvent::PushStarted { pending } => {
            p.max = u64::from(*pending);
            p.value = 0;
            p.step = Some(i18n::SENDING_RECORDS);
        }
        SyncEvent::Pushed { sent, .. } => p.value += u64::try_from(*sent).unwrap_or(0),
        SyncEvent::PullStarted { .. } => {
            p.max = 0;
            p.value = 0;
            p.step = Some(i18n::FETCHING_CHANGES);
        }
        SyncEvent::Pulled { page, changes, .. } => {
            let changes = u64::try_from(*changes).unwrap_or(0);
            p.max += changes;
            p.value += changes;
            p.page = *page;
        }
        SyncEvent::PhotosStarted { bytes, .. } => {
            p.max = *bytes;
            p.value = 0;
            p.page = 0;
            p.step = Some(i18n::SENDING_PHOTOS);
        }
        SyncEvent::PhotoUploaded { size, .. } => p.value += size,
        SyncEvent::PhotoPulled { .. } => p.step = Some(i18n::FETCHING_SAMPLE_PHOTOS),
        SyncEvent::Retrying { .. }
        | SyncEvent::ClockWarning { .. }
        | SyncEvent::PhotoProgress { .. }
        | SyncEvent::PhotoRefused { .. } => {}
    }
}

/// Starts a sync unless one runs; the same core call as `odf-field sync`.
pub(crate) fn spawn(state: &State) {
    let shared: Arc<Shared> = Arc::clone(state);
    {
        let mut p = shared.sync.lock().unwrap_or_else(PoisonError::into_inner);
        if p.running {
            return;
        }
        *p = Progress { running: true, ..Progress::default() };
    }
    tokio::spawn(async move {
        let lang = core(shared.lang());
        let outcome = run(&shared).await;
        let outcome = match outcome {
            Ok(report) => {
                let counts: [(&str, &dyn std::fmt::Display); 3] = [
                    ("stored", &report.stored),
                    ("rejected", &report.rejected),
                    ("conflicts", &report.conflicts),
                ];
                let sent = i18n::SYNC_SENT_SUMMARY.fill(lang, &counts);
                let got = i18n::SYNC_RECEIVED_SUMMARY
                    .fill(lang, &[("changes", &report.changes), ("pages", &report.pages)]);
                (true, format!("{sent} {got}"))
            }
            Err(err) => (false, error_text(&err, shared.lang())),
        };
        let mut p = shared.sync.lock().unwrap_or_else(PoisonError::into_inner);
        p.running = false;
        p.outcome = Some(outcome);
    });
}

async fn run(shared: &Shared) -> Result<odf_client::SyncReport, odf_client::ClientError> {
    let server = shared.client.server_url().await?.ok_or(odf_client::ClientError::NotLoggedIn)?;
    let transport =
        HttpTransport::new(&server).map_err(|_| odf_client::ClientError::BadServerUrl(server.clone()))?;
    let options = SyncOptions {
        app_version: format!("odf-field-ui/{}", env!("CARGO_PKG_VERSION")),
        ..SyncOptions::default()
    };
    let mut progress = |event: &SyncEvent| on_event(shared, event);
    shared.client.sync(&transport, &TokioSleeper, &options, &mut progress).await
}

pub(crate) async fn start(state: State) -> Response {
    spawn(&state);
    Redirect::to("/kirim").into_response()
}

/// `odf-field retry`: a refused record goes out again at the next sync.
pub(crate) async fn retry(state: State, Path(id): Path<Uuid>) -> Response {
    match state.client.requeue(id).await {
        Ok(()) => Redirect::to("/kirim").into_response(),
        Err(err) => failure(&state, &err).await,
    }
}

pub(crate) async fn page(state: State) -> Response {
    let lang = state.lang();
    let l = core(lang);
    let (status, outbox) = match (state.client.status().await, state.client.outbox(None).await) {
        (Ok(s), Ok(o)) => (s, o),
        (Err(err), _) | (_, Err(err)) => return failure(&state, &err).await,
    };
    let progress = state.sync.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let run = match (&progress.running, &progress.outcome) {
        (true, _) => "running",
        (false, Some((true, _))) => "done",
        (false, Some((false, _))) => "failed",
        (false, None) => "idle",
    };
    let mut progress_text = progress.step.map(|t| t.get(l).to_owned()).unwrap_or_default();
    if progress.page > 0 {
        progress_text = i18n::PROGRESS_PULLING_PAGE.fill(l, &[("page", &progress.page)]);
    }
    let records = outbox
        .iter()
        .map(|entry| {
            let state = entry.sync_state();
            let fix = match &state {
                SyncState::Rejected { code, message, .. } | SyncState::Conflict { code, message } => Some(
                    code.as_deref()
                        .and_then(i18n::refusal)
                        .map(|t| t.get(l).to_owned())
                        .or_else(|| message.clone())
                        .unwrap_or_default(),
                ),
                _ => None,
            };
            RecordRow {
                id: entry.record_id.to_string(),
                short: short(entry.record_id),
                kind: i18n::record_kind(entry.kind, l).to_owned(),
                sync: badge(&state, lang),
                fix,
            }
        })
        .collect();
    let p = odf_web::phone::PhoneLabels::of(lang);
    let clock_warning = status.clock.filter(|c| c.is_warning()).map(|c| {
        let minutes = c.phone_ahead_minutes();
        if minutes > 0 {
            i18n::CLOCK_AHEAD.fill(l, &[("minutes", &minutes)])
        } else {
            i18n::CLOCK_BEHIND.fill(l, &[("minutes", &minutes.abs())])
        }
    });
    let (layout, frame) = frame(&state, p.sync_title.to_owned(), "sync").await;
    html(odf_web::phone::sync(&SyncView {
        layout,
        frame,
        run,
        progress_value: progress.value,
        progress_max: progress.max.max(1),
        progress_text,
        outcome: progress.outcome.map(|(_, text)| text),
        not_sent: status.not_sent,
        sent_not_confirmed: status.sent_not_confirmed,
        records,
        last_sync: status
            .last_sync_at
            .map_or_else(|| p.never.to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
        clock_warning,
    }))
}
