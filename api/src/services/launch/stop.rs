//! Why a run of a launch stopped before it finished, and how each reason is
//! worded for the user.

use std::time::Duration;

use adapters::ad_platform::launch::JournalStop;
use adapters::ad_platform::{PlatformError, launch::LaunchError};

use crate::error::AppError;

/// Why a run stopped.
#[derive(Debug)]
pub enum Stop {
    /// Permanent: the campaign fails with these words, which the user sees
    /// (the platform's own, or a fixed sentence of ours).
    Fail(String),
    /// Temporary on the platform's side (rate limit, outage, unknown
    /// outcome): another attempt after `after` at the earliest; uses up an
    /// attempt. `why` is for the logs and the job row.
    Retry {
        after: Option<Duration>,
        why: String,
    },
    /// Our own infrastructure failed (database, storage, vault): always
    /// tried again, never uses up the launch. `why` is for the logs only.
    Infra(String),
    /// The server is stopping; the rest runs at the next start.
    Interrupted,
    /// The job's lease was lost (or the launch settled or withdrawn): the
    /// run sends and writes nothing more.
    NotOurs,
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Stop::Infra(e.to_string())
    }
}

impl From<sea_orm::DbErr> for Stop {
    fn from(e: sea_orm::DbErr) -> Self {
        Stop::Infra(e.to_string())
    }
}

impl Stop {
    /// How a stop of the launch sequence ends this run. `name` is the
    /// platform's name ("Meta"); `lookup_delay` is the wait before a create
    /// with an unknown outcome may be looked up.
    pub fn of_launch(e: LaunchError, name: &str, lookup_delay: Duration) -> Self {
        match e {
            LaunchError::Journal(JournalStop::Stopping) => Stop::Interrupted,
            LaunchError::Journal(JournalStop::NotOurs) => Stop::NotOurs,
            LaunchError::Journal(JournalStop::Failed(why)) => Stop::Infra(why),
            LaunchError::Platform { step, source } => {
                let stop = Stop::of_platform(&source, name, &step);
                match stop {
                    Stop::Retry { after, why } if source.outcome_unknown() => Stop::Retry {
                        after: Some(after.unwrap_or_default().max(lookup_delay)),
                        why,
                    },
                    other => other,
                }
            }
        }
    }

    /// How a platform error ends this run: a retry for rate limits,
    /// temporary failures and an unreachable platform; otherwise the
    /// campaign fails with the platform's own words.
    pub fn of_platform(e: &PlatformError, name: &str, step: &str) -> Self {
        match e {
            PlatformError::RateLimited { .. } | PlatformError::Transient { .. } => Stop::Retry {
                after: e.retry_after(),
                why: format!("{step}: {e}"),
            },
            PlatformError::Unavailable { .. } => Stop::Retry {
                after: None,
                why: format!("{step}: {e}"),
            },
            _ => {
                let mut words = e.user_message().trim().to_owned();
                if !words.ends_with(['.', '!', '?']) {
                    words.push('.');
                }
                // Rules checked before the first create: the platform was
                // never asked, and nothing exists to clean up.
                if step == "validate" {
                    return Stop::Fail(format!("Nothing was created: {words}"));
                }
                Stop::Fail(format!(
                    "{name} refused the {} step: {words}",
                    step_words(step)
                ))
            }
        }
    }
}

/// The words users see for a launch that ran out of attempts on temporary
/// failures: the platform's last words, never our internals.
pub fn exhausted(name: &str) -> String {
    format!(
        "{name} kept failing temporarily and the launch gave up after several attempts; nothing is running. Launch again when {name} is back."
    )
}

fn step_words(step: &str) -> &str {
    match step {
        "verify" | "assets" => "account check",
        "image" => "image upload",
        "campaign" => "campaign",
        "ad_set" => "ad set",
        "activate" => "activation",
        s if s.starts_with("creative") => "ad creative",
        s if s.starts_with("ad_") => "ad",
        other => other,
    }
}

/// Jittered exponential back-off, at least what the platform asked for.
pub fn backoff(attempt: i32, asked: Option<Duration>) -> Duration {
    let exp = 2u64.saturating_pow(u32::try_from(attempt.max(1) - 1).unwrap_or(0));
    let base = Duration::from_millis(500 * exp.min(120));
    let jitter = Duration::from_millis(rand::random::<u64>() % 250);
    base.max(asked.unwrap_or_default()) + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_honours_what_the_platform_asked() {
        assert!(backoff(1, None) < Duration::from_secs(1));
        assert!(backoff(4, None) >= Duration::from_secs(4));
        // The platform's regain time wins over the schedule.
        assert!(backoff(1, Some(Duration::from_secs(60))) >= Duration::from_secs(60));
        // Bounded, however many attempts.
        assert!(backoff(40, None) <= Duration::from_secs(61));
    }

    #[test]
    fn an_unknown_outcome_waits_for_the_lookup_delay() {
        let lost = LaunchError::Platform {
            step: "ad_set".into(),
            source: PlatformError::Transient {
                message: "HTTP 500".into(),
                code: Some(2),
                trace_id: None,
                outcome_unknown: true,
            },
        };
        let Stop::Retry { after, .. } = Stop::of_launch(lost, "Meta", Duration::from_secs(30))
        else {
            panic!("a retry");
        };
        assert_eq!(after, Some(Duration::from_secs(30)));
        let refused = LaunchError::Platform {
            step: "ad_set".into(),
            source: PlatformError::invalid("daily_budget", "too low"),
        };
        let Stop::Fail(words) = Stop::of_launch(refused, "Meta", Duration::from_secs(30)) else {
            panic!("a failure");
        };
        assert_eq!(words, "Meta refused the ad set step: too low.");
        // Refused by our own rules before anything was sent: not Meta's words.
        let ours = LaunchError::Platform {
            step: "validate".into(),
            source: PlatformError::invalid("dsa_beneficiary", "name the payor"),
        };
        let Stop::Fail(words) = Stop::of_launch(ours, "Meta", Duration::from_secs(30)) else {
            panic!("a failure");
        };
        assert_eq!(words, "Nothing was created: name the payor.");
    }
}
