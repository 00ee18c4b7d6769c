//! Writing a lead: sealed answers, keyed hashes of e-mail and phone, one row
//! per platform lead however often it arrives.

use chrono::{DateTime, Utc};
use entities::{
    CampaignId, IntegrationId, LeadId, LeadSource, LeadStatus, PLATFORM_TENANT_ID, Provider,
    TenantId, UserId,
    lead::{ActiveModel, Column, Entity},
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TryInsertResult};

use super::Answer;
use crate::{
    error::AppError,
    vault::{LeadBinding, Vault},
};

/// Who a lead belongs to: the campaign whose launched ad it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadOwner {
    pub tenant: TenantId,
    pub user: UserId,
    pub campaign: CampaignId,
    pub integration: IntegrationId,
}

/// A lead as read from the platform.
#[derive(Debug, Clone)]
pub struct IncomingLead {
    pub provider: Provider,
    pub platform_lead_id: String,
    pub page_id: Option<String>,
    pub form_id: Option<String>,
    pub ad_id: Option<String>,
    pub platform_created_at: Option<DateTime<Utc>>,
    pub source: LeadSource,
    pub answers: Vec<Answer>,
}

/// Stores `lead` for `owner` (kept aside in the platform tenant, for the
/// chief architect, when nobody owns it). `None` when the platform lead was
/// stored before: nothing is written twice.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    vault: &Vault,
    owner: Option<LeadOwner>,
    lead: IncomingLead,
) -> Result<Option<LeadId>, AppError> {
    let id = LeadId::generate();
    let sealed = vault
        .seal_json(&LeadBinding { lead_id: id }, &lead.answers)
        .map_err(AppError::internal)?;
    let email_hash = first_value(&lead.answers, &["email", "work_email"])
        .and_then(normalize_email)
        .map(|e| vault.lookup_hash("email", &e));
    let phone_hash = first_value(&lead.answers, &["phone_number", "phone"])
        .and_then(normalize_phone)
        .map(|p| vault.lookup_hash("phone", &p));
    let now = Utc::now();
    let row = ActiveModel {
        id: Set(id),
        tenant_id: Set(owner.map_or(PLATFORM_TENANT_ID, |o| o.tenant)),
        user_id: Set(owner.map(|o| o.user)),
        campaign_id: Set(owner.map(|o| o.campaign)),
        integration_id: Set(owner.map(|o| o.integration)),
        provider: Set(lead.provider),
        platform_lead_id: Set(lead.platform_lead_id),
        page_id: Set(lead.page_id),
        form_id: Set(lead.form_id),
        ad_id: Set(lead.ad_id),
        platform_created_at: Set(lead.platform_created_at),
        received_at: Set(now),
        source: Set(lead.source),
        answers: Set(sealed.ciphertext),
        answers_nonce: Set(sealed.nonce),
        wrapped_key: Set(sealed.wrapped_key),
        wrapped_key_nonce: Set(sealed.wrapped_key_nonce),
        key_id: Set(sealed.key_id),
        email_hash: Set(email_hash),
        phone_hash: Set(phone_hash),
        status: Set(LeadStatus::New),
        note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    // ON CONFLICT DO NOTHING, never a caught unique violation: concurrent
    // fetches of one lead both succeed and exactly one row exists.
    let inserted = Entity::insert(row)
        .on_conflict_do_nothing_on([Column::Provider, Column::PlatformLeadId])
        .exec_without_returning(conn)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0).then_some(id))
}

fn first_value<'a>(answers: &'a [Answer], names: &[&str]) -> Option<&'a str> {
    answers
        .iter()
        .find(|a| names.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
        .and_then(|a| a.values.first())
        .map(String::as_str)
}

/// One spelling per address: trimmed, lower-case.
fn normalize_email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    e.contains('@').then_some(e)
}

/// Digits only, with the leading `+` kept: `+1 (555) 010-9999` and
/// `+15550109999` are one phone.
fn normalize_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 5 {
        return None;
    }
    Some(if trimmed.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_have_one_spelling() {
        assert_eq!(
            normalize_phone("+1 (555) 010-9999"),
            normalize_phone("+15550109999")
        );
        assert_eq!(normalize_phone("12"), None);
        assert_eq!(
            normalize_email(" Joe@Example.COM "),
            Some("joe@example.com".into())
        );
        assert_eq!(normalize_email("nope"), None);
    }
}
