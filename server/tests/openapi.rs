//! `mobile-api/openapi.json` must be exactly what the server generates. After changing a handler or
//! a wire type, regenerate it: `ODF_UPDATE_OPENAPI=1 cargo test -p odf-server --test openapi`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

#[test]
fn the_checked_in_openapi_document_matches_the_server() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(odf_mobile_api::OPENAPI_PATH);
    let generated = odf_server::openapi::api_doc_json();
    if std::env::var_os("ODF_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale: run ODF_UPDATE_OPENAPI=1 cargo test -p odf-server --test openapi",
        path.display()
    );
}
