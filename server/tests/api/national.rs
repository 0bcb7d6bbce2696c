//! National scope: an account covering the whole country (Kemenkes), on both databases.

use std::sync::Arc;

use odf_domain::{AreaRef, Role};
use odf_server::commands::{self, UserSpec};

use crate::common::*;

fn national(username: &str, role: Role) -> UserSpec {
    UserSpec {
        username: username.to_owned(),
        display_name: Some("Kemenkes".to_owned()),
        role,
        area: AreaRef::Nasional,
        villages: vec![],
        password: PASSWORD.to_owned(),
    }
}

pub async fn a_national_viewer_reads_the_nation_and_every_area_below_it(app: Arc<TestApp>) {
    commands::add_user(&app.store, national("kemenkes", Role::Viewer), "test").await.unwrap();
    let kemenkes = app.login("kemenkes").await;
    let (status, me) = app.get("/v1/me", &kemenkes).await;
    assert_eq!((status, me["area"].as_str()), (200, Some("nasional")), "{me}");

    let (status, body) = app.get("/v1/coverage/nasional", &kemenkes).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["area"]["kk_akses"]["denominator"].is_number(), "{body}");
    for path in ["/v1/coverage/74", "/v1/coverage/74.71", "/v1/coverage/74.04.81/villages"] {
        let (status, body) = app.get(path, &kemenkes).await;
        assert_eq!(status, 200, "{path}: {body}");
    }

    // A provincial viewer still stops at the province.
    let provinsi = app.login("viewer").await;
    assert_eq!(app.get("/v1/coverage/74", &provinsi).await.0, 200);
    let (status, body) = app.get("/v1/coverage/nasional", &provinsi).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")));
}

pub async fn only_viewers_and_admins_can_cover_the_whole_country(app: Arc<TestApp>) {
    for role in [Role::Sanitarian, Role::Verifier] {
        let refused = commands::add_user(&app.store, national("nasional_x", role), "test").await;
        let message = refused.unwrap_err().to_string();
        assert!(message.contains("cakupan nasional"), "{role:?}: {message}");
    }
    let admin = commands::add_user(&app.store, national("operator", Role::Admin), "test").await.unwrap();
    assert_eq!(admin.area, AreaRef::Nasional);
    let token = app.login("operator").await;
    assert_eq!(app.get("/v1/coverage/nasional", &token).await.0, 200);
    // The admin's conflict list is the whole country's (no area filter), not an error.
    let (status, body) = app.get("/v1/admin/conflicts", &token).await;
    assert_eq!(status, 200, "{body}");
}
