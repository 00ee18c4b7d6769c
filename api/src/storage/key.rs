//! Blob keys: `{tenant_id}/{user_id}/{uuid}.{ext}`, and nothing else.
//!
//! A key is both an object name (S3) and a relative path (the local store),
//! and parts of it arrive in URLs. So a key only exists once validated: the
//! constructor makes a fresh one and the parser accepts nothing but the
//! canonical spelling, which rules out `..`, absolute paths, backslashes,
//! percent-escapes and any other way to step outside the owner's prefix.

use entities::{TenantId, UserId};
use uuid::Uuid;

/// Longest accepted file extension.
const MAX_EXT_LEN: usize = 8;

/// A key string that is not a valid blob key. Carries no input text: keys
/// come from URLs and may be an attacker's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not `{tenant_id}/{user_id}/{uuid}.{ext}` in canonical form.
    #[error("not a valid blob key")]
    Malformed,
    /// The extension is not 1 to 8 lower-case ASCII letters or digits.
    #[error("not a valid file extension for a blob key")]
    Extension,
}

/// A validated blob key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey {
    text: String,
    tenant_id: TenantId,
    user_id: UserId,
    id: Uuid,
}

impl BlobKey {
    /// A fresh key under the owner's prefix, with a random UUID and `ext`
    /// (e.g. `jpg`, `png`).
    pub fn new(tenant_id: TenantId, user_id: UserId, ext: &str) -> Result<Self, KeyError> {
        check_ext(ext)?;
        let id = Uuid::new_v4();
        Ok(Self {
            text: format!("{tenant_id}/{user_id}/{id}.{ext}"),
            tenant_id,
            user_id,
            id,
        })
    }

    /// Validates a stored or requested key string.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut parts = text.split('/');
        let (Some(tenant), Some(user), Some(file), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::Malformed);
        };
        let (id, ext) = file.split_once('.').ok_or(KeyError::Malformed)?;
        check_ext(ext).map_err(|_| KeyError::Malformed)?;
        let tenant = canonical_uuid(tenant)?;
        let user = canonical_uuid(user)?;
        let id = canonical_uuid(id)?;
        Ok(Self {
            text: text.to_owned(),
            tenant_id: TenantId::from_uuid(tenant),
            user_id: UserId::from_uuid(user),
            id,
        })
    }

    /// The key as stored in `creatives.storage_key`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The owning tenant (the first segment).
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    /// The owning user (the second segment).
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The blob's own UUID.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The file extension, without the dot.
    pub fn extension(&self) -> &str {
        self.text.rsplit_once('.').map_or("", |(_, ext)| ext)
    }

    /// `true` when the key lies under this tenant's and user's prefix.
    pub fn is_owned_by(&self, tenant_id: TenantId, user_id: UserId) -> bool {
        self.tenant_id == tenant_id && self.user_id == user_id
    }
}

impl std::fmt::Display for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn check_ext(ext: &str) -> Result<(), KeyError> {
    let ok = !ext.is_empty()
        && ext.len() <= MAX_EXT_LEN
        && ext
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok { Ok(()) } else { Err(KeyError::Extension) }
}

/// Only the lower-case hyphenated form, so one blob has one spelling.
fn canonical_uuid(text: &str) -> Result<Uuid, KeyError> {
    let id = Uuid::try_parse(text).map_err(|_| KeyError::Malformed)?;
    if id.hyphenated().to_string() == text {
        Ok(id)
    } else {
        Err(KeyError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_parse_back() {
        let (tenant, user) = (TenantId::generate(), UserId::generate());
        let key = BlobKey::new(tenant, user, "jpg").unwrap();
        let parsed = BlobKey::parse(key.as_str()).unwrap();
        assert_eq!(parsed, key);
        assert_eq!(parsed.extension(), "jpg");
        assert!(parsed.is_owned_by(tenant, user));
        assert!(!parsed.is_owned_by(tenant, UserId::generate()));
        assert_eq!(key.as_str(), format!("{tenant}/{user}/{}.jpg", key.id()));
    }

    #[test]
    fn bad_extensions_are_refused() {
        let (t, u) = (TenantId::generate(), UserId::generate());
        for ext in ["", "JPG", "j/g", "..", "jpeg.png", "toolongext", "pn g"] {
            assert_eq!(BlobKey::new(t, u, ext), Err(KeyError::Extension), "{ext}");
        }
    }

    #[test]
    fn anything_but_the_canonical_form_is_refused() {
        let good = BlobKey::new(TenantId::generate(), UserId::generate(), "png").unwrap();
        let s = good.as_str();
        let (t, rest) = s.split_once('/').unwrap();
        let (u, f) = rest.split_once('/').unwrap();
        let bad = [
            String::new(),
            format!("/{s}"),
            format!("{s}/"),
            format!("../{s}"),
            format!("{t}/{u}/../{f}"),
            format!("{t}/../{u}/{f}"),
            format!("{t}/{u}/.."),
            format!("{t}/{u}/{f}/x"),
            format!("{t}/{f}"),
            format!("{t}\\{u}\\{f}"),
            format!("{t}/{u}/{}", f.to_uppercase()),
            s.to_uppercase(),
            s.replace('-', ""),
            format!("{t}/{u}/{f}%2e%2e"),
            format!("{t}/{u}/{f}\0"),
            format!("{t}/{u}/not-a-uuid.png"),
            format!("{t}//{u}/{f}"),
            format!("{t}/{u}/{}.p.ng", good.id()),
            format!("{t}/{u}/{}", good.id()),
        ];
        for text in bad {
            assert_eq!(BlobKey::parse(&text), Err(KeyError::Malformed), "{text:?}");
        }
    }
}
