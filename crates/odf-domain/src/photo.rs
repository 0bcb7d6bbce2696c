//! Photos of a visit: what a photo is allowed to be, wherever it is checked (on the phone when it is
//! kept, on the server when it arrives).
//!
//! A photo is named by the lowercase hex SHA-256 of its bytes, the `photo_sha256` a visit carries:
//! the name is the content, so the same photo sent twice is one photo, and a photo that does not
//! hash to its name is not that photo. Its type is read from its first bytes (JPEG, PNG or WebP),
//! never from what a header or a file name claims, and its size is bounded
//! ([`DEFAULT_MAX_PHOTO_BYTES`] unless the server is configured otherwise).

use sha2::{Digest, Sha256};
use thiserror::Error;

/// 5 MiB: a phone camera's JPEG at full resolution is 2-4 MB; anything larger is better resized on
/// the phone before it crosses a 2G link.
pub const DEFAULT_MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;

/// How many first bytes [`PhotoKind::sniff`] needs to tell every accepted type.
pub const SNIFF_LEN: usize = 12;

/// The image types accepted, told by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoKind {
    Jpeg,
    Png,
    Webp,
}

impl PhotoKind {
    /// The type of an image from its first bytes (at least [`SNIFF_LEN`] of them for WebP), or
    /// `None` when it is none of the accepted types.
    pub fn sniff(head: &[u8]) -> Option<PhotoKind> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoKind::Png)
        } else if head.len() >= SNIFF_LEN && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
            Some(PhotoKind::Webp)
        } else {
            None
        }
    }

    /// The media type a photo of this kind is served with.
    pub fn mime(self) -> &'static str {
        match self {
            PhotoKind::Jpeg => "image/jpeg",
            PhotoKind::Png => "image/png",
            PhotoKind::Webp => "image/webp",
        }
    }
}

/// Why a photo is refused. `code()` is the stable wire code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhotoError {
    #[error("foto paling besar {max} byte, yang ini {size} byte (photo too large)")]
    TooLarge { size: u64, max: u64 },
    #[error("foto harus JPEG, PNG atau WebP (photo must be a JPEG, PNG or WebP image)")]
    UnsupportedType,
    #[error("foto kosong (empty photo)")]
    Empty,
}

impl PhotoError {
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge { .. } => "photo_too_large",
            PhotoError::UnsupportedType | PhotoError::Empty => "photo_type_unsupported",
        }
    }
}

/// Whether `text` can name a photo: 64 lowercase hex characters.
pub fn is_photo_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The name of a photo: the lowercase hex SHA-256 of its bytes.
pub fn photo_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a whole photo against the size limit and the accepted types; gives its kind.
pub fn check_photo(bytes: &[u8], max_bytes: u64) -> Result<PhotoKind, PhotoError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size == 0 {
        return Err(PhotoError::Empty);
    }
    if size > max_bytes {
        return Err(PhotoError::TooLarge { size, max: max_bytes });
    }
    PhotoKind::sniff(bytes).ok_or(PhotoError::UnsupportedType)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest byte strings each accepted type starts with, padded: enough for the checks,
    /// which read only the first bytes.
    fn jpeg(fill: u8, len: usize) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        bytes.resize(len.max(4), fill);
        bytes
    }

    #[test]
    fn types_are_told_by_their_first_bytes_not_by_their_name() {
        assert_eq!(PhotoKind::sniff(&jpeg(0, 20)), Some(PhotoKind::Jpeg));
        assert_eq!(PhotoKind::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(PhotoKind::Png));
        assert_eq!(PhotoKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(PhotoKind::Webp));
        assert_eq!(PhotoKind::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None, "a RIFF that is not WebP");
        assert_eq!(PhotoKind::sniff(b"GIF89a......"), None);
        assert_eq!(PhotoKind::sniff(b"<svg xmlns="), None, "SVG can carry script: never served");
        assert_eq!(PhotoKind::sniff(b"RIFF"), None, "too short to tell");
    }

    #[test]
    fn a_photo_is_checked_for_size_and_type() {
        assert_eq!(check_photo(&jpeg(1, 100), 100), Ok(PhotoKind::Jpeg));
        assert_eq!(check_photo(&jpeg(1, 101), 100), Err(PhotoError::TooLarge { size: 101, max: 100 }));
        assert_eq!(check_photo(b"hello world!", 100).map_err(|e| e.code()), Err("photo_type_unsupported"));
        assert_eq!(check_photo(b"", 100).map_err(|e| e.code()), Err("photo_type_unsupported"));
    }

    #[test]
    fn a_photo_is_named_by_the_lowercase_hex_sha256_of_its_bytes() {
        let name = photo_hash(b"abc");
        assert_eq!(name, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(is_photo_hash(&name));
        assert!(!is_photo_hash(&name.to_ascii_uppercase()));
        assert!(!is_photo_hash(&name[1..]));
        assert!(!is_photo_hash("../../etc/passwd"));
    }
}
