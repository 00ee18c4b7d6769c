//! Master keys: parsing `LEADFORGE_MASTER_KEY` and the embedded key file.

use aes_gcm::{Aes256Gcm, KeyInit};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::VaultError;

/// Length of an AES-256 key in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// Key id of the master key generated into the data directory.
pub const LOCAL_KEY_ID: &str = "local";

/// Longest accepted key id: it is stored in every row.
const MAX_KEY_ID_LEN: usize = 64;

/// One master key. The cipher holds the expanded key schedule, which the
/// `aes` crate zeroizes on drop; the raw bytes are dropped (zeroized) as soon
/// as the cipher exists.
pub(crate) struct MasterKey {
    pub(crate) id: String,
    pub(crate) cipher: Aes256Gcm,
    /// Key of the keyed lookup hashes (e-mail, phone), derived from the
    /// master key so it needs no setting of its own and never equals it.
    pub(crate) lookup: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl MasterKey {
    /// Builds a key from raw bytes, which must be exactly 32 long.
    pub(crate) fn new(id: &str, bytes: &[u8]) -> Result<Self, VaultError> {
        check_id(id).map_err(|problem| VaultError::MasterKey(problem.to_owned()))?;
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| {
            VaultError::MasterKey(format!("key `{id}` is not {KEY_LEN} bytes long"))
        })?;
        use hmac::Mac as _;
        let mut derive = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(bytes)
            .map_err(|_| VaultError::MasterKey(format!("key `{id}` cannot key a hash")))?;
        derive.update(b"leadforge-lookup-hash-v1");
        let lookup = zeroize::Zeroizing::new(derive.finalize().into_bytes().to_vec());
        Ok(Self {
            id: id.to_owned(),
            cipher,
            lookup,
        })
    }
}

/// Parses the `LEADFORGE_MASTER_KEY` setting: one or more `id:base64key`
/// entries separated by commas, the first one current. Error messages name
/// the entry by position (and id, which is not secret), never by its text.
pub(crate) fn parse_setting(setting: &SecretString) -> Result<Vec<MasterKey>, VaultError> {
    let text = setting.expose_secret();
    let mut keys: Vec<MasterKey> = Vec::new();
    for (index, entry) in text.split(',').enumerate() {
        let position = index + 1;
        let entry = entry.trim();
        if entry.is_empty() {
            return Err(VaultError::MasterKey(format!("entry {position} is empty")));
        }
        let Some((id, encoded)) = entry.split_once(':') else {
            return Err(VaultError::MasterKey(format!(
                "entry {position} is not of the form id:base64key"
            )));
        };
        let id = id.trim();
        if let Err(problem) = check_id(id) {
            return Err(VaultError::MasterKey(format!(
                "entry {position}: {problem}"
            )));
        }
        if keys.iter().any(|k| k.id == id) {
            return Err(VaultError::MasterKey(format!(
                "key id `{id}` appears more than once"
            )));
        }
        let bytes = Zeroizing::new(
            STANDARD
                .decode(encoded.trim())
                .map_err(|_| VaultError::MasterKey(format!("key `{id}` is not valid base64")))?,
        );
        if bytes.len() != KEY_LEN {
            return Err(VaultError::MasterKey(format!(
                "key `{id}` decodes to {} bytes; it must be {KEY_LEN} (e.g. `openssl rand -base64 32`)",
                bytes.len()
            )));
        }
        keys.push(MasterKey::new(id, &bytes)?);
    }
    Ok(keys)
}

/// Key ids end up in database rows and log lines, so they are short and plain.
fn check_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("the key id is empty");
    }
    if id.len() > MAX_KEY_ID_LEN {
        return Err("the key id is longer than 64 characters");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("the key id may only hold letters, digits, '-', '_' and '.'");
    }
    Ok(())
}
