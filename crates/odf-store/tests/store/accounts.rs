//! Users and sessions.

use chrono::{Duration, Utc};
use odf_store::testing::RawDb;
use odf_store::*;

use crate::common::*;

pub(crate) fn new_user(username: &str, role: odf_domain::Role) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: format!("Pengguna {username}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        role,
        area: code("74.04.81").into(),
        villages: vec![code(VILLAGE_A), code(VILLAGE_B)],
    }
}

pub(crate) async fn users_and_sessions_round_trip(store: AnyStore, _raw: RawDb) {
    let sanitarian = store.create_user(new_user("wa_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    store.create_user(new_user("admin", odf_domain::Role::Admin)).await.unwrap();
    let taken = store.create_user(new_user("wa_ode", odf_domain::Role::Viewer)).await.unwrap_err();
    assert_eq!(taken.code(), "username_taken");

    let by_id = store.user(sanitarian.id).await.unwrap().unwrap();
    assert_eq!(by_id, sanitarian);
    let by_name = store.user_by_username("wa_ode").await.unwrap().unwrap();
    assert_eq!(by_name.villages, vec![code(VILLAGE_A), code(VILLAGE_B)]);
    assert!(store.user_by_username("nobody").await.unwrap().is_none());
    let names: Vec<String> = store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, vec!["admin", "wa_ode"]);

    store.set_user_disabled("wa_ode", true).await.unwrap();
    assert!(store.user(sanitarian.id).await.unwrap().unwrap().disabled);
    assert_eq!(store.set_user_disabled("nobody", true).await.unwrap_err().code(), "not_found");

    let token_hash = [7u8; 32];
    let expires_at = Utc::now() + Duration::hours(12);
    let session = NewSession { token_hash, user_id: sanitarian.id, kind: SessionKind::Login, expires_at };
    store.create_session(session).await.unwrap();
    let stored = store.session(token_hash).await.unwrap().unwrap();
    assert_eq!(stored.user_id, sanitarian.id);
    assert!(stored.is_active(Utc::now()));
    assert!(!stored.is_active(expires_at + Duration::seconds(1)));
    assert!(store.revoke_session(token_hash).await.unwrap());
    assert!(!store.revoke_session(token_hash).await.unwrap());
    assert!(!store.session(token_hash).await.unwrap().unwrap().is_active(Utc::now()));
    assert!(store.session([9u8; 32]).await.unwrap().is_none());
}

pub(crate) async fn an_account_covering_the_whole_country_round_trips(store: AnyStore, _raw: RawDb) {
    let kemenkes = NewUser {
        area: odf_domain::AreaRef::Nasional,
        villages: vec![],
        ..new_user("kemenkes", odf_domain::Role::Viewer)
    };
    let created = store.create_user(kemenkes).await.unwrap();
    assert_eq!(created.area, odf_domain::AreaRef::Nasional);
    let stored = store.user_by_username("kemenkes").await.unwrap().unwrap();
    assert_eq!(stored, created);
    assert_eq!(stored.area.to_string(), "nasional");
    let listed = store.list_users().await.unwrap();
    assert_eq!(
        listed.iter().find(|u| u.username == "kemenkes").map(|u| u.area),
        Some(odf_domain::AreaRef::Nasional)
    );
}

pub(crate) async fn disabling_a_user_revokes_their_sessions_for_good(store: AnyStore, _raw: RawDb) {
    let user = store.create_user(new_user("wa_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let other = store.create_user(new_user("la_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let expires_at = Utc::now() + Duration::hours(12);
    for (hash, user_id) in [([1u8; 32], user.id), ([2u8; 32], other.id)] {
        let session = NewSession { token_hash: hash, user_id, kind: SessionKind::Login, expires_at };
        store.create_session(session).await.unwrap();
    }
    store.set_user_disabled("wa_ode", true).await.unwrap();
    store.set_user_disabled("wa_ode", false).await.unwrap();
    assert!(!store.session([1u8; 32]).await.unwrap().unwrap().is_active(Utc::now()));
    assert!(store.session([2u8; 32]).await.unwrap().unwrap().is_active(Utc::now()));
}
