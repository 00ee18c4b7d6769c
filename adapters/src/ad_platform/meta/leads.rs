//! `GET /{leadgen_id}`: one lead, read with the Page access token of the
//! lead's Page (Meta's lead-retrieval guide: a Page or user token of someone
//! who can advertise on the Page, with `leads_retrieval`). The Page token
//! comes from `me/accounts`, as for the Page's forms, and is never stored.

use async_trait::async_trait;
use secrecy::SecretString;
use serde::Deserialize;

use super::client::{Call, Effect, Verb};
use super::{MetaAds, p, wire};
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::leads::{LeadField, LeadReader, PlatformLead};
use crate::ad_platform::types::Credentials;

/// The fields of a lead Leadforge reads.
pub const LEAD_FIELDS: &str = "id,created_time,ad_id,form_id,field_data";

#[derive(Deserialize)]
struct WireLead {
    id: String,
    #[serde(default)]
    created_time: Option<String>,
    #[serde(default)]
    ad_id: Option<String>,
    #[serde(default)]
    form_id: Option<String>,
    #[serde(default)]
    field_data: Vec<WireField>,
}

#[derive(Deserialize)]
struct WireField {
    name: String,
    #[serde(default)]
    values: Vec<String>,
}

/// Meta writes `2015-02-28T08:49:14+0000` (no colon in the offset).
fn parse_time(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(raw))
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

impl MetaAds {
    /// The Page token of `page_id` for the user of `creds`, if Meta gives one.
    async fn page_token(
        &self,
        creds: &Credentials,
        page_id: &str,
    ) -> Result<Option<SecretString>, PlatformError> {
        let pages = self
            .client
            .get_all::<wire::PageAccount>(
                &creds.access_token,
                "me/accounts",
                vec![p("fields", "id,access_token")],
                Some(creds.account_number()),
            )
            .await?;
        Ok(pages
            .into_iter()
            .find(|page| page.id == page_id)
            .and_then(|page| page.access_token))
    }
}

#[async_trait]
impl LeadReader for MetaAds {
    async fn read_lead(
        &self,
        creds: &Credentials,
        page_id: Option<&str>,
        lead_id: &str,
    ) -> Result<PlatformLead, PlatformError> {
        if lead_id.is_empty() || !lead_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PlatformError::invalid(
                "leadgen_id",
                "A Meta lead id is a number.",
            ));
        }
        // Without a Page token (no task on the Page, or no pages_show_list),
        // the user token is tried: Meta accepts it from an advertiser with
        // leads_retrieval.
        let page_token = match page_id {
            Some(page) => self.page_token(creds, page).await?,
            None => None,
        };
        let token = page_token.as_ref().unwrap_or(&creds.access_token);
        let lead: WireLead = self
            .client
            .call_as(
                token,
                Call {
                    verb: Verb::Get,
                    path: lead_id,
                    params: vec![p("fields", LEAD_FIELDS)],
                    effect: Effect::Idempotent,
                    account: Some(creds.account_number()),
                },
            )
            .await?;
        Ok(lead.into())
    }

    async fn leads_of_ad(
        &self,
        creds: &Credentials,
        page_id: Option<&str>,
        ad_id: &str,
        after: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<PlatformLead>, PlatformError> {
        if ad_id.is_empty() || !ad_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PlatformError::invalid("ad_id", "A Meta ad id is a number."));
        }
        let page_token = match page_id {
            Some(page) => self.page_token(creds, page).await?,
            None => None,
        };
        let token = page_token.as_ref().unwrap_or(&creds.access_token);
        let mut params = vec![p("fields", LEAD_FIELDS)];
        if let Some(after) = after {
            params.push(p(
                "filtering",
                serde_json::json!([{
                    "field": "time_created",
                    "operator": "GREATER_THAN",
                    "value": after.timestamp(),
                }])
                .to_string(),
            ));
        }
        let leads = self
            .client
            .get_all::<WireLead>(
                token,
                &format!("{ad_id}/leads"),
                params,
                Some(creds.account_number()),
            )
            .await?;
        Ok(leads.into_iter().map(Into::into).collect())
    }
}

impl From<WireLead> for PlatformLead {
    fn from(lead: WireLead) -> Self {
        PlatformLead {
            id: lead.id,
            created_time: lead.created_time.as_deref().and_then(parse_time),
            ad_id: lead.ad_id.filter(|a| !a.is_empty() && a != "0"),
            form_id: lead.form_id,
            fields: lead
                .field_data
                .into_iter()
                .map(|f| LeadField {
                    name: f.name,
                    values: f.values,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_times_parse() {
        assert!(parse_time("2015-02-28T08:49:14+0000").is_some());
        assert!(parse_time("2015-02-28T08:49:14+00:00").is_some());
        assert!(parse_time("yesterday").is_none());
    }
}
