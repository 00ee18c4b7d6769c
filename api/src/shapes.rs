//! The one place where the shapes of the storage layer (`entities`) and of
//! the platform layer (`adapters`) meet. Each shared shape has one
//! definition per layer; the contract is the source of truth for their
//! values (ages 18–65, its nine calls to action), and every conversion here
//! is an exhaustive `match`, so a value added on one side fails to compile
//! until it is mapped on the other.
//!
//! Both sides are foreign to this crate, so the orphan rule rules out `From`
//! between them; the [`ToPlatform`] / [`FromPlatform`] traits stand in.

use adapters::ad_platform as platform;
use adapters::copywriter as copy;
use entities::json as stored;

/// The youngest age a campaign may target (the contract and Meta agree);
/// the platform layer's constant, widened for the stored `i32`.
pub const AGE_MIN: i32 = platform::AGE_MIN as i32;
/// The oldest age value; 65 means "65 and older".
pub const AGE_MAX: i32 = platform::AGE_MAX as i32;

/// A stored shape that the platform layer speaks of too.
pub trait ToPlatform {
    /// The platform layer's shape.
    type Platform;
    /// Converts, or says why the stored value cannot go to a platform.
    fn to_platform(&self) -> Result<Self::Platform, ShapeError>;
}

/// A platform shape the storage layer keeps.
pub trait FromPlatform<P> {
    fn from_platform(value: &P) -> Self;
}

/// A stored value the platform layer has no room for (a row written by an
/// older version, or by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error(
        "ages must lie between {AGE_MIN} and {AGE_MAX} with the minimum at most the maximum (got {min}–{max})"
    )]
    AgeRange { min: i32, max: i32 },
}

impl ToPlatform for entities::Provider {
    type Platform = platform::Provider;
    fn to_platform(&self) -> Result<platform::Provider, ShapeError> {
        Ok(provider_to_platform(*self))
    }
}

/// Infallible form of the provider conversion, for the many callers that
/// need no `Result`.
/// How a campaign converts on the platform: link clicks for TRAFFIC, else
/// its instant form or its pixel. `None`: it has neither, which its
/// objective needs (the launch refuses it, the dry run reports it).
pub fn conversion_of(campaign: &entities::ad_campaign::Model) -> Option<platform::Conversion> {
    use entities::CampaignObjective;
    match (
        campaign.objective,
        &campaign.lead_form_id,
        &campaign.pixel_id,
    ) {
        (CampaignObjective::Traffic, _, _) => Some(platform::Conversion::LinkClicks),
        (_, Some(form), _) => Some(platform::Conversion::LeadForm {
            form_id: form.clone(),
        }),
        (_, None, Some(pixel)) => Some(platform::Conversion::Pixel {
            pixel_id: pixel.clone(),
        }),
        (_, None, None) => None,
    }
}

/// The message for a campaign [`conversion_of`] finds nothing for.
pub const NO_CONVERSION: &str = "The campaign needs a lead form or a pixel for its objective.";

pub fn provider_to_platform(provider: entities::Provider) -> platform::Provider {
    match provider {
        entities::Provider::MetaAds => platform::Provider::MetaAds,
        entities::Provider::Sandbox => platform::Provider::Sandbox,
    }
}

impl FromPlatform<platform::Provider> for entities::Provider {
    fn from_platform(value: &platform::Provider) -> Self {
        match value {
            platform::Provider::MetaAds => Self::MetaAds,
            platform::Provider::Sandbox => Self::Sandbox,
        }
    }
}

/// Parses a provider's stored name (`meta_ads`, `sandbox`); an unknown name
/// is an error, never dropped.
pub fn parse_provider(name: &str) -> Result<entities::Provider, platform::UnknownProvider> {
    name.trim()
        .parse::<platform::Provider>()
        .map(|p| entities::Provider::from_platform(&p))
}

impl ToPlatform for entities::CampaignObjective {
    type Platform = copy::Objective;
    fn to_platform(&self) -> Result<copy::Objective, ShapeError> {
        Ok(objective_to_platform(*self))
    }
}

pub fn objective_to_platform(objective: entities::CampaignObjective) -> copy::Objective {
    match objective {
        entities::CampaignObjective::Leads => copy::Objective::Leads,
        entities::CampaignObjective::Conversions => copy::Objective::Conversions,
        entities::CampaignObjective::Traffic => copy::Objective::Traffic,
    }
}

/// A stored special ad category in the platform's terms.
pub fn category_to_platform(category: entities::SpecialAdCategory) -> platform::SpecialAdCategory {
    use entities::SpecialAdCategory as Stored;
    match category {
        Stored::None => platform::SpecialAdCategory::None,
        Stored::Housing => platform::SpecialAdCategory::Housing,
        Stored::Employment => platform::SpecialAdCategory::Employment,
        Stored::FinancialProductsServices => platform::SpecialAdCategory::FinancialProductsServices,
        Stored::IssuesElectionsPolitics => platform::SpecialAdCategory::IssuesElectionsPolitics,
    }
}

/// The DSA parties an integration names, when it names both.
pub fn dsa_of(integration: &entities::user_integration::Model) -> Option<platform::DsaParties> {
    Some(platform::DsaParties {
        beneficiary: integration.dsa_beneficiary.clone()?,
        payor: integration.dsa_payor.clone()?,
    })
}

impl FromPlatform<copy::Objective> for entities::CampaignObjective {
    fn from_platform(value: &copy::Objective) -> Self {
        match value {
            copy::Objective::Leads => Self::Leads,
            copy::Objective::Conversions => Self::Conversions,
            copy::Objective::Traffic => Self::Traffic,
        }
    }
}

pub fn cta_to_platform(cta: stored::CallToAction) -> copy::CallToAction {
    use stored::CallToAction as S;
    match cta {
        S::LearnMore => copy::CallToAction::LearnMore,
        S::SignUp => copy::CallToAction::SignUp,
        S::ShopNow => copy::CallToAction::ShopNow,
        S::ApplyNow => copy::CallToAction::ApplyNow,
        S::GetQuote => copy::CallToAction::GetQuote,
        S::ContactUs => copy::CallToAction::ContactUs,
        S::Subscribe => copy::CallToAction::Subscribe,
        S::Download => copy::CallToAction::Download,
        S::BookNow => copy::CallToAction::BookNow,
    }
}

impl FromPlatform<copy::CallToAction> for stored::CallToAction {
    fn from_platform(value: &copy::CallToAction) -> Self {
        use copy::CallToAction as P;
        match value {
            P::LearnMore => Self::LearnMore,
            P::SignUp => Self::SignUp,
            P::ShopNow => Self::ShopNow,
            P::ApplyNow => Self::ApplyNow,
            P::GetQuote => Self::GetQuote,
            P::ContactUs => Self::ContactUs,
            P::Subscribe => Self::Subscribe,
            P::Download => Self::Download,
            P::BookNow => Self::BookNow,
        }
    }
}

impl ToPlatform for stored::AdCopy {
    type Platform = copy::AdCopy;
    fn to_platform(&self) -> Result<copy::AdCopy, ShapeError> {
        Ok(copy::AdCopy {
            headline: self.headline.clone(),
            body: self.body.clone(),
            description: self.description.clone().unwrap_or_default(),
            call_to_action: cta_to_platform(self.call_to_action),
        })
    }
}

impl FromPlatform<copy::AdCopy> for stored::AdCopy {
    fn from_platform(value: &copy::AdCopy) -> Self {
        Self {
            headline: value.headline.clone(),
            body: value.body.clone(),
            // The platform layer says "no description" with an empty string.
            description: Some(value.description.clone()).filter(|d| !d.trim().is_empty()),
            call_to_action: stored::CallToAction::from_platform(&value.call_to_action),
            written_by: None,
        }
    }
}

impl ToPlatform for stored::TargetAudience {
    type Platform = platform::Audience;
    fn to_platform(&self) -> Result<platform::Audience, ShapeError> {
        let bad = || ShapeError::AgeRange {
            min: self.age_min,
            max: self.age_max,
        };
        if self.age_min < AGE_MIN || self.age_max > AGE_MAX || self.age_min > self.age_max {
            return Err(bad());
        }
        let age = |a: i32| u8::try_from(a).map_err(|_| bad());
        let geo = |t: &stored::NamedTarget| platform::GeoRef {
            key: t.id.clone(),
            name: t.name.clone(),
            country_code: None,
        };
        Ok(platform::Audience {
            countries: self.countries.clone(),
            regions: self.regions.iter().map(geo).collect(),
            cities: self.cities.iter().map(geo).collect(),
            age_min: age(self.age_min)?,
            age_max: age(self.age_max)?,
            interests: self
                .interests
                .iter()
                .map(|t| platform::NamedRef {
                    id: t.id.clone(),
                    name: t.name.clone(),
                })
                .collect(),
        })
    }
}

impl FromPlatform<platform::Audience> for stored::TargetAudience {
    fn from_platform(value: &platform::Audience) -> Self {
        let named = |id: &str, name: &str| stored::NamedTarget {
            id: id.to_owned(),
            name: name.to_owned(),
        };
        Self {
            countries: value.countries.clone(),
            regions: value
                .regions
                .iter()
                .map(|g| named(&g.key, &g.name))
                .collect(),
            cities: value
                .cities
                .iter()
                .map(|g| named(&g.key, &g.name))
                .collect(),
            age_min: i32::from(value.age_min),
            age_max: i32::from(value.age_max),
            interests: value
                .interests
                .iter()
                .map(|i| named(&i.id, &i.name))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn providers_round_trip_and_unknown_names_are_errors() {
        for p in entities::Provider::iter() {
            let there = p.to_platform().unwrap();
            assert_eq!(entities::Provider::from_platform(&there), p);
            assert_eq!(parse_provider(there.as_str()).unwrap(), p);
        }
        assert!(parse_provider("tiktok").is_err());
        assert!(parse_provider("").is_err());
    }

    #[test]
    fn objectives_round_trip() {
        for o in entities::CampaignObjective::iter() {
            let there = o.to_platform().unwrap();
            assert_eq!(entities::CampaignObjective::from_platform(&there), o);
            assert_eq!(there.as_str(), serde_json::to_value(o).unwrap());
        }
    }

    #[test]
    fn calls_to_action_are_the_contracts_nine_on_both_sides() {
        let contract = [
            "LEARN_MORE",
            "SIGN_UP",
            "SHOP_NOW",
            "APPLY_NOW",
            "GET_QUOTE",
            "CONTACT_US",
            "SUBSCRIBE",
            "DOWNLOAD",
            "BOOK_NOW",
        ];
        let platform: Vec<&str> = copy::CallToAction::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(platform, contract);
        for c in copy::CallToAction::ALL {
            let stored = stored::CallToAction::from_platform(&c);
            assert_eq!(cta_to_platform(stored), c);
            // The stored JSON spells it as the platform does.
            assert_eq!(serde_json::to_value(stored).unwrap(), c.as_str());
        }
    }

    #[test]
    fn ad_copy_round_trips_with_an_absent_description() {
        let with = stored::AdCopy {
            headline: "H".into(),
            body: "B".into(),
            description: Some("D".into()),
            call_to_action: stored::CallToAction::GetQuote,
            written_by: None,
        };
        let without = stored::AdCopy {
            description: None,
            ..with.clone()
        };
        for c in [with, without] {
            assert_eq!(stored::AdCopy::from_platform(&c.to_platform().unwrap()), c);
        }
    }

    #[test]
    fn audiences_round_trip_and_out_of_range_ages_are_refused() {
        let audience = stored::TargetAudience {
            countries: vec!["DE".into()],
            regions: vec![stored::NamedTarget {
                id: "3847".into(),
                name: "Berlin".into(),
            }],
            cities: vec![],
            age_min: 18,
            age_max: 65,
            interests: vec![stored::NamedTarget {
                id: "6003".into(),
                name: "Yoga".into(),
            }],
        };
        let there = audience.to_platform().unwrap();
        assert_eq!(stored::TargetAudience::from_platform(&there), audience);
        for (min, max) in [(13, 30), (17, 65), (18, 66), (40, 30)] {
            let bad = stored::TargetAudience {
                age_min: min,
                age_max: max,
                ..audience.clone()
            };
            assert_eq!(
                bad.to_platform(),
                Err(ShapeError::AgeRange { min, max }),
                "{min}-{max}"
            );
        }
        // The contract's bounds.
        assert_eq!((AGE_MIN, AGE_MAX), (18, 65));
    }
}
