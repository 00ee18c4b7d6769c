//! The launch plan: what a launch of a campaign will send, built in one
//! place from the campaign's rows and its platform's assets. The dry run
//! (`previewLaunch`) checks it; the launch job sends it. Both read the same
//! creatives and the same copy: a draft without copy gets the copywriter's
//! once, saved on the draft, so the words the dry run showed are the words
//! that go live.

use adapters::{
    ad_platform::{Assets, ImageUpload, launch::LaunchRequest},
    copywriter::{CopyBrief, CopyError, Copywriter},
};
use entities::{
    CampaignObjective, CampaignStatus, RowScope, TenantScoped, ad_campaign, campaign_creative,
    creative,
    json::{AdCopy, TargetAudience},
    user_integration,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

use super::tag_of;
use crate::{
    services::{
        campaigns::{input::CampaignInput, platform_checks::page_for},
        copy::{author_of, describe_audience},
    },
    shapes::{FromPlatform, ToPlatform, objective_to_platform},
};

/// Why a campaign without creatives cannot launch.
pub const NO_CREATIVES: &str =
    "The campaign has no creatives left; add at least one and launch again.";

/// Everything one launch sends, in the platform's terms.
#[derive(Debug, Clone)]
pub struct LaunchPlan {
    /// The campaign's creatives, in the order of its ads.
    pub creatives: Vec<creative::Model>,
    /// The request for `adapters::ad_platform::launch` (images named, not
    /// loaded: the run uploads them once per ad account).
    pub request: LaunchRequest,
}

impl LaunchPlan {
    /// The plan of `campaign` on `integration`, or the sentence that says
    /// why there is none (a user can act on it).
    pub fn build(
        campaign: &ad_campaign::Model,
        integration: &user_integration::Model,
        assets: &Assets,
        creatives: Vec<creative::Model>,
        copy: &AdCopy,
    ) -> Result<Self, String> {
        if creatives.is_empty() {
            return Err(NO_CREATIVES.to_owned());
        }
        let page_id = page_for(
            assets,
            integration.page_id.as_deref(),
            campaign.lead_form_id.as_deref(),
        )
        .ok_or("The integration has no Facebook Page to run the ads as.")?;
        let audience = campaign
            .target_audience
            .to_platform()
            .map_err(|e| format!("The audience cannot be used: {e}."))?;
        let conversion = crate::shapes::conversion_of(campaign)
            .ok_or_else(|| crate::shapes::NO_CONVERSION.to_owned())?;
        let words = copy
            .to_platform()
            .map_err(|e| format!("The copy cannot be used: {e}."))?;
        let ids: Vec<entities::CreativeId> = creatives.iter().map(|c| c.id).collect();
        let request = LaunchRequest {
            name: campaign.campaign_name.clone(),
            tag: tag_of(campaign, copy, &ids, &page_id),
            objective: objective_to_platform(campaign.objective),
            conversion,
            page_id,
            daily_budget: campaign.daily_budget_cents,
            audience,
            copy: words,
            link_url: campaign.destination_url.clone(),
            images: creatives
                .iter()
                .map(|c| ImageUpload {
                    name: c.file_name.clone(),
                    bytes: Vec::new(),
                })
                .collect(),
            dsa: crate::shapes::dsa_of(integration),
            special_ad_category: crate::shapes::category_to_platform(campaign.special_ad_category),
        };
        Ok(Self { creatives, request })
    }
}

/// The campaign's creatives in ad order, read as its owner.
pub async fn creatives_of<C: ConnectionTrait>(
    conn: &C,
    campaign: &ad_campaign::Model,
) -> Result<Vec<creative::Model>, DbErr> {
    let owner = RowScope::Own {
        tenant: campaign.tenant_id,
        user: campaign.user_id,
    };
    let linked = campaign_creative::Entity::within(owner)
        .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
        .find_also_related(creative::Entity)
        .filter(creative::Entity::scope_condition(owner))
        .order_by_asc(campaign_creative::Column::Position)
        .all(conn)
        .await?;
    Ok(linked.into_iter().filter_map(|(_, c)| c).collect())
}

/// Where a campaign's copy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopySource {
    /// The draft's own (written by the user, or saved by an earlier dry run).
    Draft,
    /// Written now by the copywriter and saved on the draft.
    WrittenNow,
}

/// Why there is no copy.
#[derive(Debug)]
pub enum CopyFailure {
    /// The copywriter failed; its error says whether to try again.
    Copywriter(CopyError),
    /// Saving it failed.
    Db(DbErr),
}

/// What the copywriter is asked for a campaign: its niche (else its
/// name), its audience and its objective.
pub fn brief_of(
    name: &str,
    niche: Option<&str>,
    audience: &TargetAudience,
    objective: CampaignObjective,
) -> CopyBrief {
    CopyBrief {
        niche: niche.unwrap_or(name).to_owned(),
        audience: describe_audience(audience),
        objective: objective_to_platform(objective),
        offer: None,
        tone: None,
        variants: 1,
    }
}

/// The copy an edit of a draft leaves on it. Copy the client sends is the
/// user's, unless it is the agent's saved copy sent back unchanged (an
/// editor round-trips what it loaded). Agent-written copy is dropped when
/// the brief it was written from changed (name, niche, audience,
/// objective), so the next dry run writes fresh copy; the user's copy is
/// never dropped.
pub fn copy_after_edit(current: &ad_campaign::Model, edit: &CampaignInput) -> Option<AdCopy> {
    let sent = edit.ad_copy.as_ref()?;
    let Some(saved) = current
        .ad_copy
        .as_ref()
        .filter(|saved| saved.written_by.is_some())
    else {
        return Some(sent.clone());
    };
    let words_kept = AdCopy {
        written_by: saved.written_by,
        ..sent.clone()
    } == *saved;
    if !words_kept {
        return Some(sent.clone());
    }
    let before = brief_of(
        &current.campaign_name,
        current.niche.as_deref(),
        &current.target_audience,
        current.objective,
    );
    let after = brief_of(
        &edit.name,
        edit.niche.as_deref(),
        &edit.audience,
        edit.objective,
    );
    (before == after).then(|| saved.clone())
}

/// The campaign's copy: the draft's, or the copywriter's written now and
/// saved on the draft (only while the draft still has none and is not
/// launched), so the dry run, a retry and the launch all use the same words.
pub async fn copy_of<C: ConnectionTrait>(
    conn: &C,
    copywriter: &dyn Copywriter,
    campaign: &ad_campaign::Model,
) -> Result<(AdCopy, CopySource), CopyFailure> {
    if let Some(copy) = &campaign.ad_copy {
        return Ok((copy.clone(), CopySource::Draft));
    }
    let brief = brief_of(
        &campaign.campaign_name,
        campaign.niche.as_deref(),
        &campaign.target_audience,
        campaign.objective,
    );
    let written = copywriter
        .write(&brief)
        .await
        .map_err(CopyFailure::Copywriter)?;
    let author = author_of(copywriter);
    let Some(first) = written.first().map(|c| AdCopy {
        written_by: Some(author),
        ..AdCopy::from_platform(c)
    }) else {
        return Err(CopyFailure::Copywriter(CopyError::Unavailable {
            message: "the copywriter returned no copy".to_owned(),
        }));
    };
    let saved = ad_campaign::Entity::update_many()
        .col_expr(
            ad_campaign::Column::AdCopy,
            Expr::value(Some(first.clone())),
        )
        .filter(ad_campaign::Column::Id.eq(campaign.id))
        .filter(ad_campaign::Column::AdCopy.is_null())
        .filter(ad_campaign::Column::Status.is_in([
            CampaignStatus::Draft,
            CampaignStatus::Error,
            CampaignStatus::Launching,
        ]))
        .exec(conn)
        .await
        .map_err(CopyFailure::Db)?;
    if saved.rows_affected == 0 {
        // Someone saved copy meanwhile (an edit, another dry run): theirs
        // is what launches.
        let now = ad_campaign::Entity::unscoped_by_id(campaign.id)
            .one(conn)
            .await
            .map_err(CopyFailure::Db)?
            .and_then(|c| c.ad_copy);
        if let Some(theirs) = now {
            return Ok((theirs, CopySource::Draft));
        }
    }
    Ok((first, CopySource::WrittenNow))
}

#[cfg(test)]
mod tests {
    use entities::{CampaignObjective, json::CallToAction, json::CopyAuthor};

    use super::*;

    fn copy(headline: &str, by: Option<CopyAuthor>) -> AdCopy {
        AdCopy {
            headline: headline.into(),
            body: "Morning classes for every level.".into(),
            description: None,
            call_to_action: CallToAction::LearnMore,
            written_by: by,
        }
    }

    /// The draft's settings as an editor sends them back, with `copy`.
    fn edit_of(campaign: &ad_campaign::Model, copy: Option<AdCopy>) -> CampaignInput {
        CampaignInput {
            name: campaign.campaign_name.clone(),
            objective: campaign.objective,
            daily_budget_cents: campaign.daily_budget_cents,
            audience: campaign.target_audience.clone(),
            destination_url: campaign.destination_url.clone(),
            creative_ids: Vec::new(),
            integration_id: campaign.integration_id,
            ad_copy: copy.map(|c| AdCopy {
                written_by: None,
                ..c
            }),
            niche: campaign.niche.clone(),
            lead_form_id: None,
            pixel_id: None,
            special_ad_category: campaign.special_ad_category,
        }
    }

    #[test]
    fn agent_copy_sent_back_unchanged_stays_the_agents_while_the_brief_stays() {
        let mut campaign = super::super::tests::draft();
        let agents = copy("Open day for you", Some(CopyAuthor::Template));
        campaign.ad_copy = Some(agents.clone());
        let mut edit = edit_of(&campaign, Some(agents.clone()));
        edit.daily_budget_cents += 500;
        assert_eq!(copy_after_edit(&campaign, &edit), Some(agents));
    }

    #[test]
    fn agent_copy_is_dropped_when_the_brief_changes() {
        let mut campaign = super::super::tests::draft();
        let agents = copy("Open day for you", Some(CopyAuthor::Gemini));
        campaign.ad_copy = Some(agents.clone());
        let renamed = EditOf::Name("Spring open day");
        let cases = [
            renamed,
            EditOf::Niche("Dance school"),
            EditOf::Country("DE"),
            EditOf::Objective(CampaignObjective::Leads),
        ];
        for case in cases {
            let mut edit = edit_of(&campaign, Some(agents.clone()));
            case.apply(&mut edit);
            assert_eq!(copy_after_edit(&campaign, &edit), None, "{case:?}");
        }
    }

    #[test]
    fn the_users_copy_is_never_dropped() {
        let mut campaign = super::super::tests::draft();
        // The user's own copy, saved before.
        campaign.ad_copy = Some(copy("Our open day", None));
        let mut edit = edit_of(&campaign, campaign.ad_copy.clone());
        EditOf::Name("Spring open day").apply(&mut edit);
        assert_eq!(
            copy_after_edit(&campaign, &edit),
            Some(copy("Our open day", None))
        );
        // The agent's copy, edited by the user in the same save: the user's now.
        campaign.ad_copy = Some(copy("Open day for you", Some(CopyAuthor::Template)));
        let mut edit = edit_of(&campaign, Some(copy("Come to our open day", None)));
        EditOf::Name("Spring open day").apply(&mut edit);
        assert_eq!(
            copy_after_edit(&campaign, &edit),
            Some(copy("Come to our open day", None))
        );
        // No copy sent: none kept (the next dry run writes it).
        let edit = edit_of(&campaign, None);
        assert_eq!(copy_after_edit(&campaign, &edit), None);
    }

    #[derive(Debug, Clone, Copy)]
    enum EditOf {
        Name(&'static str),
        Niche(&'static str),
        Country(&'static str),
        Objective(CampaignObjective),
    }

    impl EditOf {
        fn apply(self, edit: &mut CampaignInput) {
            match self {
                Self::Name(n) => edit.name = n.into(),
                Self::Niche(n) => edit.niche = Some(n.into()),
                Self::Country(c) => edit.audience.countries = vec![c.into()],
                Self::Objective(o) => edit.objective = o,
            }
        }
    }
}
