//! Credential vault: envelope encryption of integration secrets.
//!
//! Each secret gets its own random 256-bit data key that encrypts it with
//! AES-256-GCM; the data key is in turn encrypted ("wrapped") by a master key
//! named by a key id. Rotating the master key therefore re-wraps 32 bytes per
//! row and never touches the secret itself. Both ciphertexts carry associated
//! data naming their row (integration, user, provider), so bytes copied into
//! another row do not decrypt.

mod credentials;
mod keys;
pub mod rotate;

#[cfg(test)]
mod tests;

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use entities::{IntegrationId, Provider, UserId, user_integration};
use rand::RngCore;
use sea_orm::ActiveEnum;
use zeroize::Zeroizing;

use crate::config::Config;

pub use credentials::Credentials;
pub use keys::LOCAL_KEY_ID;
pub use rotate::{RotateError, RotationReport, rotate};

use keys::{KEY_LEN, MasterKey};

/// Name of the master key file in the data directory (embedded mode).
pub const MASTER_KEY_FILE: &str = "master.key";

/// AES-GCM nonce length in bytes.
const NONCE_LEN: usize = 12;

/// Versioned prefix of every associated data string, so a future format
/// cannot be confused with this one.
const AAD_PREFIX: &str = "leadforge-vault-v1";

/// Why the vault could not be built or could not decrypt. No variant carries
/// key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// `LEADFORGE_MASTER_KEY` (or its file) is malformed.
    #[error("invalid setting LEADFORGE_MASTER_KEY: {0}")]
    MasterKey(String),
    /// The embedded master key file cannot be read or created.
    #[error("cannot load the vault's master key file: {0}")]
    KeyFile(#[from] crate::keyfile::KeyFileError),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The row names a master key this process does not have (dropped too
    /// early, or a different deployment's key).
    #[error("the secret was sealed with master key `{0}`, which is not configured")]
    UnknownKey(String),
    /// Authentication failed: tampered bytes, a wrong row binding, or the
    /// wrong key. Deliberately one variant, so callers learn nothing more.
    #[error("the secret cannot be decrypted: it was altered or belongs to another row")]
    Decrypt,
    /// The plaintext is not the JSON shape the caller asked for.
    #[error("the decrypted secret has an unexpected shape")]
    Shape,
    /// Encryption itself failed (never expected with valid keys).
    #[error("the secret cannot be encrypted")]
    Encrypt,
}

/// The row a sealed secret belongs to; becomes the AEAD associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowBinding {
    /// The `user_integrations` row id.
    pub integration_id: IntegrationId,
    /// Its owner.
    pub user_id: UserId,
    /// Its provider.
    pub provider: Provider,
}

/// What a sealed secret is bound to: the source of its AEAD associated
/// data, so bytes copied into another row do not decrypt.
pub trait Binding {
    /// Associated data for one of the two ciphertexts of a secret.
    fn aad(&self, purpose: &str, key_id: &str) -> Vec<u8>;
}

impl Binding for RowBinding {
    fn aad(&self, purpose: &str, key_id: &str) -> Vec<u8> {
        RowBinding::aad(self, purpose, key_id)
    }
}

/// The `leads` row a lead's sealed answers belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadBinding {
    /// The `leads` row id.
    pub lead_id: entities::LeadId,
}

impl Binding for LeadBinding {
    fn aad(&self, purpose: &str, key_id: &str) -> Vec<u8> {
        // "lead" cannot be confused with a credentials binding: those start
        // with a purpose, then three fixed-width fields.
        format!(
            "{AAD_PREFIX}\u{1f}lead\u{1f}{purpose}\u{1f}{}\u{1f}{key_id}",
            self.lead_id
        )
        .into_bytes()
    }
}

/// The `lead_destinations` row a webhook's signing secret belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DestinationBinding {
    /// The `lead_destinations` row id.
    pub destination_id: entities::LeadDestinationId,
}

impl Binding for DestinationBinding {
    fn aad(&self, purpose: &str, key_id: &str) -> Vec<u8> {
        format!(
            "{AAD_PREFIX}\u{1f}lead_destination\u{1f}{purpose}\u{1f}{}\u{1f}{key_id}",
            self.destination_id
        )
        .into_bytes()
    }
}

impl RowBinding {
    /// The binding of an existing row.
    pub fn of(row: &user_integration::Model) -> Self {
        Self {
            integration_id: row.id,
            user_id: row.user_id,
            provider: row.provider,
        }
    }

    /// Associated data for one of the two ciphertexts. Ids are fixed-width
    /// UUIDs and the separator never occurs in a field, so two different
    /// bindings can never produce the same bytes.
    fn aad(&self, purpose: &str, key_id: &str) -> Vec<u8> {
        format!(
            "{AAD_PREFIX}\u{1f}{purpose}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{key_id}",
            self.integration_id,
            self.user_id,
            self.provider.to_value()
        )
        .into_bytes()
    }
}

/// A sealed secret: exactly the five columns of `user_integrations` that the
/// vault owns. Its `Debug` shows lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Id of the master key that wrapped `wrapped_key`.
    pub key_id: String,
    /// The secret, encrypted with the data key.
    pub ciphertext: Vec<u8>,
    /// Nonce of `ciphertext`.
    pub nonce: Vec<u8>,
    /// The data key, encrypted with master key `key_id`.
    pub wrapped_key: Vec<u8>,
    /// Nonce of `wrapped_key`.
    pub wrapped_key_nonce: Vec<u8>,
}

impl Sealed {
    /// The sealed columns of a row.
    pub fn of(row: &user_integration::Model) -> Self {
        Self {
            key_id: row.key_id.clone(),
            ciphertext: row.credentials.clone(),
            nonce: row.credentials_nonce.clone(),
            wrapped_key: row.wrapped_key.clone(),
            wrapped_key_nonce: row.wrapped_key_nonce.clone(),
        }
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .field("wrapped_key_len", &self.wrapped_key.len())
            .finish_non_exhaustive()
    }
}

/// The master keys of this process. Built once at start and shared.
pub struct Vault {
    /// Encrypts new secrets; decrypts too.
    current: MasterKey,
    /// Only decrypt: secrets not yet rotated.
    older: Vec<MasterKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("current_key_id", &self.current_key_id())
            .field(
                "older_key_ids",
                &self.older.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Vault {
    /// The vault of a configuration: `LEADFORGE_MASTER_KEY` when set,
    /// otherwise a key generated once into `<data_dir>/master.key` (id
    /// `local`, mode 0600).
    pub fn from_config(config: &Config) -> Result<Self, VaultError> {
        match &config.vault.master_key {
            Some(setting) => Self::from_setting(setting),
            None => {
                std::fs::create_dir_all(&config.data_dir).map_err(|source| {
                    VaultError::DataDir {
                        path: config.data_dir.display().to_string(),
                        source,
                    }
                })?;
                let bytes = crate::keyfile::load_or_create(
                    &config.data_dir.join(MASTER_KEY_FILE),
                    KEY_LEN,
                )?;
                Self::from_keys(vec![MasterKey::new(LOCAL_KEY_ID, &bytes)?])
            }
        }
    }

    /// The vault of a `LEADFORGE_MASTER_KEY` value (`id:base64key[,…]`).
    pub fn from_setting(setting: &secrecy::SecretString) -> Result<Self, VaultError> {
        Self::from_keys(keys::parse_setting(setting)?)
    }

    fn from_keys(keys: Vec<MasterKey>) -> Result<Self, VaultError> {
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or_else(|| VaultError::MasterKey("no key is given".to_owned()))?;
        Ok(Self {
            current,
            older: keys.collect(),
        })
    }

    /// Id of the key new secrets are wrapped with.
    pub fn current_key_id(&self) -> &str {
        self.current.id.as_str()
    }

    fn key(&self, id: &str) -> Result<&MasterKey, VaultError> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == id)
            .ok_or_else(|| VaultError::UnknownKey(id.to_owned()))
    }

    /// Encrypts `secret` for the row `binding` under a fresh data key wrapped
    /// by the current master key.
    pub fn seal(
        &self,
        binding: &(impl Binding + ?Sized),
        secret: &[u8],
    ) -> Result<Sealed, VaultError> {
        let mut data_key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(data_key.as_mut_slice());
        let cipher =
            Aes256Gcm::new_from_slice(data_key.as_slice()).map_err(|_| VaultError::Encrypt)?;
        let (ciphertext, nonce) = encrypt(&cipher, secret, &binding.aad("secret", ""))?;
        let (wrapped_key, wrapped_key_nonce) = self.wrap(binding, data_key.as_slice())?;
        Ok(Sealed {
            key_id: self.current_key_id().to_owned(),
            ciphertext,
            nonce,
            wrapped_key,
            wrapped_key_nonce,
        })
    }

    /// Serialises `value` as JSON and seals it; the JSON text is zeroized.
    pub fn seal_json<T: serde::Serialize>(
        &self,
        binding: &(impl Binding + ?Sized),
        value: &T,
    ) -> Result<Sealed, VaultError> {
        let json = Zeroizing::new(serde_json::to_vec(value).map_err(|_| VaultError::Encrypt)?);
        self.seal(binding, &json)
    }

    /// Decrypts a secret sealed for `binding`.
    pub fn open(
        &self,
        binding: &(impl Binding + ?Sized),
        sealed: &Sealed,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let data_key = self.unwrap_key(binding, sealed)?;
        let cipher =
            Aes256Gcm::new_from_slice(data_key.as_slice()).map_err(|_| VaultError::Decrypt)?;
        decrypt(
            &cipher,
            &sealed.ciphertext,
            &sealed.nonce,
            &binding.aad("secret", ""),
        )
    }

    /// Decrypts and parses a JSON secret sealed by [`Vault::seal_json`].
    pub fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        binding: &(impl Binding + ?Sized),
        sealed: &Sealed,
    ) -> Result<T, VaultError> {
        let json = self.open(binding, sealed)?;
        serde_json::from_slice(&json).map_err(|_| VaultError::Shape)
    }

    /// Re-wraps the data key under the current master key, leaving the
    /// secret's ciphertext as it is: this is what rotation does. Needs the
    /// binding because the wrapped key is bound to its row too.
    pub fn rewrap(
        &self,
        binding: &(impl Binding + ?Sized),
        sealed: &Sealed,
    ) -> Result<Sealed, VaultError> {
        let data_key = self.unwrap_key(binding, sealed)?;
        let (wrapped_key, wrapped_key_nonce) = self.wrap(binding, data_key.as_slice())?;
        Ok(Sealed {
            key_id: self.current_key_id().to_owned(),
            ciphertext: sealed.ciphertext.clone(),
            nonce: sealed.nonce.clone(),
            wrapped_key,
            wrapped_key_nonce,
        })
    }

    /// A keyed hash (lower-case hex HMAC-SHA256) of `value` for `purpose`,
    /// under a key derived from the current master key: equal values give
    /// equal hashes (de-duplication) without the value being stored.
    pub fn lookup_hash(&self, purpose: &str, value: &str) -> String {
        use hmac::Mac as _;
        match <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&self.current.lookup) {
            Ok(mut mac) => {
                mac.update(purpose.as_bytes());
                mac.update(b"\x1f");
                mac.update(value.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            // HMAC takes keys of any length; this arm cannot be reached.
            Err(_) => String::new(),
        }
    }

    /// `true` when `sealed` is wrapped by a key other than the current one.
    pub fn needs_rotation(&self, sealed: &Sealed) -> bool {
        sealed.key_id != self.current_key_id()
    }

    fn wrap(
        &self,
        binding: &(impl Binding + ?Sized),
        data_key: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), VaultError> {
        let master = &self.current;
        encrypt(
            &master.cipher,
            data_key,
            &binding.aad("data-key", &master.id),
        )
    }

    fn unwrap_key(
        &self,
        binding: &(impl Binding + ?Sized),
        sealed: &Sealed,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let master = self.key(&sealed.key_id)?;
        let key = decrypt(
            &master.cipher,
            &sealed.wrapped_key,
            &sealed.wrapped_key_nonce,
            &binding.aad("data-key", &master.id),
        )?;
        if key.len() != KEY_LEN {
            return Err(VaultError::Decrypt);
        }
        Ok(key)
    }
}

/// Encrypts with a fresh random nonce; returns (ciphertext, nonce).
fn encrypt(cipher: &Aes256Gcm, plain: &[u8], aad: &[u8]) -> Result<(Vec<u8>, Vec<u8>), VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| VaultError::Encrypt)?;
    Ok((ciphertext, nonce.to_vec()))
}

fn decrypt(
    cipher: &Aes256Gcm,
    ciphertext: &[u8],
    nonce: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::Decrypt)?;
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Decrypt)
}
