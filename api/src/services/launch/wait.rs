//! Where a launch stands between its attempts, told honestly: a launch
//! that waits for the platform (rate limit, temporary failure) says why and
//! until when, and a launch that gave up on temporary failures is not
//! reported as something the user must fix in the draft.
//!
//! The worker records a retry on the launch job (its `last_error` and
//! `run_at`); the reason is read back from the words the launch's stop
//! ([`super::stop::Stop`]) recorded, which the tests below pin to the
//! platform's and the copywriter's error texts.

use adapters::ad_platform::{launch::LaunchProgress, types::RemoteId};
use chrono::{DateTime, Utc};
use entities::{CampaignStatus, JobStatus, ad_campaign, job};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::stop::exhausted;
use crate::services::integrations::provider_name;

/// Why a launch waits before its next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// The platform (or the copywriter) asked us to slow down.
    RateLimited,
    /// The platform failed temporarily.
    TemporaryFailure,
    /// The platform could not be reached.
    Unavailable,
    /// The server restarted mid-launch; the launch resumes by itself.
    Interrupted,
}

/// A launch waiting for its next attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchWait {
    pub reason: WaitReason,
    /// When the next attempt starts.
    pub retry_at: DateTime<Utc>,
    /// Attempts made so far.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// How a failed launch failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The platform refused something in the campaign: the draft needs a fix.
    Refused,
    /// The platform kept failing temporarily: launching again as it is may work.
    Temporary,
}

/// How many of a launch's six steps (credits reserved, images uploaded,
/// campaign, ad set, ads, activation) its saved progress proves done;
/// `None` unless it is `LAUNCHING`.
pub fn steps_done(campaign: &ad_campaign::Model) -> Option<i32> {
    if campaign.status != CampaignStatus::Launching {
        return None;
    }
    let Some(progress) = campaign
        .launch_progress
        .clone()
        .and_then(|p| serde_json::from_value::<LaunchProgress>(p).ok())
    else {
        // Accepted: the credits are reserved, nothing is sent yet.
        return Some(1);
    };
    let all = |ids: &[Option<RemoteId>]| !ids.is_empty() && ids.iter().all(Option::is_some);
    let images =
        !progress.image_hashes.is_empty() && progress.image_hashes.iter().all(Option::is_some);
    let done = [
        images || progress.campaign_id.is_some(),
        progress.campaign_id.is_some(),
        progress.ad_set_id.is_some(),
        all(&progress.ad_ids),
        progress.activated,
    ];
    Some(1 + i32::try_from(done.iter().take_while(|d| **d).count()).unwrap_or(0))
}

/// The reason recorded in a retried launch job's `last_error`.
pub fn reason_of(last_error: &str) -> WaitReason {
    let e = last_error.to_lowercase();
    if e.contains("rate-limited") || e.contains("rate limited") {
        WaitReason::RateLimited
    } else if e.contains("interrupted") {
        WaitReason::Interrupted
    } else if e.contains("unavailable") {
        WaitReason::Unavailable
    } else {
        WaitReason::TemporaryFailure
    }
}

/// How `campaign`'s launch failed, when it did.
pub fn failure_kind(campaign: &ad_campaign::Model) -> Option<FailureKind> {
    if campaign.status != CampaignStatus::Error {
        return None;
    }
    let words = campaign.error_message.as_deref()?;
    Some(if words == exhausted(provider_name(campaign.provider)) {
        FailureKind::Temporary
    } else {
        FailureKind::Refused
    })
}

/// The wait of `campaign`'s launch: while it is `LAUNCHING` and its job is
/// queued again after a failed attempt.
pub async fn wait_of<C: ConnectionTrait>(
    conn: &C,
    campaign: &ad_campaign::Model,
) -> Result<Option<LaunchWait>, DbErr> {
    if campaign.status != CampaignStatus::Launching {
        return Ok(None);
    }
    let Some(key) = campaign.idempotency_key.as_deref() else {
        return Ok(None);
    };
    let job = job::Entity::find()
        .filter(job::Column::DedupeKey.eq(format!("launch:{}:{key}", campaign.id)))
        .one(conn)
        .await?;
    Ok(job.and_then(|job| {
        let error = job.last_error.as_deref()?;
        (job.status == JobStatus::Queued).then(|| LaunchWait {
            reason: reason_of(error),
            retry_at: job.run_at,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
        })
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use adapters::{ad_platform::PlatformError, copywriter::CopyError};

    use super::*;
    use crate::services::launch::stop::Stop;

    fn why(stop: Stop) -> String {
        match stop {
            Stop::Retry { why, .. } => why,
            _ => panic!("not a retry"),
        }
    }

    #[test]
    fn the_recorded_words_name_the_reason() {
        let limited = PlatformError::RateLimited {
            message: "User request limit reached".into(),
            retry_after: Some(Duration::from_secs(300)),
            code: Some(17),
            trace_id: None,
        };
        assert_eq!(
            reason_of(&why(Stop::of_platform(&limited, "Meta", "ad_set"))),
            WaitReason::RateLimited
        );
        let copy = CopyError::RateLimited {
            retry_after: None,
            message: "quota".into(),
        };
        assert_eq!(
            reason_of(&format!("copy: the copywriter is rate-limited: {copy}")),
            WaitReason::RateLimited
        );
        assert_eq!(
            reason_of("interrupted by a shutdown"),
            WaitReason::Interrupted
        );
        assert_eq!(
            reason_of("campaign: temporary ad platform failure: please retry"),
            WaitReason::TemporaryFailure
        );
    }

    #[test]
    fn the_steps_done_are_what_the_progress_proves() {
        let mut campaign = crate::services::launch::tests::draft();
        assert_eq!(steps_done(&campaign), None, "not launching");
        campaign.status = CampaignStatus::Launching;
        assert_eq!(steps_done(&campaign), Some(1));
        let mut p = LaunchProgress {
            image_hashes: vec![Some("h1".into())],
            ..Default::default()
        };
        let at = |p: &LaunchProgress| {
            let mut c = campaign.clone();
            c.launch_progress = Some(serde_json::to_value(p).unwrap());
            steps_done(&c)
        };
        assert_eq!(at(&p), Some(2));
        p.campaign_id = Some(RemoteId::from("c1"));
        assert_eq!(at(&p), Some(3));
        p.ad_ids = vec![Some(RemoteId::from("a1"))];
        assert_eq!(at(&p), Some(3), "ads without an ad set prove nothing more");
        p.ad_set_id = Some(RemoteId::from("s1"));
        assert_eq!(at(&p), Some(5));
        p.activated = true;
        assert_eq!(at(&p), Some(6));
    }
}
