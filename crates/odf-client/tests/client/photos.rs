//! Photos kept on the phone: checked, named by their SHA-256, durable, attached to a visit.

use crate::support::*;
use odf_client::{Client, ClientError, VisitDraft};

/// A tiny "JPEG": the checks read only the first bytes.
pub fn jpeg(fill: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.resize(len.max(4), fill);
    bytes
}

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> String {
    match result {
        Err(err) => err.code().to_owned(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_kept_photo_is_named_by_its_hash_stored_once_and_survives_reopening() {
    let home = tempfile::tempdir().unwrap();
    let client = Client::open(home.path()).await.unwrap();
    let bytes = jpeg(7, 3000);

    let name = client.keep_photo(&bytes).await.unwrap();
    let again = client.keep_photo(&bytes).await.unwrap();

    assert_eq!(name, odf_domain::photo_hash(&bytes));
    assert_eq!(again, name);
    assert_eq!(client.photos().await.unwrap().len(), 1);
    client.close().await;
    let client = Client::open(home.path()).await.unwrap();
    assert_eq!(client.photo_bytes(&name).await.unwrap(), Some(bytes));
    let view = client.photo(&name).await.unwrap().unwrap();
    assert_eq!(
        (view.size, view.media_type.as_str(), view.own, view.uploaded_at),
        (3000, "image/jpeg", true, None)
    );
    assert!(home.path().join("photos").join(&name).exists());
}

#[tokio::test]
async fn what_is_not_a_photo_or_is_too_large_is_refused_before_anything_is_kept() {
    let home = tempfile::tempdir().unwrap();
    let client = Client::open(home.path()).await.unwrap();

    assert_eq!(code(client.keep_photo(b"<svg onload=alert(1)>").await), "photo_type_unsupported");
    assert_eq!(code(client.keep_photo(b"").await), "photo_type_unsupported");
    let huge = jpeg(1, 5 * 1024 * 1024 + 1);
    assert_eq!(code(client.keep_photo(&huge).await), "photo_too_large");
    assert!(client.photos().await.unwrap().is_empty());
    assert_eq!(client.photo_bytes(&"0".repeat(64)).await.unwrap(), None);
}

#[tokio::test]
async fn a_visit_carries_the_name_of_a_kept_photo() {
    let home = tempfile::tempdir().unwrap();
    let client = Client::open(home.path()).await.unwrap();
    client.set_up("http://odf.example.invalid", "sani").await.unwrap();
    let household = add_household(&client, "La Ode Hamid").await;
    let photo = client.keep_photo(&jpeg(3, 100)).await.unwrap();

    let draft = VisitDraft {
        household_id: household,
        category: "JSP".to_owned(),
        photo_sha256: Some(photo.clone()),
        ..VisitDraft::default()
    };
    let odf_client::Saved::Saved { record, .. } = client.record_visit(draft, false).await.unwrap() else {
        panic!("saved without warnings")
    };
    assert_eq!(record.photo_sha256, Some(photo));
}
