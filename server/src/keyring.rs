//! Signing-key rotation: the current key signs, earlier keys still verify what they signed, and an
//! earlier key can be marked compromised, after which nothing it signed counts as genuine.
//!
//! Earlier keys are kept as public keys only, in `<data dir>/certificate-keys-earlier.json`: a
//! retired secret can sign nothing more, so it is not kept. Rotating first adds the current public
//! key to that list and only then renames a new secret over the key file, each step written beside
//! its target, fsynced and renamed: a crash between the two leaves the old key current and also
//! listed, which verifies the same.

use std::path::Path;

use chrono::{DateTime, Utc};
use odf_certificate::{PublicKey, Signer};
use serde::{Deserialize, Serialize};

use crate::keys::{KEY_FILE, KeyFileError, load_or_create};

/// The list of earlier keys inside the data directory.
pub const EARLIER_KEYS_FILE: &str = "certificate-keys-earlier.json";

/// A key that signed certificates before the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierKey {
    pub public_key: PublicKey,
    pub retired_at: DateTime<Utc>,
    /// Set when the key's secret may be known to someone else: its signatures prove nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_at: Option<DateTime<Utc>>,
}

/// The current signing key and the earlier ones.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: Signer,
    earlier: Vec<EarlierKey>,
}

/// Which key a signature claims, as far as this server knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStanding {
    Current,
    Earlier,
    Compromised,
    Unknown,
}

impl Keyring {
    /// A keyring of one key (tests, demos: a key in memory).
    pub fn single(current: Signer) -> Keyring {
        Keyring { current, earlier: Vec::new() }
    }

    /// The key file and the earlier keys of `dir` (the key is made when there is none yet).
    pub fn load(dir: &Path) -> Result<Keyring, KeyFileError> {
        let current = load_or_create(dir)?;
        let earlier = read_earlier(dir)?;
        Ok(Keyring { current, earlier })
    }

    pub fn current(&self) -> &Signer {
        &self.current
    }

    pub fn earlier(&self) -> &[EarlierKey] {
        &self.earlier
    }

    /// How this server regards `key`.
    pub fn standing(&self, key: &PublicKey) -> KeyStanding {
        if *key == self.current.public_key() {
            return KeyStanding::Current;
        }
        match self.earlier.iter().find(|k| k.public_key == *key) {
            Some(k) if k.compromised_at.is_some() => KeyStanding::Compromised,
            Some(_) => KeyStanding::Earlier,
            None => KeyStanding::Unknown,
        }
    }
}

/// Retires the current key of `dir` and makes a new one; returns the new keyring. A running server
/// keeps signing with the key it loaded until it restarts.
pub fn rotate(dir: &Path) -> Result<Keyring, KeyFileError> {
    let Keyring { current, mut earlier } = Keyring::load(dir)?;
    earlier.push(EarlierKey {
        public_key: current.public_key(),
        retired_at: Utc::now(),
        compromised_at: None,
    });
    write_earlier(dir, &earlier)?;
    let next = Signer::generate()?;
    let mut secret = next.secret_bytes();
    let written = replace_file(dir, KEY_FILE, &secret);
    secret.fill(0);
    written?;
    tracing::info!(retired = %current.public_key(), current = %next.public_key(), "certificate signing key rotated");
    Ok(Keyring { current: next, earlier })
}

/// Marks the earlier key whose hex or fingerprint (as printed on certificates, spaces optional) is
/// `which` as compromised. The current key cannot be: rotate first.
pub fn mark_compromised(dir: &Path, which: &str) -> Result<EarlierKey, KeyFileError> {
    let Keyring { current, mut earlier } = Keyring::load(dir)?;
    let wanted: String = which.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let matches = |key: &PublicKey| !wanted.is_empty() && key.to_hex().starts_with(&wanted);
    if matches(&current.public_key()) {
        return Err(KeyFileError::Refused(
            "kunci ini masih kunci yang berlaku; jalankan `odf-server key rotate` dulu (rotate first)"
                .to_owned(),
        ));
    }
    let mut found: Vec<&mut EarlierKey> = earlier.iter_mut().filter(|k| matches(&k.public_key)).collect();
    let key = match found.as_mut_slice() {
        [key] => {
            key.compromised_at.get_or_insert_with(Utc::now);
            key.clone()
        }
        [] => {
            return Err(KeyFileError::Refused(format!(
                "tidak ada kunci lama {which:?} (no such earlier key)"
            )));
        }
        _ => {
            return Err(KeyFileError::Refused(format!(
                "{which:?} cocok dengan lebih dari satu kunci (ambiguous)"
            )));
        }
    };
    write_earlier(dir, &earlier)?;
    tracing::warn!(key = %key.public_key, "certificate signing key marked compromised");
    Ok(key)
}

fn read_earlier(dir: &Path) -> Result<Vec<EarlierKey>, KeyFileError> {
    let path = dir.join(EARLIER_KEYS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|err| KeyFileError::Refused(format!("{} rusak: {err} (invalid file)", path.display()))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(KeyFileError::Io { path, source }),
    }
}

fn write_earlier(dir: &Path, earlier: &[EarlierKey]) -> Result<(), KeyFileError> {
    let text = serde_json::to_vec_pretty(earlier)
        .map_err(|err| KeyFileError::Refused(format!("{EARLIER_KEYS_FILE}: {err}")))?;
    replace_file(dir, EARLIER_KEYS_FILE, &text)
}

/// Writes `bytes` beside `dir/name` (owner-only), fsyncs, renames over it and fsyncs the folder.
fn replace_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), KeyFileError> {
    let path = dir.join(name);
    let temporary = dir.join(format!("{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    let io = |source| KeyFileError::Io { path: path.clone(), source };
    crate::keys::write_private(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, &path).map_err(io)?;
    crate::keys::sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_key_still_verifies_until_marked_compromised() {
        let dir = tempfile::tempdir().unwrap();
        let first = Keyring::load(dir.path()).unwrap().current().public_key();
        let rotated = rotate(dir.path()).unwrap();
        let second = rotated.current().public_key();
        assert_ne!(first, second, "a new key signs after a rotation");
        let again = Keyring::load(dir.path()).unwrap();
        assert_eq!(again.current().public_key(), second, "the new key is the one kept");
        assert_eq!(again.standing(&first), KeyStanding::Earlier);
        assert_eq!(again.standing(&second), KeyStanding::Current);
        assert_eq!(again.standing(&Signer::generate().unwrap().public_key()), KeyStanding::Unknown);

        let refused = mark_compromised(dir.path(), &second.fingerprint()).unwrap_err();
        assert!(refused.to_string().contains("rotate"), "{refused}");
        let marked = mark_compromised(dir.path(), &first.fingerprint()).unwrap();
        assert_eq!(marked.public_key, first);
        assert_eq!(Keyring::load(dir.path()).unwrap().standing(&first), KeyStanding::Compromised);
        assert!(mark_compromised(dir.path(), "ffff ffff").is_err());
        // Only the key, the list of earlier keys: no temporary files left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
