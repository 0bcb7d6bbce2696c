//! The texts about photos (keeping, sending, fetching), in Indonesian and English. Part of the one
//! catalogue of [`crate::i18n`], checked by the same test.

use super::Text;

catalogue! {
    PHOTOS;
    SENDING_PHOTOS = "Mengirim foto", "Sending photos";
    PROGRESS_PHOTO = "Mengirim foto {number}: {percent}%", "Sending photo {number}: {percent}%";
    FETCHING_SAMPLE_PHOTOS = "Mengambil foto sampel verifikasi", "Fetching the verification sample's photos";
    SYNC_PHOTOS_SUMMARY = "Foto: {uploaded} terkirim, {waiting} menunggu, {refused} ditolak, {pulled} diambil.",
        "Photos: {uploaded} sent, {waiting} waiting, {refused} refused, {pulled} fetched.";
}
