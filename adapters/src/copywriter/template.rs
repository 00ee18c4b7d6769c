//! The offline copywriter: deterministic templates filled with the brief's
//! niche and offer. It is not AI and does not pretend to be: its copy must
//! still read like a person wrote it, so it names the business once, never
//! recites the targeting (the platform already shows the ad to that
//! audience), cuts only between words, and ends on a button that fits the
//! objective.

use async_trait::async_trait;

use super::types::{MAX_BODY, MAX_DESCRIPTION, MAX_HEADLINE};
use super::{AdCopy, CallToAction, CopyBrief, CopyError, Copywriter, Objective, check_brief};

/// Offline, deterministic copywriter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateCopywriter;

/// Words a cut text must not end on: they promise a word that was cut.
const DANGLING: [&str; 14] = [
    "a", "an", "and", "or", "the", "for", "with", "to", "of", "in", "on", "at", "by", "from",
];

/// `text` cut to at most `max` characters between words, with no ellipsis
/// and no dangling connector or punctuation at the end. Only a single word
/// longer than `max` is cut inside (there is no boundary to cut at).
fn fit_words(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut out: Vec<&str> = Vec::new();
    let mut len = 0;
    for word in text.split(' ') {
        let extra = word.chars().count() + usize::from(!out.is_empty());
        if len + extra > max {
            break;
        }
        len += extra;
        out.push(word);
    }
    if out.is_empty() {
        // One word longer than the limit: there is no boundary to cut at.
        return text.chars().take(max).collect();
    }
    while out.len() > 1 {
        let last = out[out.len() - 1];
        let bare = last.trim_end_matches([',', ';', ':', '-', '–', '—', '&']);
        if bare.is_empty() || DANGLING.contains(&bare.to_lowercase().as_str()) {
            out.pop();
        } else {
            break;
        }
    }
    let joined = out.join(" ");
    joined
        .trim_end_matches([',', ';', ':', '-', '–', '—', '&', ' '])
        .to_owned()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The first candidate that fits `max` whole, else the last one cut
/// between words.
fn first_fitting(candidates: &[String], max: usize) -> String {
    candidates
        .iter()
        .find(|c| c.chars().count() <= max)
        .cloned()
        .unwrap_or_else(|| fit_words(candidates.last().map_or("", String::as_str), max))
}

/// Sentences joined while they fit `max`; the first one is cut between
/// words (and closed with a full stop) when it alone is too long.
fn sentences_within(sentences: &[String], max: usize) -> String {
    let mut body = String::new();
    for s in sentences {
        let next = if body.is_empty() {
            s.clone()
        } else {
            format!("{body} {s}")
        };
        if next.chars().count() <= max {
            body = next;
        } else if body.is_empty() {
            let cut = fit_words(s.trim_end_matches(['.', '?', '!']), max - 1);
            body = format!("{cut}.");
        }
    }
    body
}

/// The button each variant of an objective ends on.
fn call_to_action(objective: Objective, i: usize) -> CallToAction {
    let choices: &[CallToAction] = match objective {
        Objective::Leads => &[
            CallToAction::SignUp,
            CallToAction::GetQuote,
            CallToAction::ContactUs,
        ],
        Objective::Traffic => &[CallToAction::LearnMore],
        Objective::Conversions => &[CallToAction::ShopNow, CallToAction::BookNow],
    };
    choices[i % choices.len()]
}

fn variant(brief: &CopyBrief, i: usize) -> AdCopy {
    let niche = brief.niche.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = capitalise(&niche);
    let offer = brief
        .offer
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(capitalise);
    let cta = call_to_action(brief.objective, i);
    // Five ways to open, so five variants read as five different ads.
    let k = i % 5;
    // What to do next, in the words of the button.
    let (headline_tail, closer, description) = match cta {
        CallToAction::SignUp => (
            "sign up today",
            "Leave your details and we'll be in touch.",
            "Sign up in under a minute",
        ),
        CallToAction::GetQuote => (
            "get a quote",
            "Tell us what you need and we'll send you a quote.",
            "Free, no-obligation quote",
        ),
        CallToAction::ContactUs => (
            "talk to us",
            "Send us your details and we'll call you back.",
            "We'll get back to you",
        ),
        CallToAction::ShopNow => (
            "order today",
            "Order online in a few minutes.",
            "Order online today",
        ),
        CallToAction::BookNow => (
            "book your spot",
            "Pick a time that suits you and book online.",
            "Book online in minutes",
        ),
        _ => (
            "see what's on",
            "See everything we offer on our website.",
            "See what we offer",
        ),
    };
    let headline = first_fitting(
        &[
            match k {
                0 => format!("{name}: {headline_tail}"),
                1 => format!("{name} that fits your week"),
                2 => format!("Discover {niche}"),
                3 => format!("{name}, the easy way"),
                _ => format!("Your {niche}: {headline_tail}"),
            },
            name.clone(),
        ],
        MAX_HEADLINE,
    );
    let opener = match k {
        0 => format!("{name}, made simple."),
        1 => format!("Thinking about {niche}? We make it easy."),
        2 => format!("{name} without the hassle."),
        3 => format!("Looking for {niche}? Start here."),
        _ => format!("{name}, when it suits you."),
    };
    let mut sentences = vec![opener];
    if let Some(o) = &offer {
        sentences.push(format!("{}.", o.trim_end_matches('.')));
    }
    sentences.push(closer.to_owned());
    let body = sentences_within(&sentences, MAX_BODY);
    let description = offer
        .filter(|o| o.chars().count() <= MAX_DESCRIPTION)
        .unwrap_or_else(|| description.to_owned());
    AdCopy {
        headline,
        body,
        description: fit_words(&description, MAX_DESCRIPTION),
        call_to_action: cta,
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

    fn brief(niche: &str, objective: Objective) -> CopyBrief {
        CopyBrief {
            niche: niche.into(),
            audience: "people aged 18+ in US".into(),
            objective,
            offer: None,
            tone: None,
            variants: 5,
        }
    }

    const OBJECTIVES: [Objective; 3] =
        [Objective::Leads, Objective::Traffic, Objective::Conversions];

    fn niches() -> Vec<String> {
        vec![
            "Yoga studio".into(),
            "Spring open day".into(),
            "Emergency plumbing and boiler repair for landlords in Greater Manchester".into(),
            // The longest niche a draft may have (200 characters).
            "Family-run dental practice offering whitening, implants, ".repeat(4)[..200].into(),
            "Supercalifragilisticexpialidocious workshops".into(),
        ]
    }

    #[test]
    fn fit_words_cuts_between_words_without_an_ellipsis() {
        assert_eq!(fit_words("short", 10), "short");
        let text = "a very long headline that goes on and on";
        for max in 5..text.len() {
            let cut = fit_words(text, max);
            assert!(cut.chars().count() <= max, "{cut}");
            assert!(!cut.contains('…'), "{cut}");
            assert!(text.starts_with(&cut), "{cut} is a prefix");
            let next = text[cut.len()..].chars().next();
            assert!(
                next.is_none() || next == Some(' '),
                "{max}: {cut:?} ends mid-word"
            );
            let last = cut.rsplit(' ').next().unwrap();
            assert!(
                !cut.contains(' ') || !DANGLING.contains(&last),
                "{max}: {cut:?} dangles"
            );
        }
    }

    #[test]
    fn every_variant_is_within_metas_limits_and_never_cut_mid_word() {
        for niche in niches() {
            for objective in OBJECTIVES {
                for (i, c) in (0..5).map(|i| (i, variant(&brief(&niche, objective), i))) {
                    c.validate().unwrap_or_else(|p| panic!("{niche} {i}: {p}"));
                    for text in [&c.headline, &c.body, &c.description] {
                        assert!(!text.contains('…'), "{text}");
                        assert!(!text.contains("  "), "{text}");
                    }
                    // Every word taken from the niche is a whole word of it.
                    let words: Vec<&str> = niche.split_whitespace().collect();
                    for w in c
                        .headline
                        .split_whitespace()
                        .chain(c.body.split_whitespace())
                    {
                        let bare = w.trim_end_matches(['.', ',', ':', '?', '!']);
                        let from_niche = words
                            .iter()
                            .any(|n| n.starts_with(bare) || n.eq_ignore_ascii_case(bare));
                        let partial = from_niche
                            && !words
                                .iter()
                                .any(|n| n.trim_end_matches([',', '.']).eq_ignore_ascii_case(bare));
                        assert!(
                            !partial || bare.len() < 3,
                            "{niche} {i}: {bare:?} cut mid-word in {c:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_targeting_is_not_recited_and_the_niche_is_named_once() {
        for objective in OBJECTIVES {
            for i in 0..5 {
                let c = variant(&brief("yoga studio", objective), i);
                let all = format!("{} {} {}", c.headline, c.body, c.description);
                assert!(!all.contains("aged"), "{all}");
                assert!(!all.contains(" US"), "{all}");
                assert!(
                    c.body.to_lowercase().matches("yoga studio").count() <= 1,
                    "{}",
                    c.body
                );
                assert!(all.to_lowercase().contains("yoga studio"), "{all}");
            }
        }
    }

    #[test]
    fn the_button_fits_the_objective() {
        for i in 0..5 {
            let leads = variant(&brief("Roof repair", Objective::Leads), i).call_to_action;
            assert!(
                [
                    CallToAction::SignUp,
                    CallToAction::GetQuote,
                    CallToAction::ContactUs
                ]
                .contains(&leads),
                "{leads:?}"
            );
            let traffic = variant(&brief("Roof repair", Objective::Traffic), i).call_to_action;
            assert_eq!(traffic, CallToAction::LearnMore);
            let sales = variant(&brief("Roof repair", Objective::Conversions), i).call_to_action;
            assert!(
                [CallToAction::ShopNow, CallToAction::BookNow].contains(&sales),
                "{sales:?}"
            );
        }
        assert_eq!(
            variant(&brief("Roof repair", Objective::Leads), 0).call_to_action,
            CallToAction::SignUp
        );
    }

    #[test]
    fn an_offer_is_featured_once() {
        let mut b = brief("Yoga studio", Objective::Leads);
        b.offer = Some("first class free".into());
        let c = variant(&b, 0);
        assert_eq!(c.description, "First class free");
        assert!(c.body.contains("First class free."), "{}", c.body);
    }
}
