//! Ad copy from the tenant's copywriter: Gemini when `GEMINI_API_KEY` is
//! set, else the offline Template copywriter. A copywriter failure is a
//! coded error the member can act on, never `INTERNAL`.

use std::sync::Arc;

use adapters::copywriter::{
    AdCopy, CopyBrief, CopyError, Copywriter, GeminiCopywriter, MAX_VARIANTS, Objective,
    TemplateCopywriter,
};
use entities::json::{CopyAuthor, TargetAudience};

use super::audit::{AuditEntry, AuditService};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    config::Config,
    error::{AppError, InputProblem},
    services::campaigns::input,
};

/// What `generateAdCopy` asks for.
#[derive(Debug, Clone)]
pub struct CopyRequest {
    pub niche: String,
    pub audience: TargetAudience,
    pub objective: Objective,
    pub variants: i32,
}

#[derive(Clone)]
pub struct CopyService {
    authz: Authorizer,
    audit: AuditService,
    copywriter: Arc<dyn Copywriter>,
}

impl CopyService {
    pub fn new(authz: Authorizer, audit: AuditService, copywriter: Arc<dyn Copywriter>) -> Self {
        Self {
            authz,
            audit,
            copywriter,
        }
    }

    /// The copywriter the launch pipeline also uses.
    pub fn copywriter(&self) -> Arc<dyn Copywriter> {
        self.copywriter.clone()
    }

    /// Who the copy this service writes is by.
    pub fn author(&self) -> CopyAuthor {
        author_of(self.copywriter.as_ref())
    }

    /// Writes `variants` (1–5) variants of ad copy.
    pub async fn generate(
        &self,
        principal: &Principal,
        request: CopyRequest,
    ) -> Result<Vec<AdCopy>, AppError> {
        self.authz
            .authorize(principal, Resource::Copy, Action::Create)
            .await?;
        let mut problems = Vec::new();
        let niche = match input::clean(&input::NICHE, &request.niche) {
            Ok(n) => Some(n),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        problems.extend(input::audience_problems("audience", &request.audience));
        let variants = u8::try_from(request.variants)
            .ok()
            .filter(|v| (1..=MAX_VARIANTS).contains(v));
        if variants.is_none() {
            problems.push(InputProblem::new(
                "variants",
                format!("Ask for 1 to {MAX_VARIANTS} variants."),
            ));
        }
        if let Some(problem) = AppError::all_of(problems) {
            return Err(problem);
        }
        let brief = CopyBrief {
            niche: niche.unwrap_or_default(),
            audience: describe_audience(&request.audience),
            objective: request.objective,
            offer: None,
            tone: None,
            variants: variants.unwrap_or(1),
        };
        let written = write(self.copywriter.as_ref(), &brief).await;
        self.audit
            .record_now(
                AuditEntry::by(principal, "copy.generate")
                    .target(format!("copywriter:{}", self.copywriter.name()))
                    .outcome(if written.is_ok() {
                        entities::AuditOutcome::Success
                    } else {
                        entities::AuditOutcome::Failure
                    }),
            )
            .await?;
        written
    }
}

/// Asks `copywriter` for copy, with its failures as coded errors.
pub async fn write(
    copywriter: &dyn Copywriter,
    brief: &CopyBrief,
) -> Result<Vec<AdCopy>, AppError> {
    copywriter.write(brief).await.map_err(copy_failure)
}

/// The copywriter named by the settings.
pub fn from_config(config: &Config) -> Result<Arc<dyn Copywriter>, CopyError> {
    Ok(match &config.gemini.api_key {
        Some(key) => {
            let mut gemini = adapters::copywriter::GeminiConfig::new(
                config.gemini.base_url.clone(),
                key.clone(),
            );
            gemini.model = config.gemini.model.clone();
            Arc::new(GeminiCopywriter::new(gemini)?)
        }
        None => Arc::new(TemplateCopywriter),
    })
}

/// Which copywriter `copywriter` is, as stored with the copy it writes.
pub fn author_of(copywriter: &dyn Copywriter) -> CopyAuthor {
    match copywriter.name() {
        "gemini" => CopyAuthor::Gemini,
        _ => CopyAuthor::Template,
    }
}

/// Who the ads speak to, in words a copywriter can use.
pub fn describe_audience(audience: &TargetAudience) -> String {
    let mut places: Vec<&str> = audience.countries.iter().map(String::as_str).collect();
    places.extend(audience.regions.iter().map(|r| r.name.as_str()));
    places.extend(audience.cities.iter().map(|c| c.name.as_str()));
    let ages = if audience.age_max >= 65 {
        format!("{}+", audience.age_min)
    } else {
        format!("{}–{}", audience.age_min, audience.age_max)
    };
    let mut words = format!("people aged {ages}");
    if !places.is_empty() {
        words.push_str(" in ");
        words.push_str(&places.join(", "));
    }
    if !audience.interests.is_empty() {
        let interests: Vec<&str> = audience.interests.iter().map(|i| i.name.as_str()).collect();
        words.push_str(" interested in ");
        words.push_str(&interests.join(", "));
    }
    words
}

/// A copywriter failure as the member sees it: what happened and what to
/// do, with a code a client can branch on.
pub fn copy_failure(err: CopyError) -> AppError {
    let platform = |message: String| AppError::Platform {
        message,
        platform_code: None,
        trace_id: None,
    };
    match err {
        CopyError::BadBrief(why) => {
            AppError::bad_input("niche", format!("The brief is unusable: {why}."))
        }
        CopyError::Blocked { reason } => AppError::bad_input(
            "niche",
            format!(
                "The copywriter's safety filters blocked this brief ({reason}); describe the business differently."
            ),
        ),
        CopyError::RateLimited {
            retry_after,
            message,
        } => AppError::RateLimited {
            message: format!("The copywriter is over its quota: {message}"),
            retry_after,
        },
        CopyError::BadKey { message } => platform(format!(
            "The copywriter refused the server's API key (an administrator must fix GEMINI_API_KEY): {message}"
        )),
        CopyError::UnknownModel { model, message } => platform(format!(
            "The copywriter does not know the model {model:?} (an administrator must fix GEMINI_MODEL): {message}"
        )),
        other => platform(format!(
            "The copywriter failed: {other}. Try again, or write the copy yourself."
        )),
    }
}
