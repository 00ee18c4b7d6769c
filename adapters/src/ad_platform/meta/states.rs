//! Campaign states for many campaigns of one account, in two listings
//! filtered on the ids and paged to the end: the campaigns' own
//! `effective_status` (with `issues_info`), and their ads'
//! (`act_<id>/ads` filtered on `campaign.id`), since review, rejection and
//! billing holds exist only on ads (reference §3.8). Each edge is asked only
//! for its own level's values: the campaign edge refuses ad-level ones
//! (100/1487561 "Run Status not valid"). Archived and deleted objects are
//! asked for by name: listing edges leave them out unless
//! `effective_status` names them.

use std::collections::HashMap;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;

use super::client::GraphClient;
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::types::{AdDelivery, AdState, CampaignState, RemoteDelivery, RemoteId};

/// Every `effective_status` a campaign can have (`Campaign.EffectiveStatus`).
const CAMPAIGN_STATUSES: [&str; 6] = [
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "IN_PROCESS",
    "WITH_ISSUES",
];

/// Every `effective_status` an ad can have (`Ad.EffectiveStatus`).
const AD_STATUSES: [&str; 12] = [
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "IN_PROCESS",
    "WITH_ISSUES",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
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

/// One listed ad.
#[derive(Debug, Deserialize)]
struct AdRow {
    id: String,
    #[serde(default)]
    campaign_id: Option<String>,
    #[serde(default)]
    effective_status: Option<String>,
    #[serde(default)]
    issues_info: Vec<Issue>,
    #[serde(default)]
    ad_review_feedback: Option<ReviewFeedback>,
}

#[derive(Debug, Deserialize)]
struct Issue {
    #[serde(default)]
    error_summary: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

/// `ad_review_feedback`: `{"global": {<policy>: <text>}, "placement_specific": …}`.
#[derive(Debug, Default, Deserialize)]
struct ReviewFeedback {
    #[serde(default)]
    global: std::collections::BTreeMap<String, String>,
}

fn first_issue(issues: &[Issue]) -> Option<&str> {
    issues
        .iter()
        .find_map(|i| i.error_summary.as_deref().or(i.error_message.as_deref()))
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
    let listing = |fields: &str, field: &str, statuses: &[&str]| {
        vec![
            ("fields".to_owned(), fields.to_owned()),
            (
                "filtering".to_owned(),
                json!([{ "field": field, "operator": "IN", "value": ids }]).to_string(),
            ),
            ("effective_status".to_owned(), json!(statuses).to_string()),
            ("limit".to_owned(), client.config().page_limit.to_string()),
        ]
    };
    let campaigns_path = format!("act_{account}/campaigns");
    let ads_path = format!("act_{account}/ads");
    let (campaigns, ads) = tokio::try_join!(
        client.get_all::<Row>(
            token,
            &campaigns_path,
            listing("id,effective_status,issues_info", "id", &CAMPAIGN_STATUSES),
            Some(account),
        ),
        client.get_all::<AdRow>(
            token,
            &ads_path,
            listing(
                "id,campaign_id,effective_status,issues_info,ad_review_feedback",
                "campaign.id",
                &AD_STATUSES,
            ),
            Some(account),
        ),
    )?;
    Ok(combine(campaigns, ads))
}

fn combine(campaigns: Vec<Row>, ads: Vec<AdRow>) -> Vec<CampaignState> {
    let mut ads_of: HashMap<String, Vec<AdState>> = HashMap::new();
    for ad in ads {
        let Some(campaign) = ad.campaign_id.clone() else {
            continue;
        };
        if let Some(state) = convert_ad(ad) {
            ads_of.entry(campaign).or_default().push(state);
        }
    }
    campaigns
        .into_iter()
        .filter_map(|row| {
            let ads = ads_of.remove(&row.id).unwrap_or_default();
            convert(row, ads)
        })
        .collect()
}

fn convert(row: Row, ads: Vec<AdState>) -> Option<CampaignState> {
    let status = row.effective_status.as_deref()?;
    let issue = first_issue(&row.issues_info);
    let Some(own) = RemoteDelivery::from_effective_status(status, issue) else {
        tracing::info!(campaign = %row.id, status, "unknown effective_status; keeping the local status");
        return None;
    };
    Some(CampaignState::summarize(RemoteId(row.id), own, ads))
}

/// An ad's state; a rejection's reason comes from the review feedback
/// (every policy it names), else from `issues_info`.
fn convert_ad(row: AdRow) -> Option<AdState> {
    let status = row.effective_status.as_deref()?;
    let feedback = row
        .ad_review_feedback
        .as_ref()
        .filter(|f| !f.global.is_empty())
        .map(|f| f.global.values().cloned().collect::<Vec<_>>().join(" "));
    let reason = feedback
        .as_deref()
        .or_else(|| first_issue(&row.issues_info));
    let Some(delivery) = AdDelivery::from_effective_status(status, reason) else {
        tracing::info!(ad = %row.id, status, "unknown ad effective_status; left out");
        return None;
    };
    Some(AdState {
        ad_id: RemoteId(row.id),
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

    fn ad(id: &str, status: &str, feedback: Option<&str>) -> AdRow {
        AdRow {
            id: id.to_owned(),
            campaign_id: Some("120".to_owned()),
            effective_status: Some(status.to_owned()),
            issues_info: Vec::new(),
            ad_review_feedback: feedback.map(|f| ReviewFeedback {
                global: [("Advertising Policies".to_owned(), f.to_owned())].into(),
            }),
        }
    }

    #[test]
    fn statuses_map_to_deliveries() {
        let d = |s, i| convert(row(s, i), Vec::new()).map(|c| c.delivery);
        assert_eq!(d("ACTIVE", None), Some(RemoteDelivery::Running));
        assert_eq!(d("IN_PROCESS", None), Some(RemoteDelivery::Running));
        assert_eq!(d("PAUSED", None), Some(RemoteDelivery::Paused));
        assert_eq!(d("ARCHIVED", None), Some(RemoteDelivery::Ended));
        assert_eq!(d("DELETED", None), Some(RemoteDelivery::Ended));
        assert_eq!(
            d("WITH_ISSUES", Some("Ad rejected: text in image")),
            Some(RemoteDelivery::Stopped {
                reason: "Ad rejected: text in image".to_owned()
            })
        );
        assert_eq!(d("SOMETHING_NEW", None), None);
        assert_eq!(
            convert(
                Row {
                    id: "1".into(),
                    effective_status: None,
                    issues_info: vec![]
                },
                Vec::new()
            ),
            None
        );
    }

    #[test]
    fn the_edges_are_asked_for_their_own_levels_values() {
        assert!(!CAMPAIGN_STATUSES.contains(&"DISAPPROVED"));
        assert!(!CAMPAIGN_STATUSES.contains(&"PENDING_REVIEW"));
        assert!(AD_STATUSES.iter().all(|s| !s.is_empty()));
        assert!(CAMPAIGN_STATUSES.iter().all(|s| AD_STATUSES.contains(s)));
    }

    #[test]
    fn a_rejected_ad_holds_back_a_running_campaign_with_its_reason() {
        let states = combine(
            vec![row("ACTIVE", None)],
            vec![
                ad("1", "ACTIVE", None),
                ad("2", "DISAPPROVED", Some("Text in image.")),
                ad("3", "PENDING_REVIEW", None),
            ],
        );
        let [state] = states.as_slice() else {
            panic!("{states:?}")
        };
        assert_eq!(
            state.delivery,
            RemoteDelivery::Stopped {
                reason: "1 of 3 ads disapproved: Text in image.".to_owned()
            }
        );
        assert_eq!(state.ads[0].delivery, AdDelivery::Running);
        assert_eq!(
            state.ads[1].delivery,
            AdDelivery::Disapproved {
                reason: "Text in image.".to_owned()
            }
        );
        assert_eq!(state.ads[2].delivery, AdDelivery::InReview);
        // A paused campaign is paused, whatever its ads say.
        let states = combine(
            vec![row("PAUSED", None)],
            vec![ad("2", "DISAPPROVED", Some("Text in image."))],
        );
        assert_eq!(states[0].delivery, RemoteDelivery::Paused);
        // A billing hold.
        let states = combine(
            vec![row("ACTIVE", None)],
            vec![ad("1", "PENDING_BILLING_INFO", None)],
        );
        assert!(matches!(&states[0].delivery,
            RemoteDelivery::Stopped { reason } if reason.starts_with("1 of 1 ads held for billing")));
    }
}
