//! The verification desk (issue 16, first slice, read-only): the claims waiting for verification,
//! the open verifications with how far their sample has been visited, and the notifications of
//! slipped villages. Each line links to the village's desk page (`/meja/desa/{code}`: open the
//! verification, verify a slipped village again) or the open verification's page. The server
//! picks the lines with the API's store methods and scope rules; this module only prints them.

use chrono::{DateTime, Utc};
use odf_domain::AreaCode;

use crate::format::number_text;
use crate::view::{Layout, moment_text};

/// A village whose SBS claim waits for a verification.
#[derive(Debug, Clone)]
pub struct ClaimInput {
    pub village: AreaCode,
    pub name: String,
    /// When the village entered `klaim_sbs`, if known.
    pub since: Option<DateTime<Utc>>,
}

/// An opened, undecided verification.
#[derive(Debug, Clone)]
pub struct OpenInput {
    pub village: AreaCode,
    /// The verification's id, for its desk page.
    pub id: String,
    pub name: String,
    pub opened_at: DateTime<Utc>,
    /// The team members' names, in the team's order.
    pub team: Vec<String>,
    pub sample_size: usize,
    /// Sampled households with at least one verification visit.
    pub visited: usize,
}

/// A notification (a slipped village), with the store's bilingual message.
#[derive(Debug, Clone)]
pub struct NoticeInput {
    pub village: AreaCode,
    pub name: String,
    pub at: DateTime<Utc>,
    pub message: String,
    /// The village is slipped now (not yet revoked or verified again): offer to verify it again.
    pub slipped: bool,
}

#[derive(Debug)]
pub struct DeskInput {
    pub layout: Layout,
    pub claims: Vec<ClaimInput>,
    pub open: Vec<OpenInput>,
    pub notices: Vec<NoticeInput>,
}

#[derive(Debug, Clone)]
pub struct ClaimLine {
    pub code: String,
    pub name: String,
    pub href: String,
    pub since: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OpenLine {
    pub code: String,
    pub name: String,
    pub href: String,
    pub opened: String,
    pub team: String,
    pub sample: String,
    pub visited: String,
    /// Every sampled household visited: ready for the decision.
    pub complete: bool,
}

#[derive(Debug, Clone)]
pub struct NoticeLine {
    pub code: String,
    pub name: String,
    pub href: String,
    pub at: String,
    pub message: String,
    /// The desk page where the village can be verified again, while it is slipped.
    pub again_href: Option<String>,
}

#[derive(Debug)]
pub struct DeskView {
    pub layout: Layout,
    pub claims: Vec<ClaimLine>,
    pub open: Vec<OpenLine>,
    pub notices: Vec<NoticeLine>,
    /// The words of the "verify again" link.
    pub verify_again: &'static str,
}

fn href(village: AreaCode) -> String {
    format!("/meja/desa/{village}")
}

pub fn desk_view(input: DeskInput) -> DeskView {
    let lang = input.layout.lang;
    // Each moment in its village's local time (Indonesia spans three zones).
    let moment = |at: DateTime<Utc>, village: AreaCode| moment_text(at, village.utc_offset_hours(), lang);
    let count = |n: usize| number_text(i64::try_from(n).unwrap_or(i64::MAX), lang);
    let claims = input
        .claims
        .into_iter()
        .map(|c| ClaimLine {
            code: c.village.to_string(),
            href: href(c.village),
            since: c.since.map(|at| moment(at, c.village)),
            name: c.name,
        })
        .collect();
    let open = input
        .open
        .into_iter()
        .map(|o| OpenLine {
            code: o.village.to_string(),
            href: format!("{}/verifikasi/{}", href(o.village), o.id),
            opened: moment(o.opened_at, o.village),
            team: o.team.join(", "),
            sample: count(o.sample_size),
            visited: count(o.visited),
            complete: o.visited >= o.sample_size,
            name: o.name,
        })
        .collect();
    let notices = input
        .notices
        .into_iter()
        .map(|n| NoticeLine {
            code: n.village.to_string(),
            href: href(n.village),
            at: moment(n.at, n.village),
            again_href: n.slipped.then(|| href(n.village)),
            name: n.name,
            message: n.message,
        })
        .collect();
    DeskView {
        verify_again: crate::desk_words::words(lang).verify_again,
        layout: input.layout,
        claims,
        open,
        notices,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn lines_link_to_their_village_and_print_in_the_pages_language() {
        let village = AreaCode::parse("74.04.81.2001").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-29T02:00:00Z").unwrap().to_utc();
        for (lang, opened) in [(Lang::Id, "29 November 2026 10:00"), (Lang::En, "29 November 2026 10:00")] {
            let view = desk_view(DeskInput {
                layout: Layout::new(lang, "Meja".to_owned(), "/meja".to_owned(), None),
                claims: vec![ClaimInput { village, name: "Wakoko".to_owned(), since: None }],
                open: vec![OpenInput {
                    village,
                    id: "v1".to_owned(),
                    name: "Wakoko".to_owned(),
                    opened_at: at,
                    team: vec!["A".to_owned(), "B".to_owned()],
                    sample_size: 1200,
                    visited: 3,
                }],
                notices: Vec::new(),
            });
            assert_eq!(view.claims[0].href, "/meja/desa/74.04.81.2001");
            assert_eq!(view.open[0].href, "/meja/desa/74.04.81.2001/verifikasi/v1");
            assert_eq!(view.open[0].opened, opened);
            assert_eq!(view.open[0].team, "A, B");
            assert!(!view.open[0].complete);
            let html = crate::pages::desk(&view).unwrap();
            assert!(html.contains("href=\"/meja/desa/74.04.81.2001\""));
            assert!(html.contains(lang.labels().desk_claims));
            assert!(html.contains(lang.labels().desk_no_notifications));
        }
    }
}
