//! Secrets generated once into the data directory (embedded mode): the JWT
//! signing secret and the vault's master key.

use std::{io::Write, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} does not hold a base64 key of {expected} bytes")]
    Malformed { path: String, expected: usize },
}

/// Reads the base64 key in `path`, or creates the file with `len` fresh
/// random bytes, readable by the owner only (mode 0600). Creation is
/// exclusive, so two processes starting together agree on one key.
pub fn load_or_create(path: &Path, len: usize) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => decode(&text, len, &shown),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, len, &shown),
        Err(source) => Err(KeyFileError::Read {
            path: shown,
            source,
        }),
    }
}

fn decode(text: &str, len: usize, shown: &str) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
    let bytes =
        Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| KeyFileError::Malformed {
                    path: shown.to_owned(),
                    expected: len,
                })?,
        );
    if bytes.len() != len {
        return Err(KeyFileError::Malformed {
            path: shown.to_owned(),
            expected: len,
        });
    }
    Ok(bytes)
}

fn create(path: &Path, len: usize, shown: &str) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
    let mut key = Zeroizing::new(vec![0u8; len]);
    rand::rng().fill_bytes(&mut key);
    let encoded = Zeroizing::new(STANDARD.encode(key.as_slice()));
    let write_err = |source| KeyFileError::Write {
        path: shown.to_owned(),
        source,
    };

    // Written whole to a private temporary file, then linked into place: a
    // process that starts at the same moment sees either no file or a
    // complete one, never an empty one.
    let mut nonce = [0u8; 8];
    rand::rng().fill_bytes(&mut nonce);
    let temp = path.with_extension(format!("tmp-{}", hex::encode(nonce)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(encoded.as_bytes())?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(write_err(source));
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(key),
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
                path: shown.to_owned(),
                source,
            })?;
            decode(&text, len, shown)
        }
        Err(source) => Err(write_err(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_creators_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.key");
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| load_or_create(&path, 32).unwrap().to_vec()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn creates_once_with_owner_only_mode_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let first = load_or_create(&path, 32).unwrap();
        let second = load_or_create(&path, 32).unwrap();
        assert_eq!(first.as_slice(), second.as_slice());
        assert_eq!(first.len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let entries = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1);
        std::fs::write(&path, "short").unwrap();
        assert!(matches!(
            load_or_create(&path, 32),
            Err(KeyFileError::Malformed { .. })
        ));
    }
}
