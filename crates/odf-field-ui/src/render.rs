//! What every screen shares: the layout and tabs, the core's words for a record's state and for
//! an error, and turning a rendered page (or a failure) into a response.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use odf_client::i18n;
use odf_client::{ClientError, SyncState};
use odf_web::Lang;
use odf_web::phone::{Figure, Frame, MessageView, SyncBadge};
use odf_web::view::Layout;

use crate::State;

/// The core's language for the page's.
pub(crate) fn core(lang: Lang) -> odf_client::Lang {
    match lang {
        Lang::Id => odf_client::Lang::Id,
        Lang::En => odf_client::Lang::En,
    }
}

/// A page's layout (the dashboard's `base.html`: no dashboard account, no sign-in link) and the
/// phone's frame with the tabs.
pub(crate) async fn frame(state: &State, title: String, tab: &'static str) -> (Layout, Frame) {
    let lang = state.lang();
    let href = format!("/bahasa/{}", lang.other().as_str());
    let mut layout = Layout::new(lang, title, href, None);
    layout.offer_sign_in = false;
    let mut frame = Frame::new(lang, tab);
    if let Ok(status) = state.client.status().await {
        frame.waiting =
            status.pending + u32::try_from(status.rejected.len() + status.conflicts.len()).unwrap_or(0);
    }
    if let Ok(Some(user)) = state.client.user().await {
        frame.verifier = user.role == "verifier";
        frame.user = Some(format!("{} ({})", user.display_name, user.username));
    }
    (layout, frame)
}

/// A record's state in the core's words.
pub(crate) fn badge(state: &SyncState, lang: Lang) -> SyncBadge {
    let lang = core(lang);
    let reason = |code: &Option<String>, message: &Option<String>| {
        let text = code.as_deref().and_then(i18n::refusal).map(|t| t.get(lang).to_owned());
        text.or_else(|| message.clone()).or_else(|| code.clone()).unwrap_or_default()
    };
    match state {
        SyncState::Pending => SyncBadge { code: "not_sent", text: i18n::STATE_NOT_SENT.get(lang).to_owned() },
        SyncState::SentNotConfirmed { .. } => SyncBadge {
            code: "sent_not_confirmed",
            text: i18n::STATE_SENT_NOT_CONFIRMED.get(lang).to_owned(),
        },
        SyncState::Synced => SyncBadge { code: "stored", text: i18n::STATE_STORED.get(lang).to_owned() },
        SyncState::Rejected { code, message, .. } => SyncBadge {
            code: "rejected",
            text: i18n::STATE_REFUSED.fill(lang, &[("reason", &reason(code, message))]),
        },
        SyncState::Conflict { code, message } => SyncBadge {
            code: "conflict",
            text: i18n::STATE_CONFLICT.fill(lang, &[("reason", &reason(code, message))]),
        },
    }
}

/// A failure of the core in its own words, with the technical detail after a dash.
pub(crate) fn error_text(err: &ClientError, lang: Lang) -> String {
    let message = err.message(core(lang));
    match err.detail() {
        Some(detail) => format!("{message} — {detail}"),
        None => message,
    }
}

/// % KK akses with its parts and its date.
pub(crate) fn figure(numerator: i64, denominator: i64, day: chrono::NaiveDate, lang: Lang) -> Figure {
    use odf_web::format::{date_text, number_text, percent_text};
    Figure {
        percent: percent_text(
            u64::try_from(numerator).unwrap_or(0),
            u64::try_from(denominator).unwrap_or(0),
            lang.decimal_comma(),
        ),
        numerator,
        denominator,
        numerator_text: number_text(numerator, lang),
        denominator_text: number_text(denominator, lang),
        as_of: date_text(day, lang),
    }
}

/// `8 hex` from the end of an id, as the command line shows it.
pub(crate) fn short(id: uuid::Uuid) -> String {
    let simple = id.simple().to_string();
    simple.get(simple.len().saturating_sub(8)..).unwrap_or_default().to_owned()
}

pub(crate) fn html(page: Result<String, odf_web::RenderError>) -> Response {
    match page {
        Ok(body) => Html(body).into_response(),
        Err(err) => {
            tracing::error!(%err, "rendering a phone page");
            (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response()
        }
    }
}

pub(crate) async fn message(state: &State, status: StatusCode, heading: String, text: String) -> Response {
    let (layout, frame) = frame(state, heading.clone(), "").await;
    let view = MessageView { layout, frame, status: status.as_u16(), heading, message: text };
    let mut response = html(odf_web::phone::message(&view));
    *response.status_mut() = status;
    response
}

/// A failure of the core as a page.
pub(crate) async fn failure(state: &State, err: &ClientError) -> Response {
    let lang = state.lang();
    let heading = i18n::ERROR.get(core(lang)).to_owned();
    let status = if matches!(err, ClientError::UnknownHousehold(_) | ClientError::UnknownVerification(_)) {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    message(state, status, heading, error_text(err, lang)).await
}

pub(crate) async fn not_found(state: State) -> Response {
    let lang = state.lang();
    message(&state, StatusCode::NOT_FOUND, "404".to_owned(), lang.labels().not_found_text.to_owned()).await
}

pub(crate) async fn switch_lang(state: State, Path(lang): Path<String>) -> Response {
    if let Some(lang) = Lang::parse(&lang) {
        *state.lang.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = lang;
    }
    Redirect::to("/").into_response()
}

pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    match odf_web::phone::asset(&name) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A value typed on a screen that does not read, said like the core's own field errors.
pub(crate) fn invalid(field: &'static str, message: &str) -> ClientError {
    ClientError::Invalid {
        problem: odf_mobile_api::RecordProblem {
            code: odf_mobile_api::ErrorCode::InvalidField,
            field,
            message: message.to_owned(),
        },
    }
}
