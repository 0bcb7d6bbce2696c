//! One JSON error shape for every failure: `{"error": {"code": "...", "message": "...", ...}}`.
//!
//! `code` is a stable machine string from [`ErrorCode`] (never reworded once released); `message` is
//! for people, Bahasa Indonesia first with English in brackets; `field` and `index` say where in the
//! request the problem is, when that is known.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, one of [`ErrorCode`].
    pub code: String,
    /// Human message.
    pub message: String,
    /// The request field at fault, when known (e.g. `visits[3].category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail { code: code.as_str().to_owned(), message: message.into(), field: None },
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ErrorBody {
        self.error.field = Some(field.into());
        self
    }
}

/// Every error code the API sends, for whole requests (with an HTTP status) and for single records
/// of a push (inside a 200 response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // Whole requests.
    /// 400: the body is not the JSON this endpoint expects.
    MalformedBody,
    /// 400: a query parameter is missing or invalid.
    InvalidQuery,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 413: a push holds more records than the server accepts in one batch.
    TooManyRecords,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 401: no bearer token, or an unknown, revoked or expired one.
    Unauthenticated,
    /// 401: wrong username or password.
    InvalidCredentials,
    /// 403: the account is disabled.
    UserDisabled,
    /// 429: too many failed logins; wait and try again.
    TooManyAttempts,
    /// 403: the role may not do this.
    Forbidden,
    /// 403 (or a record result): the area is outside the caller's scope.
    OutOfScope,
    /// 404: no such resource (or none the caller may know of).
    NotFound,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 405: the path exists but not with this HTTP method.
    MethodNotAllowed,
    /// 408: the request (headers or body) did not arrive in time.
    RequestTimeout,
    /// 414: the address (path and query) is longer than the server accepts.
    UriTooLong,
    /// 431: the request's headers are larger than the server accepts.
    HeadersTooLarge,
    /// 409: a stored record no longer reads back (changed behind the server's back); an admin must
    /// look at it. Nothing was changed.
    RecordCorrupt,
    /// 500: a fault on the server; nothing was changed.
    Internal,
    /// 503: the server cannot reach its database.
    Unavailable,
    // Single records of a push.
    /// A field has an invalid value; `field` names it.
    InvalidField,
    /// An area code that is not a Kemendagri code.
    InvalidAreaCode,
    /// A GPS point that is not a valid point in Indonesia.
    InvalidGps,
    /// A sanitation category that is neither a ladder rung nor a legacy code.
    UnknownCategory,
    /// The code names no registered desa/kelurahan.
    UnknownVillage,
    /// The visit's household is neither stored nor in the same push.
    UnknownHousehold,
    /// The visit names another user as the sanitarian.
    SanitarianMismatch,
    /// The household edit is based on a revision newer than the stored one.
    BadRevision,
    /// A record id that is not an RFC 9562 UUID, or is the nil or max UUID (v7 recommended).
    InvalidId,
    /// A household registered at a code that is not a village (desa/kelurahan) code.
    NotAVillage,
    /// A required field is empty.
    FieldMissing,
    /// A text field is longer than allowed.
    FieldTooLong,
    /// A household's number of KK is out of range.
    KkOutOfRange,
    /// A visit time later than the server's clock allows.
    VisitInFuture,
    /// A photo hash that is not 64 lowercase hex characters.
    BadPhotoHash,
    /// A text field with a control character (such as NUL), a bidi override, or invisible characters
    /// only (the shared text rule, `odf_domain::input`).
    FieldBadCharacter,
    /// A visit time before the earliest plausible date (2000-01-01).
    VisitTooEarly,
    // ODF verification and certificates.
    /// 409: the village may not claim SBS yet (not every household visited recently with access).
    NotEligible,
    /// 409: the village's status does not allow this step (see the status machine).
    TransitionNotAllowed,
    /// 400: this step needs a reason.
    ReasonRequired,
    /// 400: the verification team has fewer than 3 members.
    TeamTooSmall,
    /// 400: the verification team is larger than allowed.
    TeamTooLarge,
    /// 400: the verification team must have an odd number of members.
    TeamSizeEven,
    /// 400: a team member has no username.
    TeamMemberMissing,
    /// 400: a team member is listed twice.
    TeamMemberDuplicate,
    /// 400: a team member is registered in the village being verified.
    TeamMemberFromVillage,
    /// 400: a team member's username is not a user of odf-verify.
    UnknownTeamMember,
    /// 409: the village has no registered households to sample.
    SampleNoHouseholds,
    /// 400: a random-units sample needs a count of 1 or more.
    SampleZeroUnits,
    /// 409: the community criteria must be recorded before the decision.
    CommunityNotRecorded,
    /// 400: a Gagal decision needs a reason.
    DecisionReasonRequired,
    /// 400: deciding against the rules' suggestion needs a reason.
    DecisionOverrideReasonRequired,
    /// 409: the verification is already decided.
    VerificationDecided,
    /// 409: the certificate is already revoked.
    CertificateRevoked,
    /// 503: the server's certificate signing key could not be loaded.
    SigningKeyUnavailable,
    // Photos (`/v1/photos/{sha256}`).
    /// 413: the photo is larger than the server accepts.
    PhotoTooLarge,
    /// 415: the photo is not a JPEG, PNG or WebP image (told by its first bytes).
    PhotoTypeUnsupported,
    /// 400: the complete bytes do not hash to the photo's name; what was received is discarded.
    PhotoHashMismatch,
    /// 409: a chunk starts after the bytes received so far; `Upload-Offset` says where to go on.
    PhotoOffsetMismatch,
    /// 400: `Content-Range` is malformed, or disagrees with the body or an earlier chunk.
    InvalidContentRange,
    /// 411: an upload without `Content-Length` or `Content-Range`: its end could not be told from a
    /// cut connection.
    LengthRequired,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 61] = [
        ErrorCode::MalformedBody,
        ErrorCode::InvalidQuery,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TooManyRecords,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::UserDisabled,
        ErrorCode::TooManyAttempts,
        ErrorCode::Forbidden,
        ErrorCode::OutOfScope,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::RecordCorrupt,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::InvalidField,
        ErrorCode::InvalidAreaCode,
        ErrorCode::InvalidGps,
        ErrorCode::UnknownCategory,
        ErrorCode::UnknownVillage,
        ErrorCode::UnknownHousehold,
        ErrorCode::SanitarianMismatch,
        ErrorCode::BadRevision,
        ErrorCode::InvalidId,
        ErrorCode::NotAVillage,
        ErrorCode::FieldMissing,
        ErrorCode::FieldTooLong,
        ErrorCode::KkOutOfRange,
        ErrorCode::VisitInFuture,
        ErrorCode::BadPhotoHash,
        ErrorCode::FieldBadCharacter,
        ErrorCode::VisitTooEarly,
        ErrorCode::NotEligible,
        ErrorCode::TransitionNotAllowed,
        ErrorCode::ReasonRequired,
        ErrorCode::TeamTooSmall,
        ErrorCode::TeamTooLarge,
        ErrorCode::TeamSizeEven,
        ErrorCode::TeamMemberMissing,
        ErrorCode::TeamMemberDuplicate,
        ErrorCode::TeamMemberFromVillage,
        ErrorCode::UnknownTeamMember,
        ErrorCode::SampleNoHouseholds,
        ErrorCode::SampleZeroUnits,
        ErrorCode::CommunityNotRecorded,
        ErrorCode::DecisionReasonRequired,
        ErrorCode::DecisionOverrideReasonRequired,
        ErrorCode::VerificationDecided,
        ErrorCode::CertificateRevoked,
        ErrorCode::SigningKeyUnavailable,
        ErrorCode::PhotoTooLarge,
        ErrorCode::PhotoTypeUnsupported,
        ErrorCode::PhotoHashMismatch,
        ErrorCode::PhotoOffsetMismatch,
        ErrorCode::InvalidContentRange,
        ErrorCode::LengthRequired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedBody => "malformed_body",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TooManyRecords => "too_many_records",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::UserDisabled => "user_disabled",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::OutOfScope => "out_of_scope",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::RecordCorrupt => "record_corrupt",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidAreaCode => "invalid_area_code",
            ErrorCode::InvalidGps => "invalid_gps",
            ErrorCode::UnknownCategory => "unknown_category",
            ErrorCode::UnknownVillage => "unknown_village",
            ErrorCode::UnknownHousehold => "unknown_household",
            ErrorCode::SanitarianMismatch => "sanitarian_mismatch",
            ErrorCode::BadRevision => "bad_revision",
            ErrorCode::InvalidId => "invalid_id",
            ErrorCode::NotAVillage => "not_a_village",
            ErrorCode::FieldMissing => "field_missing",
            ErrorCode::FieldTooLong => "field_too_long",
            ErrorCode::KkOutOfRange => "kk_out_of_range",
            ErrorCode::VisitInFuture => "visit_in_future",
            ErrorCode::BadPhotoHash => "bad_photo_hash",
            ErrorCode::FieldBadCharacter => "field_bad_character",
            ErrorCode::VisitTooEarly => "visit_too_early",
            ErrorCode::NotEligible => "not_eligible",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::ReasonRequired => "reason_required",
            ErrorCode::TeamTooSmall => "team_too_small",
            ErrorCode::TeamTooLarge => "team_too_large",
            ErrorCode::TeamSizeEven => "team_size_even",
            ErrorCode::TeamMemberMissing => "team_member_missing",
            ErrorCode::TeamMemberDuplicate => "team_member_duplicate",
            ErrorCode::TeamMemberFromVillage => "team_member_from_village",
            ErrorCode::UnknownTeamMember => "unknown_team_member",
            ErrorCode::SampleNoHouseholds => "sample_no_households",
            ErrorCode::SampleZeroUnits => "sample_zero_units",
            ErrorCode::CommunityNotRecorded => "community_not_recorded",
            ErrorCode::DecisionReasonRequired => "decision_reason_required",
            ErrorCode::DecisionOverrideReasonRequired => "decision_override_reason_required",
            ErrorCode::VerificationDecided => "verification_decided",
            ErrorCode::CertificateRevoked => "certificate_revoked",
            ErrorCode::SigningKeyUnavailable => "signing_key_unavailable",
            ErrorCode::PhotoTooLarge => "photo_too_large",
            ErrorCode::PhotoTypeUnsupported => "photo_type_unsupported",
            ErrorCode::PhotoHashMismatch => "photo_hash_mismatch",
            ErrorCode::PhotoOffsetMismatch => "photo_offset_mismatch",
            ErrorCode::InvalidContentRange => "invalid_content_range",
            ErrorCode::LengthRequired => "length_required",
        }
    }
}

impl ErrorCode {
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_strings() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        }
    }

    #[test]
    fn the_error_shape_is_nested_under_error() {
        let body =
            ErrorBody::new(ErrorCode::OutOfScope, "di luar wilayah").with_field("households[0].village");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["error"]["code"], "out_of_scope");
        assert_eq!(json["error"]["field"], "households[0].village");
    }
}
