//! The secret a provider integration stores: its token and ad account.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

/// What `user_integrations.credentials` decrypts to. `Debug` redacts the
/// token (via [`SecretString`]), which is zeroized on drop.
#[derive(Clone, Deserialize)]
pub struct Credentials {
    /// The platform access token.
    pub access_token: SecretString,
    /// The ad account the token is used with, e.g. `act_123`.
    pub ad_account_id: String,
}

impl Credentials {
    /// The last four characters of the token, the only part the API shows.
    pub fn token_last4(&self) -> String {
        let token = self.access_token.expose_secret();
        let count = token.chars().count();
        token.chars().skip(count.saturating_sub(4)).collect()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &"<redacted>")
            .field("ad_account_id", &self.ad_account_id)
            .finish()
    }
}

// Hand-written: `secrecy` refuses to serialise a `SecretString` on its own,
// and this is the one place the token may become bytes, straight into the
// vault's zeroizing buffer.
impl Serialize for Credentials {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            access_token: &'a str,
            ad_account_id: &'a str,
        }
        Wire {
            access_token: self.access_token.expose_secret(),
            ad_account_id: &self.ad_account_id,
        }
        .serialize(serializer)
    }
}
