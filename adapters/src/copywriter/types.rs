//! Ad copy and the brief a copywriter works from.

use serde::{Deserialize, Serialize};

/// Longest headline we accept (Meta truncates display at about 27–40 characters).
pub const MAX_HEADLINE: usize = 40;
/// Longest primary text we accept (about 125 characters show before "See more").
pub const MAX_BODY: usize = 125;
/// Longest description we accept (about 27–30 characters show).
pub const MAX_DESCRIPTION: usize = 30;

/// The call-to-action buttons Leadforge offers: exactly the contract's
/// `CallToAction` (a subset of Meta's CTA types), in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallToAction {
    /// "Learn more".
    LearnMore,
    /// "Sign up".
    SignUp,
    /// "Shop now".
    ShopNow,
    /// "Apply now".
    ApplyNow,
    /// "Get quote".
    GetQuote,
    /// "Contact us".
    ContactUs,
    /// "Subscribe".
    Subscribe,
    /// "Download".
    Download,
    /// "Book now".
    BookNow,
}

impl CallToAction {
    /// Every allowed value, in a stable order.
    pub const ALL: [CallToAction; 9] = [
        Self::LearnMore,
        Self::SignUp,
        Self::ShopNow,
        Self::ApplyNow,
        Self::GetQuote,
        Self::ContactUs,
        Self::Subscribe,
        Self::Download,
        Self::BookNow,
    ];

    /// Meta's wire name (`LEARN_MORE`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LearnMore => "LEARN_MORE",
            Self::SignUp => "SIGN_UP",
            Self::ApplyNow => "APPLY_NOW",
            Self::GetQuote => "GET_QUOTE",
            Self::ContactUs => "CONTACT_US",
            Self::Subscribe => "SUBSCRIBE",
            Self::Download => "DOWNLOAD",
            Self::BookNow => "BOOK_NOW",
            Self::ShopNow => "SHOP_NOW",
        }
    }

    /// Parses Meta's wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// One variant of ad copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdCopy {
    /// Headline (Meta's `name` in `link_data`).
    pub headline: String,
    /// Primary text (Meta's `message`).
    pub body: String,
    /// Link description under the headline; may be empty.
    pub description: String,
    /// Call-to-action button.
    pub call_to_action: CallToAction,
}

/// Why a piece of copy is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyProblem {
    /// A required field is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// A field is longer than the recommended limit.
    #[error("{field} has {len} characters, more than {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl AdCopy {
    /// Checks the copy against the product's limits: headline and body present, every field
    /// within its recommended length.
    pub fn validate(&self) -> Result<(), CopyProblem> {
        let check = |field: &'static str, value: &str, max: usize, required: bool| {
            let len = value.chars().count();
            if required && value.trim().is_empty() {
                return Err(CopyProblem::Empty(field));
            }
            if len > max {
                return Err(CopyProblem::TooLong { field, len, max });
            }
            Ok(())
        };
        check("headline", &self.headline, MAX_HEADLINE, true)?;
        check("body", &self.body, MAX_BODY, true)?;
        check("description", &self.description, MAX_DESCRIPTION, false)
    }
}

/// The campaign goal as the advertiser chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Objective {
    /// Collect leads (instant form or website).
    Leads,
    /// Website sales / conversions.
    Conversions,
    /// Visits to a website.
    Traffic,
}

impl Objective {
    /// Leadforge's name (`LEADS`, `CONVERSIONS`, `TRAFFIC`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leads => "LEADS",
            Self::Conversions => "CONVERSIONS",
            Self::Traffic => "TRAFFIC",
        }
    }
}

/// What a copywriter is asked to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyBrief {
    /// The business niche ("yoga studio in Lisbon").
    pub niche: String,
    /// Who the ads speak to ("busy parents").
    pub audience: String,
    /// The campaign's goal.
    pub objective: Objective,
    /// An offer to feature, if any.
    pub offer: Option<String>,
    /// A tone of voice, if any ("friendly", "premium").
    pub tone: Option<String>,
    /// How many variants to return (1–5).
    pub variants: u8,
}

/// Most variants one request may ask for.
pub const MAX_VARIANTS: u8 = 5;
