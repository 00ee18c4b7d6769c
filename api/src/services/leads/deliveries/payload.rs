//! What a destination receives: the JSON body of the signed webhook and
//! the text of the e-mail. One shape, built here from the stored lead.

use chrono::{DateTime, Utc};
use entities::{LeadSource, lead};
use serde::Serialize;

use super::super::Answer;

/// The webhook body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Body<'a> {
    /// The same for every try of one delivery: the receiver's idempotency key.
    pub delivery_id: String,
    /// `lead.received`, or `lead.test` for a test delivery.
    pub event: &'static str,
    pub lead: LeadBody<'a>,
}

/// The lead in a webhook body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadBody<'a> {
    pub id: String,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<&'a str>,
    pub platform_lead_id: &'a str,
    pub form_id: Option<&'a str>,
    pub ad_id: Option<&'a str>,
    pub created_time: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub source: LeadSource,
    pub answers: &'a [Answer],
}

impl<'a> LeadBody<'a> {
    pub fn of(row: &'a lead::Model, campaign_name: Option<&'a str>, answers: &'a [Answer]) -> Self {
        Self {
            id: row.id.to_string(),
            campaign_id: row.campaign_id.map(|c| c.to_string()),
            campaign_name,
            platform_lead_id: &row.platform_lead_id,
            form_id: row.form_id.as_deref(),
            ad_id: row.ad_id.as_deref(),
            created_time: row.platform_created_at,
            received_at: row.received_at,
            source: row.source,
            answers,
        }
    }
}

/// The sample a test delivery sends: made-up answers, no real lead.
pub fn sample_answers() -> Vec<Answer> {
    vec![
        Answer {
            name: "full_name".into(),
            values: vec!["Sample Lead".into()],
        },
        Answer {
            name: "email".into(),
            values: vec!["sample.lead@example.com".into()],
        },
    ]
}

/// The e-mail's subject and text.
pub fn email(lead: &LeadBody<'_>, delivery_id: &str) -> (String, String) {
    let subject = match lead.campaign_name {
        Some(name) => format!("New lead from {name}"),
        None => "New lead".to_owned(),
    };
    let mut text = String::from("A new lead arrived in Leadforge.\n\n");
    for answer in lead.answers {
        text.push_str(&format!("{}: {}\n", answer.name, answer.values.join(", ")));
    }
    text.push('\n');
    if let Some(created) = lead.created_time {
        text.push_str(&format!("Submitted: {}\n", created.to_rfc3339()));
    }
    text.push_str(&format!("Lead: {}\nDelivery: {delivery_id}\n", lead.id));
    (subject, text)
}
