//! Campaign states for many campaigns of one account: `effective_status`
//! (which folds in review and billing) and `issues_info` (the reason, when
//! the platform stopped a campaign), one listing filtered on the ids, paged
//! to the end. Archived and deleted campaigns are asked for by name: listing
//! edges leave them out unless `effective_status` names them.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;

use super::client::GraphClient;
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::types::{CampaignState, RemoteDelivery, RemoteId};

/// Every `effective_status` a campaign can have, so none is filtered out.
const ALL_STATUSES: [&str; 11] = [
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "IN_PROCESS",
    "WITH_ISSUES",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
];

/// One listed campaign.
#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    #[serde(default)]
    effective_status: Option<String>,
    #[serde(default)]
    issues_info: Vec<Issue>,
}

#[derive(Debug, Deserialize)]
struct Issue {
    #[serde(default)]
    error_summary: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

/// Reads the states; values this version does not know are left out (and
/// logged), so the caller keeps the local status rather than guessing.
pub async fn fetch(
    client: &GraphClient,
    token: &SecretString,
    account: &str,
    campaign_ids: &[RemoteId],
) -> Result<Vec<CampaignState>, PlatformError> {
    if campaign_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = campaign_ids.iter().map(RemoteId::as_str).collect();
    let params = vec![
        (
            "fields".to_owned(),
            "id,effective_status,issues_info".to_owned(),
        ),
        (
            "filtering".to_owned(),
            json!([{ "field": "id", "operator": "IN", "value": ids }]).to_string(),
        ),
        (
            "effective_status".to_owned(),
            json!(ALL_STATUSES).to_string(),
        ),
        ("limit".to_owned(), client.config().page_limit.to_string()),
    ];
    let path = format!("act_{account}/campaigns");
    let rows: Vec<Row> = client.get_all(token, &path, params, Some(account)).await?;
    Ok(rows.into_iter().filter_map(convert).collect())
}

fn convert(row: Row) -> Option<CampaignState> {
    let status = row.effective_status.as_deref()?;
    let issue = row
        .issues_info
        .iter()
        .find_map(|i| i.error_summary.as_deref().or(i.error_message.as_deref()));
    let Some(delivery) = RemoteDelivery::from_effective_status(status, issue) else {
        tracing::info!(campaign = %row.id, status, "unknown effective_status; keeping the local status");
        return None;
    };
    Some(CampaignState {
        campaign_id: RemoteId(row.id),
        delivery,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, issue: Option<&str>) -> Row {
        Row {
            id: "120".to_owned(),
            effective_status: Some(status.to_owned()),
            issues_info: issue
                .map(|s| Issue {
                    error_summary: Some(s.to_owned()),
                    error_message: None,
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn statuses_map_to_deliveries() {
        let d = |s, i| convert(row(s, i)).map(|c| c.delivery);
        assert_eq!(d("ACTIVE", None), Some(RemoteDelivery::Running));
        assert_eq!(d("PENDING_REVIEW", None), Some(RemoteDelivery::Running));
        assert_eq!(d("PAUSED", None), Some(RemoteDelivery::Paused));
        assert_eq!(d("ARCHIVED", None), Some(RemoteDelivery::Ended));
        assert_eq!(d("DELETED", None), Some(RemoteDelivery::Ended));
        assert_eq!(
            d("WITH_ISSUES", Some("Ad rejected: text in image")),
            Some(RemoteDelivery::Stopped {
                reason: "Ad rejected: text in image".to_owned()
            })
        );
        assert!(matches!(
            d("PENDING_BILLING_INFO", None),
            Some(RemoteDelivery::Stopped { .. })
        ));
        assert_eq!(d("SOMETHING_NEW", None), None);
        assert_eq!(
            convert(Row {
                id: "1".into(),
                effective_status: None,
                issues_info: vec![]
            }),
            None
        );
    }
}
