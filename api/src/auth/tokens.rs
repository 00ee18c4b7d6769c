//! Access tokens: HS256 JWTs with a pinned algorithm and checked `exp`,
//! `iat`, `iss` and `aud`. The same token authenticates HTTP (`Authorization:
//! Bearer`) and WebSocket (`connection_init` payload).

use std::time::Duration;

use entities::{TenantId, UserId};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode, errors::ErrorKind,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::TokenRejection;
use crate::{config::Config, error::AppError, keyfile};

pub const ISSUER: &str = "leadforge";
pub const AUDIENCE: &str = "leadforge-api";
/// A configured signing secret shorter than this is refused at start.
const MIN_SECRET_BYTES: usize = 32;
const GENERATED_SECRET_BYTES: usize = 64;
const SECRET_FILE: &str = "jwt.key";
/// Clock skew tolerated between the issuer and this server, applied once to
/// each time claim: `exp` (still accepted this long after), `nbf` and `iat`
/// (accepted this far in the future).
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    /// The user's tenant at issue time; checked against the user row.
    pub tid: TenantId,
    pub iat: u64,
    pub exp: u64,
    /// Not before: optional, checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    pub iss: String,
    pub aud: String,
}

/// Why the signing secret cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenSetupError {
    #[error("invalid setting LEADFORGE_JWT_SECRET: must be at least {MIN_SECRET_BYTES} bytes")]
    TooShort,
    #[error("the generated JWT secret: {0}")]
    KeyFile(#[from] keyfile::KeyFileError),
}

/// Issues and verifies tokens; built once at start.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// From `LEADFORGE_JWT_SECRET`, or a secret generated once into the data dir.
    pub fn from_config(config: &Config) -> Result<Self, TokenSetupError> {
        let secret: Zeroizing<Vec<u8>> = match &config.auth.jwt_secret {
            Some(secret) => {
                let bytes = secret.expose_secret().as_bytes();
                if bytes.len() < MIN_SECRET_BYTES {
                    return Err(TokenSetupError::TooShort);
                }
                Zeroizing::new(bytes.to_vec())
            }
            None => {
                keyfile::load_or_create(&config.data_dir.join(SECRET_FILE), GENERATED_SECRET_BYTES)?
            }
        };
        Ok(Self::new(&secret, config.auth.jwt_ttl))
    }

    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A signed token for the user, valid for the configured lifetime.
    pub fn issue(&self, user: UserId, tenant: TenantId) -> Result<SecretString, AppError> {
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        let claims = Claims {
            sub: user,
            tid: tenant,
            iat: now,
            exp: now + self.ttl.as_secs(),
            nbf: None,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(SecretString::from)
            .map_err(AppError::internal)
    }

    /// The claims of a valid token.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenRejection> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?;
        // The library checks `exp` and `nbf`; a token issued in the future
        // was not issued by this clock.
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        if claims.iat > now + LEEWAY_SECS {
            return Err(TokenRejection::Invalid);
        }
        Ok(claims)
    }
}

/// The token of an `Authorization` header value (`Bearer <token>`).
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 64], Duration::from_secs(3600))
    }

    #[test]
    fn issued_tokens_verify() {
        let keys = keys();
        let (user, tenant) = (UserId::generate(), TenantId::generate());
        let token = keys.issue(user, tenant).unwrap();
        let claims = keys.verify(token.expose_secret()).unwrap();
        assert_eq!((claims.sub, claims.tid), (user, tenant));
    }

    #[test]
    fn forged_expired_and_foreign_tokens_are_refused() {
        let keys = keys();
        let (user, tenant) = (UserId::generate(), TenantId::generate());
        let token = keys.issue(user, tenant).unwrap();

        let other = TokenKeys::new(&[8u8; 64], Duration::from_secs(3600));
        assert_eq!(
            other.verify(token.expose_secret()).unwrap_err(),
            TokenRejection::Invalid
        );

        // alg "none" with the same claims.
        let payload = token.expose_secret().split('.').nth(1).unwrap().to_owned();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            keys.verify(&format!("{header}.{payload}.")).unwrap_err(),
            TokenRejection::Invalid
        );

        let now = chrono::Utc::now().timestamp() as u64;
        let sign = |claims: &Claims| {
            encode(
                &Header::new(Algorithm::HS256),
                claims,
                &EncodingKey::from_secret(&[7u8; 64]),
            )
            .unwrap()
        };
        let expired = Claims {
            sub: user,
            tid: tenant,
            iat: now - 7200,
            exp: now - 3600,
            nbf: None,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        assert_eq!(
            keys.verify(&sign(&expired)).unwrap_err(),
            TokenRejection::Expired
        );
        let wrong_aud = Claims {
            sub: user,
            tid: tenant,
            iat: now,
            exp: now + 60,
            nbf: None,
            iss: ISSUER.into(),
            aud: "someone-else".into(),
        };
        assert_eq!(
            keys.verify(&sign(&wrong_aud)).unwrap_err(),
            TokenRejection::Invalid
        );
        let wrong_iss = Claims {
            sub: user,
            tid: tenant,
            iat: now,
            exp: now + 60,
            nbf: None,
            iss: "evil".into(),
            aud: AUDIENCE.into(),
        };
        assert_eq!(
            keys.verify(&sign(&wrong_iss)).unwrap_err(),
            TokenRejection::Invalid
        );
        // HS384 with the right secret: the algorithm is pinned.
        let hs384 = encode(
            &Header::new(Algorithm::HS384),
            &Claims {
                sub: user,
                tid: tenant,
                iat: now,
                exp: now + 60,
                nbf: None,
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
            },
            &EncodingKey::from_secret(&[7u8; 64]),
        )
        .unwrap();
        assert_eq!(keys.verify(&hs384).unwrap_err(), TokenRejection::Invalid);
    }

    #[test]
    fn time_claims_get_the_leeway_once() {
        let keys = keys();
        let now = chrono::Utc::now().timestamp() as u64;
        let sign = |iat: u64, exp: u64, nbf: Option<u64>| {
            let claims = Claims {
                sub: UserId::generate(),
                tid: TenantId::generate(),
                iat,
                exp,
                nbf,
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
            };
            encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(&[7u8; 64]),
            )
            .unwrap()
        };
        // Expired a little less than the leeway ago: accepted; more: refused.
        assert!(keys.verify(&sign(now - 600, now - 10, None)).is_ok());
        assert_eq!(
            keys.verify(&sign(now - 600, now - LEEWAY_SECS - 5, None))
                .unwrap_err(),
            TokenRejection::Expired
        );
        // Not valid before a minute from now: refused; within the leeway: fine.
        assert_eq!(
            keys.verify(&sign(now, now + 600, Some(now + 60)))
                .unwrap_err(),
            TokenRejection::Invalid
        );
        assert!(keys.verify(&sign(now, now + 600, Some(now + 10))).is_ok());
        // Issued in the future beyond the leeway: refused.
        assert_eq!(
            keys.verify(&sign(now + 120, now + 600, None)).unwrap_err(),
            TokenRejection::Invalid
        );
        assert!(keys.verify(&sign(now + 10, now + 600, None)).is_ok());
    }

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
    }
}
