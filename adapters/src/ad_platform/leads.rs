//! Reading the leads people submit through a platform's lead forms: a
//! capability of its own, separate from [`super::AdPlatform`], because only
//! some platforms have it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::error::PlatformError;
use super::types::Credentials;

/// One answer of a lead form.
#[derive(Clone, PartialEq, Eq)]
pub struct LeadField {
    /// The question's key (`email`, `full_name`, or the form's own key).
    pub name: String,
    /// What the person answered (always a list on Meta).
    pub values: Vec<String>,
}

// Personal data: `{:?}` shows the field's name only.
impl std::fmt::Debug for LeadField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeadField")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A lead as the platform returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformLead {
    /// The platform's lead id.
    pub id: String,
    /// When the person submitted the form.
    pub created_time: Option<DateTime<Utc>>,
    /// The ad it came from (none for organic and test leads).
    pub ad_id: Option<String>,
    /// The form.
    pub form_id: Option<String>,
    /// The answers.
    pub fields: Vec<LeadField>,
}

/// Reads single leads.
#[async_trait]
pub trait LeadReader: Send + Sync {
    /// Reads lead `lead_id` of a form on Page `page_id` with the credentials
    /// of someone who advertises on the Page.
    async fn read_lead(
        &self,
        creds: &Credentials,
        page_id: Option<&str>,
        lead_id: &str,
    ) -> Result<PlatformLead, PlatformError>;

    /// Every lead of ad `ad_id` (a form on Page `page_id`) created after
    /// `after` (all without one), paged to the end.
    async fn leads_of_ad(
        &self,
        creds: &Credentials,
        page_id: Option<&str>,
        ad_id: &str,
        after: Option<DateTime<Utc>>,
    ) -> Result<Vec<PlatformLead>, PlatformError>;
}
