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
    // The one read authentication makes: the session as `session` reads it, with its user.
    let (joined, user) = store.session_user(token_hash).await.unwrap().unwrap();
    assert_eq!(joined, store.session(token_hash).await.unwrap().unwrap());
    assert_eq!(user, store.user(sanitarian.id).await.unwrap().unwrap());
    assert!(user.disabled && joined.revoked_at.is_some());
    assert!(store.session_user([9u8; 32]).await.unwrap().is_none());
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

pub(crate) async fn a_password_reset_revokes_logins_but_not_dashboard_tokens(store: AnyStore, _raw: RawDb) {
    let user = store.create_user(new_user("wa_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let other = store.create_user(new_user("la_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let expires_at = Utc::now() + Duration::hours(12);
    for (hash, user_id, kind) in [
        ([1u8; 32], user.id, SessionKind::Login),
        ([2u8; 32], user.id, SessionKind::Viewer),
        ([3u8; 32], other.id, SessionKind::Login),
    ] {
        store.create_session(NewSession { token_hash: hash, user_id, kind, expires_at }).await.unwrap();
    }
    store.set_user_password("wa_ode", "$argon2id$new").await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap().unwrap().password_hash, "$argon2id$new");
    let active = async |hash: u8| store.session([hash; 32]).await.unwrap().unwrap().is_active(Utc::now());
    assert!(!active(1).await, "the old password's login is gone");
    assert!(active(2).await, "a dashboard token is not a login");
    assert!(active(3).await, "another user's login stays");
    assert_eq!(store.set_user_password("nobody", "$x").await.unwrap_err().code(), "not_found");
}

/// A login retried with the same key (its answer was lost) finds the session the first one opened;
/// another key, another user, a revoked session or one older than the window opens a new one.
pub(crate) async fn a_login_retried_with_its_key_finds_the_session_it_opened(store: AnyStore, _raw: RawDb) {
    let user = store.create_user(new_user("wa_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let other = store.create_user(new_user("la_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    let expires_at = Utc::now() + Duration::days(60);
    let window = || Utc::now() - Duration::minutes(15);
    let session = |hash: u8, user_id| NewSession {
        token_hash: [hash; 32],
        user_id,
        kind: SessionKind::Login,
        expires_at,
    };
    let key =
        |key: u8, salt: u8| LoginKey { key_hash: [key; 32], token_salt: [salt; 32], not_before: window() };

    let first = store.create_keyed_session(session(1, user.id), key(10, 100)).await.unwrap();
    assert!(first.created);
    assert_eq!((first.token_hash, first.token_salt), ([1; 32], [100; 32]));
    assert!(store.session([1; 32]).await.unwrap().unwrap().is_active(Utc::now()));

    // The retry: same user, same key, a fresh token and salt of its own that are not kept.
    let again = store.create_keyed_session(session(2, user.id), key(10, 200)).await.unwrap();
    assert!(!again.created);
    assert_eq!((again.token_hash, again.token_salt), ([1; 32], [100; 32]));
    assert_eq!(again.expires_at, first.expires_at);
    assert!(store.session([2; 32]).await.unwrap().is_none(), "no second session row");

    // Another key, or the same key of another user: new sessions.
    assert!(store.create_keyed_session(session(3, user.id), key(11, 101)).await.unwrap().created);
    let theirs = store.create_keyed_session(session(4, other.id), key(10, 102)).await.unwrap();
    assert!(theirs.created && theirs.token_hash == [4; 32]);

    // A revoked session is not handed out again: the key opens a new one.
    assert!(store.revoke_session([1; 32]).await.unwrap());
    let after_revoke = store.create_keyed_session(session(5, user.id), key(10, 103)).await.unwrap();
    assert!(after_revoke.created && after_revoke.token_hash == [5; 32]);

    // Outside the window (opened before `not_before`): a new session too.
    let late = LoginKey { not_before: Utc::now() + Duration::seconds(1), ..key(10, 104) };
    let outside = store.create_keyed_session(session(6, user.id), late).await.unwrap();
    assert!(outside.created && outside.token_hash == [6; 32]);
    assert!(
        store.session([5; 32]).await.unwrap().unwrap().is_active(Utc::now()),
        "still valid, only unkeyed"
    );
}
