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
        routes::visits_export::visits_csv,
        routes::visits_export::visits_ndjson,
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
    modifiers(&BearerAuth, &CommonRefusals),
    tags(
        (name = "auth", description = "Login and tokens"),
        (name = "sync", description = "Phones push records and pull changes"),
        (name = "coverage", description = "Roll-ups for dashboards: % KK akses and % desa SBS, counts only"),
        (name = "export", description = "Visits, one row each, streamed for analysts: admins and viewers (without names, phones or GPS)"),
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

/// The refusals every operation of a kind can answer, whatever its handler: 401 where a token is
/// required, 400 for a malformed path or query parameter, and 400/413/415 for a body that is not
/// JSON, too large, or in an unknown encoding (all in the error shape, see `crate::error`). Added here
/// once rather than on each handler; schemathesis (issue 17) found them answered but undocumented.
struct CommonRefusals;

impl Modify for CommonRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let refusal = |description: &str| {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            ResponseBuilder::new().description(description).content("application/json", content).build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.head,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| refusal(description).into());
                };
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let has_body = operation.request_body.is_some();
                if secured {
                    add("401", "unauthenticated: missing, unknown, revoked or expired token");
                }
                if has_parameters || has_body {
                    add("400", "malformed path or query parameter, or body (the error names its field)");
                }
                if has_body {
                    add("413", "body too large");
                    add("415", "not JSON, or an unknown Content-Encoding");
                }
            }
        }
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
