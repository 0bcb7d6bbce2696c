//! Photos: `/v1/photos/{sha256}`, a resumable, content-addressed upload.
//!
//! A photo's name is the lowercase hex SHA-256 of its bytes (a visit's `photo_sha256`), so sending
//! the same photo again stores nothing new. The protocol, in the spirit of the IETF's resumable
//! uploads draft but on one address:
//! - `HEAD /v1/photos/{sha256}`: `Upload-Offset` is how many bytes the server holds (the size when
//!   complete), `Upload-Complete` is `?1` or `?0`.
//! - `PUT /v1/photos/{sha256}`: the bytes from `start`, said by `Content-Range: bytes
//!   start-end/size` (without it the body is the whole photo, and `Content-Length` its size). A
//!   chunk may start before the offset (those bytes are already held and skipped, so a chunk sent
//!   again after a lost answer is harmless), never after it (`409 photo_offset_mismatch`). Bytes
//!   that arrive before a connection drops are kept: the next `HEAD` says where to go on. When the
//!   last byte arrives the server hashes the whole photo; a photo whose bytes do not hash to its
//!   name is discarded (`400 photo_hash_mismatch`), and the phone sends it again from the start.
//! - `GET /v1/photos/{sha256}`: the photo, to anyone whose scope covers a village with a visit
//!   that names it; everyone else gets 404, the answer for a photo that does not exist.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Response header: bytes of the photo the server holds.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Response header: `?1` when the server holds the whole photo, `?0` otherwise (a structured-field
/// boolean, as in the resumable uploads draft).
pub const UPLOAD_COMPLETE: &str = "upload-complete";

/// The answer to a `PUT`: what the server now holds of the photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PhotoUploadDto {
    /// The photo's name: lowercase hex SHA-256 of its bytes.
    pub sha256: String,
    /// Bytes received so far (the photo's size once complete).
    pub received: u64,
    /// The photo's size, as the upload declared it.
    pub size: u64,
    /// Whether the whole photo is stored (hash checked).
    pub complete: bool,
}

/// `Content-Range: bytes start-end/size` of one chunk (`end` inclusive, as HTTP writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub start: u64,
    /// The last byte's position; a chunk of `n` bytes from `start` ends at `start + n - 1`.
    pub end: u64,
    pub size: u64,
}

impl ContentRange {
    /// The chunk of `len` bytes (at least one) from `start` of a photo of `size` bytes.
    pub fn chunk(start: u64, len: u64, size: u64) -> Option<ContentRange> {
        let end = start.checked_add(len)?.checked_sub(1)?;
        (len > 0 && end < size).then_some(ContentRange { start, end, size })
    }

    /// Parses `bytes start-end/size`; refuses ranges that are empty, reversed or past the size.
    pub fn parse(text: &str) -> Option<ContentRange> {
        let rest = text.trim().strip_prefix("bytes ")?;
        let (range, size) = rest.split_once('/')?;
        let (start, end) = range.split_once('-')?;
        let number = |t: &str| {
            let t = t.trim();
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u64>().ok()).flatten()
        };
        let (start, end, size) = (number(start)?, number(end)?, number(size)?);
        (start <= end && end < size).then_some(ContentRange { start, end, size })
    }

    /// Bytes in the chunk.
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    /// Never true: a parsed range holds at least one byte (for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl std::fmt::Display for ContentRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bytes {}-{}/{}", self.start, self.end, self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_range_reads_back_what_it_writes() {
        let range = ContentRange::chunk(100, 50, 1000).unwrap();
        assert_eq!(range.to_string(), "bytes 100-149/1000");
        assert_eq!(ContentRange::parse("bytes 100-149/1000"), Some(range));
        assert_eq!(range.len(), 50);
        assert_eq!(ContentRange::chunk(990, 11, 1000), None, "past the end");
        assert_eq!(ContentRange::chunk(0, 0, 1000), None, "empty");
    }

    #[test]
    fn malformed_content_ranges_are_refused() {
        for text in [
            "",
            "bytes */1000",
            "bytes 5-4/1000",
            "bytes 0-1000/1000",
            "bytes -1-4/10",
            "bytes +1-4/10",
            "items 0-4/10",
            "bytes 0-4/*",
            "bytes 0-4/99999999999999999999999",
        ] {
            assert_eq!(ContentRange::parse(text), None, "{text:?}");
        }
    }
}
