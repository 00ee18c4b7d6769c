//! The offline copywriter: deterministic templates filled with the brief's words. Good
//! enough to demo and to run without a Gemini key.

use async_trait::async_trait;

use super::types::{MAX_BODY, MAX_DESCRIPTION, MAX_HEADLINE};
use super::{AdCopy, CallToAction, CopyBrief, CopyError, Copywriter, Objective, check_brief};

/// Offline, deterministic copywriter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateCopywriter;

/// Cuts `text` to `max` characters on a word boundary, adding an ellipsis when cut.
fn fit(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_owned(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', '-']))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn variant(brief: &CopyBrief, i: usize) -> AdCopy {
    let niche = brief.niche.trim();
    let audience = if brief.audience.trim().is_empty() {
        "you"
    } else {
        brief.audience.trim()
    };
    let offer = brief
        .offer
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let (ctas, closer): (&[CallToAction], &str) = match brief.objective {
        Objective::Leads => (
            &[
                CallToAction::SignUp,
                CallToAction::GetQuote,
                CallToAction::LearnMore,
            ],
            "Leave your details and we'll be in touch.",
        ),
        Objective::Conversions => (
            &[
                CallToAction::ShopNow,
                CallToAction::BookNow,
                CallToAction::SignUp,
            ],
            "Order today.",
        ),
        Objective::Traffic => (
            &[
                CallToAction::LearnMore,
                CallToAction::LearnMore,
                CallToAction::BookNow,
            ],
            "See how it works.",
        ),
    };
    let headlines = [
        format!("{} for {audience}", capitalise(niche)),
        format!("{audience}: try {niche}", audience = capitalise(audience)),
        format!("Discover {niche}"),
        format!("Made for {audience}"),
        format!("Your {niche}, simplified"),
    ];
    let openers = [
        format!(
            "{} who want {niche} without the hassle: this is for you.",
            capitalise(audience)
        ),
        format!("Why {audience} choose our {niche}."),
        format!(
            "Looking for {niche}? {} love how easy we make it.",
            capitalise(audience)
        ),
        format!("Real results for {audience}, from people who know {niche}."),
        format!("{} deserve better {niche}.", capitalise(audience)),
    ];
    let k = i % headlines.len();
    let body = match offer {
        Some(o) => format!("{} {o}. {closer}", openers[k]),
        None => format!("{} {closer}", openers[k]),
    };
    let description = offer.map_or_else(|| "Trusted by people like you".to_owned(), capitalise);
    AdCopy {
        headline: fit(&headlines[k], MAX_HEADLINE),
        body: fit(&body, MAX_BODY),
        description: fit(&description, MAX_DESCRIPTION),
        call_to_action: ctas[i % ctas.len()],
    }
}

#[async_trait]
impl Copywriter for TemplateCopywriter {
    fn name(&self) -> &'static str {
        "template"
    }

    async fn write(&self, brief: &CopyBrief) -> Result<Vec<AdCopy>, CopyError> {
        check_brief(brief)?;
        let out: Vec<AdCopy> = (0..usize::from(brief.variants))
            .map(|i| variant(brief, i))
            .collect();
        // Templates are ours; a failure here is a bug in them, reported rather than hidden.
        for copy in &out {
            copy.validate().map_err(|p| CopyError::InvalidOutput {
                detail: p.to_string(),
            })?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_on_words() {
        assert_eq!(fit("short", 10), "short");
        let cut = fit("a very long headline that goes on and on", 20);
        assert!(cut.chars().count() <= 20, "{cut}");
        assert!(cut.ends_with('…'));
    }
}
