//! Token expiry: when an integration's token stops working, or may no longer
//! read data, the dashboard's numbers freeze while its campaigns keep
//! running (and spending) on the platform. Test connection reads both dates
//! (Meta's `debug_token`); a daily check reads them again for every verified
//! integration and warns the owner 7 days ahead, and loudly once it has
//! happened, with how to fix it: replace the token in place.

use adapters::ad_platform::{PlatformError, TokenExpiry};
use chrono::{DateTime, Duration, Utc};
use entities::{
    IntegrationStatus, NotificationKind,
    user_integration::{Column, Entity, Model},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{IntegrationsService, provider_name};
use crate::{
    error::AppError,
    services::notifications::{self, NewNotification},
};

/// How long ahead the owner is warned.
pub const WARN_DAYS: i64 = 7;

/// What a token's dates mean now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenWarning {
    /// Reading stops at `at`, within [`WARN_DAYS`].
    Expiring { at: DateTime<Utc> },
    /// Reading stopped at `at`.
    Expired { at: DateTime<Utc> },
}

/// The warning `expiry` calls for at `now`, if any.
pub fn warning(expiry: &TokenExpiry, now: DateTime<Utc>) -> Option<TokenWarning> {
    let at = expiry.first()?;
    if at <= now {
        Some(TokenWarning::Expired { at })
    } else if at - now <= Duration::days(WARN_DAYS) {
        Some(TokenWarning::Expiring { at })
    } else {
        None
    }
}

/// The dates stored on an integration.
pub fn expiry_of(row: &Model) -> TokenExpiry {
    TokenExpiry {
        expires_at: row.token_expires_at,
        data_access_expires_at: row.data_access_expires_at,
    }
}

/// The warning in words, for the integration of account `account` on
/// `platform`.
pub fn words(warning: &TokenWarning, platform: &str, account: &str) -> (String, String) {
    match warning {
        TokenWarning::Expiring { at } => (
            format!(
                "The token of “{account}” on {platform} expires on {}",
                at.format("%Y-%m-%d")
            ),
            format!(
                "On {} UTC Leadforge stops being able to read this ad account: the dashboard's numbers will freeze while its campaigns keep running on {platform}. Replace the token before then (Settings → Ad platforms → Replace token); its campaigns and Page stay as they are.",
                at.format("%Y-%m-%d %H:%M")
            ),
        ),
        TokenWarning::Expired { at } => (
            format!("The token of “{account}” on {platform} has expired: numbers are frozen"),
            format!(
                "Since {} UTC Leadforge cannot read this ad account. The numbers on the dashboard are frozen, but its campaigns are still running and spending on {platform}. Replace the token now (Settings → Ad platforms → Replace token), or pause the campaigns on {platform} directly.",
                at.format("%Y-%m-%d %H:%M")
            ),
        ),
    }
}

/// What the daily check found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TokenCheckReport {
    pub checked: usize,
    pub expiring: usize,
    pub expired: usize,
    /// Integrations the platform could not be asked about (network).
    pub unreachable: usize,
}

impl IntegrationsService {
    /// Reads every verified integration's token dates again, stores them,
    /// and tells each owner what they call for. A token the platform now
    /// refuses as expired is reported as expired at once. Safe to run on
    /// several instances: a warning is one notification per integration and
    /// date (its dedupe key).
    pub async fn check_tokens(&self) -> Result<TokenCheckReport, AppError> {
        let rows = Entity::find()
            .filter(Column::Status.eq(IntegrationStatus::Verified))
            .all(&self.db)
            .await?;
        let mut report = TokenCheckReport::default();
        let now = Utc::now();
        for row in rows {
            report.checked += 1;
            let Ok((adapter, creds)) = self.open(&row) else {
                continue;
            };
            let found = match adapter.verify(&creds).await {
                Ok(_) => {
                    let expiry = adapter.token_expiry(&creds).await;
                    Entity::update_many()
                        .col_expr(Column::TokenExpiresAt, Expr::value(expiry.expires_at))
                        .col_expr(
                            Column::DataAccessExpiresAt,
                            Expr::value(expiry.data_access_expires_at),
                        )
                        .filter(Column::Id.eq(row.id))
                        .filter(Column::CredentialsNonce.eq(row.credentials_nonce.clone()))
                        .exec(&self.db)
                        .await?;
                    warning(&expiry, now)
                }
                Err(PlatformError::Auth { .. }) => Some(TokenWarning::Expired { at: now }),
                Err(e) => {
                    tracing::info!(integration = %row.id, error = %e, "token check could not ask the platform");
                    report.unreachable += 1;
                    continue;
                }
            };
            let Some(found) = found else { continue };
            match found {
                TokenWarning::Expiring { .. } => report.expiring += 1,
                TokenWarning::Expired { .. } => report.expired += 1,
            }
            self.warn(&row, &found).await?;
        }
        Ok(report)
    }

    /// Tells `row`'s owner about `found`, once per integration and date.
    async fn warn(&self, row: &Model, found: &TokenWarning) -> Result<(), AppError> {
        let platform = provider_name(row.provider);
        let account = row.account_name.as_deref().unwrap_or(&row.ad_account_id);
        let (title, body) = words(found, platform, account);
        let (kind, key) = match found {
            TokenWarning::Expiring { at } => (
                NotificationKind::TokenExpiring,
                format!("token_expiring:{}:{}", row.id, at.format("%Y-%m-%d")),
            ),
            // One loud warning per token: a new token resets the nonce.
            TokenWarning::Expired { .. } => (
                NotificationKind::TokenExpired,
                format!("token_expired:{}:{}", row.id, row.token_last4),
            ),
        };
        notifications::raise(
            &self.db,
            NewNotification {
                tenant: row.tenant_id,
                user: row.user_id,
                kind,
                title,
                body,
                campaign: None,
                integration: Some(row.id),
                dedupe_key: Some(key),
            },
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_seven_days_ahead_and_once_expired_by_the_first_date() {
        let now = Utc::now();
        let expiry = |a: Option<i64>, b: Option<i64>| TokenExpiry {
            expires_at: a.map(|d| now + Duration::days(d)),
            data_access_expires_at: b.map(|d| now + Duration::days(d)),
        };
        assert_eq!(warning(&expiry(None, None), now), None);
        assert_eq!(warning(&expiry(Some(30), Some(60)), now), None);
        assert!(matches!(
            warning(&expiry(Some(30), Some(3)), now),
            Some(TokenWarning::Expiring { .. })
        ));
        assert!(matches!(
            warning(&expiry(Some(-1), None), now),
            Some(TokenWarning::Expired { .. })
        ));
        let (_, body) = words(&TokenWarning::Expired { at: now }, "Meta", "Acme");
        assert!(
            body.contains("frozen") && body.contains("still running"),
            "{body}"
        );
    }
}
