//! Insights for many campaigns of one account: explicit fields, campaign level, a
//! `campaign.id IN [...]` filter, cursor paging to the end, numbers parsed from strings,
//! `lead` as the lead total, spend in minor units. When Meta asks for less data (the
//! timeouts 100/1504018 and 2/1504038, or code 1 "reduce the amount of data") the call is
//! never retried unchanged: the date range is split in two, and a single day is asked for
//! in smaller pages.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde_json::json;

use super::client::GraphClient;
use super::errors::asks_for_less_data;
use super::wire;
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::money::major_str_to_minor;
use crate::ad_platform::types::{DateRange, InsightsRow, RemoteId};

/// Fields requested; Graph returns little without an explicit list.
pub const FIELDS: &str =
    "campaign_id,impressions,clicks,inline_link_clicks,spend,actions,account_currency";

/// Fetches insights, splitting the range when Meta times out.
pub async fn fetch(
    client: &GraphClient,
    token: &SecretString,
    account: &str,
    campaign_ids: &[RemoteId],
    range: DateRange,
    fallback_currency: Option<&str>,
) -> Result<Vec<InsightsRow>, PlatformError> {
    if campaign_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut totals: BTreeMap<RemoteId, InsightsRow> = BTreeMap::new();
    let mut pending = vec![(range, client.config().page_limit.max(1))];
    while let Some((range, limit)) = pending.pop() {
        match fetch_range(
            client,
            token,
            account,
            campaign_ids,
            range,
            limit,
            fallback_currency,
        )
        .await
        {
            Ok(rows) => {
                for row in rows {
                    totals
                        .entry(row.campaign_id.clone())
                        .or_insert_with(|| InsightsRow {
                            campaign_id: row.campaign_id.clone(),
                            ..InsightsRow::default()
                        })
                        .add(&row);
                }
            }
            Err(PlatformError::Invalid(inv))
                if asks_for_less_data(inv.code, inv.subcode, &inv.message) =>
            {
                if let Some((a, b)) = range.halves() {
                    tracing::info!(
                        days = range.days(),
                        code = inv.code,
                        "Meta asked for less insights data; splitting the range"
                    );
                    pending.push((b, limit));
                    pending.push((a, limit));
                } else if limit > 1 {
                    tracing::info!(
                        limit,
                        code = inv.code,
                        "Meta asked for less insights data for one day; smaller pages"
                    );
                    pending.push((range, limit / 2));
                } else {
                    return Err(PlatformError::Invalid(inv));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(totals.into_values().collect())
}

async fn fetch_range(
    client: &GraphClient,
    token: &SecretString,
    account: &str,
    campaign_ids: &[RemoteId],
    range: DateRange,
    limit: u32,
    fallback_currency: Option<&str>,
) -> Result<Vec<InsightsRow>, PlatformError> {
    let ids: Vec<&str> = campaign_ids.iter().map(RemoteId::as_str).collect();
    let params = vec![
        ("level".to_owned(), "campaign".to_owned()),
        ("fields".to_owned(), FIELDS.to_owned()),
        (
            "filtering".to_owned(),
            json!([{ "field": "campaign.id", "operator": "IN", "value": ids }]).to_string(),
        ),
        (
            "time_range".to_owned(),
            json!({ "since": range.since.to_string(), "until": range.until.to_string() })
                .to_string(),
        ),
        ("limit".to_owned(), limit.to_string()),
    ];
    let path = format!("act_{account}/insights");
    let rows: Vec<wire::InsightsRow> = client.get_all(token, &path, params, Some(account)).await?;
    rows.into_iter()
        .map(|r| convert(r, fallback_currency))
        .collect()
}

fn count(value: Option<&str>, field: &str) -> Result<i64, PlatformError> {
    match value {
        None => Ok(0),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map_err(|_| PlatformError::Unavailable {
                message: format!("Meta sent a non-numeric {field}: {v:?}"),
            }),
    }
}

fn convert(
    row: wire::InsightsRow,
    fallback_currency: Option<&str>,
) -> Result<InsightsRow, PlatformError> {
    let campaign_id = row
        .campaign_id
        .clone()
        .ok_or_else(|| PlatformError::Unavailable {
            message: "Meta sent an insights row without campaign_id".to_owned(),
        })?;
    let currency = row
        .account_currency
        .as_deref()
        .or(fallback_currency)
        .ok_or_else(|| PlatformError::Unavailable {
            message: "Meta sent spend without the account currency".to_owned(),
        })?;
    let spend_minor = match row.spend.as_deref() {
        None => 0,
        Some(s) => major_str_to_minor(s, currency).ok_or_else(|| PlatformError::Unavailable {
            message: format!("Meta sent a non-numeric spend: {s:?}"),
        })?,
    };
    // `lead` is already the total of its sub-types (instant forms, pixel leads): take it
    // alone, never add the sub-types to it.
    let leads = count(
        row.actions
            .iter()
            .find(|a| a.action_type == "lead")
            .map(|a| a.value.as_str()),
        "lead",
    )?;
    let clicks = match row.inline_link_clicks.as_deref() {
        Some(v) => count(Some(v), "inline_link_clicks")?,
        None => count(row.clicks.as_deref(), "clicks")?,
    };
    Ok(InsightsRow {
        campaign_id: RemoteId(campaign_id),
        impressions: count(row.impressions.as_deref(), "impressions")?,
        clicks,
        spend_minor,
        leads,
    })
}
