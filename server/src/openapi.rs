//! The OpenAPI document, generated from the annotated handlers and the `odf-mobile-api` types.
//! `mobile-api/openapi.json` is its checked-in copy; the server test
//! `the_checked_in_openapi_document_matches_the_server` fails when they differ (regenerate with
//! `ODF_UPDATE_OPENAPI=1 cargo test -p odf-server --test api the_checked_in_openapi_document`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "odf-verify API",
        description = "Stop BABS: household sanitation sync, ODF verification and coverage. \
                       Every error is `{\"error\": {\"code\", \"message\", \"field\"?}}` with a stable code.",
    ),
    paths(
        routes::auth::login,
        routes::auth::logout,
        routes::auth::me,
        routes::sync::push,
        routes::sync::pull,
        routes::admin::list_conflicts,
        routes::admin::resolve_conflict,
        routes::coverage::area,
        routes::coverage::ranking,
        routes::coverage::series,
        routes::coverage::villages,
        routes::coverage::stbm_csv,
        routes::coverage::dhis2,
        routes::villages::trigger,
        routes::villages::claim,
        routes::villages::open_verification,
        routes::villages::history,
        routes::verifications::get,
        routes::verifications::community,
        routes::verifications::decide,
        routes::certificates::certificate,
        routes::certificates::certificate_pdf,
        routes::certificates::revoke,
        routes::notifications::list,
        routes::photos::head,
        routes::photos::put,
        routes::photos::get,
        routes::certificates::public_key,
        routes::certificates::public_check,
        routes::health::healthz,
        routes::health::readyz,
        routes::health::metrics,
    ),
    components(schemas(
        odf_mobile_api::ErrorBody,
        odf_mobile_api::ErrorDetail,
        odf_mobile_api::VerificationChangeDto,
        odf_mobile_api::CertificateChangeDto,
        odf_mobile_api::PlaceChangeDto
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login and tokens"),
        (name = "sync", description = "Phones push records and pull changes"),
        (name = "coverage", description = "Roll-ups for dashboards: % KK akses and % desa SBS, counts only"),
        (name = "admin", description = "Household edit conflicts for admins"),
        (name = "verification", description = "From triggering to an ODF decision: claim, verification team and sample, community criteria, Lulus/Gagal, history, notifications"),
        (name = "certificates", description = "ODF certificates (piagam): signed, printable, revocable"),
        (name = "photos", description = "Photos of visits: resumable, content-addressed upload (the name is the SHA-256), scoped reads"),
        (name = "public", description = "No login: the certificate signing key and the public certificate check"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document. The version is the crate's, so it changes only with a release.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document as written to `mobile-api/openapi.json`.
pub fn api_doc_json() -> String {
    let mut text = api_doc().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
