//! Where a launched campaign's ads stand on the platform, and what the
//! dashboard shows for the campaign from them. Review, rejection and billing
//! holds exist only on ads (reference §3.8): the insights sync stores each
//! ad's state on its `campaign_creatives` row, and a campaign reads as "in
//! review" or "disapproved" only when its ads say so — one rejected ad among
//! running ones leaves the campaign running, with "1 of 3 ads disapproved: …"
//! in its `errorMessage`.

use adapters::ad_platform::{AdDelivery, AdState};
use entities::{AdDeliveryStatus, CampaignStatus, ad_campaign, campaign_creative};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

use crate::error::AppError;

/// The stored form of an ad's state: its status and the platform's reason.
pub fn stored(delivery: &AdDelivery) -> (AdDeliveryStatus, Option<&str>) {
    match delivery {
        AdDelivery::InReview => (AdDeliveryStatus::InReview, None),
        AdDelivery::Running => (AdDeliveryStatus::Running, None),
        AdDelivery::Paused => (AdDeliveryStatus::Paused, None),
        AdDelivery::Disapproved { reason } => (AdDeliveryStatus::Disapproved, Some(reason)),
        AdDelivery::BillingHold { reason } => (AdDeliveryStatus::BillingHold, Some(reason)),
        AdDelivery::WithIssues { reason } => (AdDeliveryStatus::WithIssues, Some(reason)),
        AdDelivery::Ended => (AdDeliveryStatus::Ended, None),
    }
}

/// Stores the ads' states of one campaign where they changed; whether any
/// did. Only ads the campaign launched (by `remote_ad_id`), within its
/// tenant.
pub async fn record(
    db: &DatabaseConnection,
    campaign: &ad_campaign::Model,
    ads: &[AdState],
) -> Result<bool, AppError> {
    if ads.is_empty() {
        return Ok(false);
    }
    let links = campaign_creative::Entity::find()
        .filter(campaign_creative::Column::TenantId.eq(campaign.tenant_id))
        .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
        .all(db)
        .await?;
    let mut changed = false;
    for link in links {
        let Some(remote) = link.remote_ad_id.as_deref() else {
            continue;
        };
        let Some(ad) = ads.iter().find(|a| a.ad_id.as_str() == remote) else {
            continue;
        };
        let (status, reason) = stored(&ad.delivery);
        if link.delivery_status == Some(status) && link.review_message.as_deref() == reason {
            continue;
        }
        campaign_creative::Entity::update_many()
            .col_expr(
                campaign_creative::Column::DeliveryStatus,
                Expr::value(Some(status)),
            )
            .col_expr(
                campaign_creative::Column::ReviewMessage,
                Expr::value(reason.map(str::to_owned)),
            )
            .filter(campaign_creative::Column::TenantId.eq(campaign.tenant_id))
            .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
            .filter(campaign_creative::Column::CreativeId.eq(link.creative_id))
            .exec(db)
            .await?;
        changed = true;
    }
    Ok(changed)
}

/// What the dashboard shows for a campaign: its own status first (paused,
/// ended), then its ads'. `None` before launch, when failed, or while no ad
/// state was read yet for a live campaign.
pub fn campaign_delivery(
    status: CampaignStatus,
    error_message: Option<&str>,
    ads: &[Option<AdDeliveryStatus>],
) -> Option<AdDeliveryStatus> {
    use AdDeliveryStatus as D;
    match status {
        CampaignStatus::Paused => return Some(D::Paused),
        CampaignStatus::Completed => return Some(D::Ended),
        CampaignStatus::Active => {}
        _ => return None,
    }
    let known: Vec<D> = ads.iter().flatten().copied().collect();
    let any = |d: D| known.contains(&d);
    Some(if any(D::Running) {
        D::Running
    } else if any(D::BillingHold) {
        D::BillingHold
    } else if any(D::InReview) {
        D::InReview
    } else if !known.is_empty() && known.iter().all(|d| *d == D::Disapproved) {
        D::Disapproved
    } else if any(D::WithIssues) || any(D::Disapproved) || error_message.is_some() {
        D::WithIssues
    } else if any(D::Paused) {
        D::Paused
    } else if any(D::Ended) {
        D::Ended
    } else {
        D::Running
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use AdDeliveryStatus as D;

    #[test]
    fn one_rejected_ad_among_running_ones_leaves_the_campaign_running() {
        let active = CampaignStatus::Active;
        let reason = Some("1 of 3 ads disapproved: text");
        assert_eq!(
            campaign_delivery(
                active,
                reason,
                &[Some(D::Running), Some(D::Disapproved), Some(D::Running)]
            ),
            Some(D::Running)
        );
        assert_eq!(
            campaign_delivery(active, reason, &[Some(D::Disapproved)]),
            Some(D::Disapproved)
        );
        assert_eq!(
            campaign_delivery(active, None, &[Some(D::InReview), Some(D::InReview)]),
            Some(D::InReview)
        );
        assert_eq!(
            campaign_delivery(active, Some("hold"), &[Some(D::BillingHold)]),
            Some(D::BillingHold)
        );
        assert_eq!(
            campaign_delivery(active, Some("issue"), &[None]),
            Some(D::WithIssues)
        );
        assert_eq!(
            campaign_delivery(CampaignStatus::Paused, None, &[Some(D::Running)]),
            Some(D::Paused)
        );
        assert_eq!(campaign_delivery(CampaignStatus::Draft, None, &[]), None);
    }
}
