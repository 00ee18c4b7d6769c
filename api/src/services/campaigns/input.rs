//! The checks of `createCampaign` / `updateCampaign` that need nothing but
//! the input: every problem is collected, each naming its input field as
//! the contract spells it, so one answer lists them all.

use adapters::{
    ad_platform::countries::is_targetable_country,
    copywriter::{MAX_BODY, MAX_DESCRIPTION, MAX_HEADLINE},
};
use entities::{
    CampaignObjective, CreativeId, IntegrationId, SpecialAdCategory,
    json::{AdCopy, NamedTarget, TargetAudience},
};

use crate::{
    error::{AppError, InputProblem},
    services::text::TextRule,
    shapes::{AGE_MAX, AGE_MIN},
};

/// Longest campaign name.
pub const MAX_NAME_CHARS: usize = 200;
/// Most creatives one campaign may run (one ad each).
pub const MAX_CREATIVES: usize = 10;
/// Longest destination URL.
pub const MAX_URL_CHARS: usize = 2000;
/// Longest niche.
pub const MAX_NICHE_CHARS: usize = 200;

const NAME: TextRule = TextRule::line("campaignName", "The campaign name", 1, MAX_NAME_CHARS);
/// The niche of a draft or a copy brief.
pub const NICHE: TextRule = TextRule::line("niche", "The niche", 1, MAX_NICHE_CHARS);
const HEADLINE: TextRule = TextRule::line("adCopy.headline", "The headline", 1, MAX_HEADLINE);
const BODY: TextRule = TextRule::line("adCopy.body", "The body", 1, MAX_BODY).multiline();
const DESCRIPTION: TextRule =
    TextRule::line("adCopy.description", "The description", 1, MAX_DESCRIPTION);
const TARGET_NAME: TextRule = TextRule::line("name", "A target's name", 1, 200);

/// Runs a text rule, as a problem to collect rather than an error to return.
pub fn clean(rule: &TextRule, raw: &str) -> Result<String, InputProblem> {
    rule.clean(raw).map_err(as_problem)
}

/// A `BAD_USER_INPUT` as one problem of a list.
pub fn as_problem(e: AppError) -> InputProblem {
    match e {
        AppError::BadUserInput { field, message } => {
            InputProblem::new(field.unwrap_or_default(), message)
        }
        other => InputProblem::new("", other.to_string()),
    }
}

/// A campaign as the client describes it.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub name: String,
    pub objective: CampaignObjective,
    pub daily_budget_cents: i64,
    pub audience: TargetAudience,
    pub destination_url: String,
    pub creative_ids: Vec<CreativeId>,
    pub integration_id: IntegrationId,
    pub ad_copy: Option<AdCopy>,
    pub niche: Option<String>,
    pub lead_form_id: Option<String>,
    pub pixel_id: Option<String>,
    pub special_ad_category: SpecialAdCategory,
}

/// The countries an audience may name: `(code, English name)`, by name.
pub fn targetable_countries() -> &'static [(&'static str, &'static str)] {
    adapters::ad_platform::countries::COUNTRIES
}

/// Checks and normalises `input` (trimmed text, upper-case countries,
/// empty optional strings as absent). The budget's upper bound depends on
/// the tenant's policy and the account's currency: see `services::budget`.
pub fn check(input: &CampaignInput) -> (CampaignInput, Vec<InputProblem>) {
    let mut problems = Vec::new();
    let mut out = input.clone();

    match clean(&NAME, &input.name) {
        Ok(name) => out.name = name,
        Err(p) => problems.push(p),
    }
    if input.daily_budget_cents <= 0 {
        problems.push(InputProblem::new(
            "dailyBudgetCents",
            "The daily budget must be a positive whole number of minor units (cents).",
        ));
    }
    match destination(&input.destination_url) {
        Ok(url) => out.destination_url = url,
        Err(p) => problems.push(p),
    }
    out.audience = normalise_audience(&input.audience);
    problems.extend(audience_problems("targetAudience", &out.audience));

    if input.creative_ids.is_empty() || input.creative_ids.len() > MAX_CREATIVES {
        problems.push(InputProblem::new(
            "creativeIds",
            format!("Choose 1 to {MAX_CREATIVES} creatives."),
        ));
    }
    let mut unique = input.creative_ids.clone();
    unique.sort_by_key(|c| c.into_uuid());
    unique.dedup();
    if unique.len() != input.creative_ids.len() {
        problems.push(InputProblem::new(
            "creativeIds",
            "Each creative may be chosen once.",
        ));
    }

    if let Some(copy) = &input.ad_copy {
        let (copy, found) = check_copy(copy);
        out.ad_copy = Some(copy);
        problems.extend(found);
    }
    out.niche = None;
    if let Some(niche) = input.niche.as_deref().filter(|n| !n.trim().is_empty()) {
        match clean(&NICHE, niche) {
            Ok(n) => out.niche = Some(n),
            Err(p) => problems.push(p),
        }
    }

    out.lead_form_id = optional_id("leadFormId", input.lead_form_id.as_deref(), &mut problems);
    out.pixel_id = optional_id("pixelId", input.pixel_id.as_deref(), &mut problems);
    problems.extend(conversion_problems(
        input.objective,
        out.lead_form_id.is_some(),
        out.pixel_id.is_some(),
    ));
    (out, problems)
}

fn destination(raw: &str) -> Result<String, InputProblem> {
    let bad = |why: &str| InputProblem::new("destinationUrl", why.to_owned());
    let raw = raw.trim();
    if raw.chars().count() > MAX_URL_CHARS
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad(
            "The destination URL must be one URL without spaces, at most 2000 characters.",
        ));
    }
    match url::Url::parse(raw) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => Err(bad(
            "The destination URL must not carry a user name or password (user:pass@).",
        )),
        Ok(url) if url.scheme() == "https" && url.host().is_some_and(is_internal) => Err(bad(
            "The destination URL must be a public address: not localhost, a private or link-local IP, or an internal name.",
        )),
        Ok(url) if url.scheme() == "https" && url.host_str().is_some_and(|h| !h.is_empty()) => {
            Ok(url.to_string())
        }
        Ok(_) => Err(bad(
            "The destination URL must be an absolute https:// address.",
        )),
        Err(_) => Err(bad(
            "The destination URL must be an absolute https:// address, e.g. https://example.com/offer.",
        )),
    }
}

/// Hosts people on the internet cannot reach: the ad platform fetches the
/// destination (previews, crawlers), so an internal one would point it, or
/// a reviewer, at our own network. `url` has already lower-cased names and
/// parsed IPv4 in any notation (`0x7f.1`, `2130706433`) into addresses.
pub(crate) fn is_internal(host: url::Host<&str>) -> bool {
    use std::net::IpAddr;
    match host {
        url::Host::Ipv4(ip) => is_internal_ip(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_internal_ip(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            // A name without a dot is resolved by search domains: internal.
            !name.contains('.')
                || [
                    "localhost",
                    "local",
                    "internal",
                    "intranet",
                    "lan",
                    "home",
                    "corp",
                    "private",
                    "localdomain",
                    "home.arpa",
                    "in-addr.arpa",
                    "ip6.arpa",
                    "test",
                    "invalid",
                    "example",
                ]
                .iter()
                .any(|suffix| name == *suffix || name.ends_with(&format!(".{suffix}")))
                || name.parse::<IpAddr>().is_ok()
        }
    }
}

/// Addresses people on the internet cannot reach (private, loopback,
/// link-local, shared, documentation, multicast, reserved), IPv4-mapped
/// IPv6 judged as the IPv4 address it carries.
pub(crate) fn is_internal_ip(ip: std::net::IpAddr) -> bool {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    fn v4(ip: Ipv4Addr) -> bool {
        ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_documentation()
            || ip.is_multicast()
            // 100.64.0.0/10, carrier-grade NAT
            || (ip.octets()[0] == 100 && (ip.octets()[1] & 0xC0) == 64)
            // 0.0.0.0/8 and 240.0.0.0/4
            || ip.octets()[0] == 0
            || ip.octets()[0] >= 240
    }
    fn v6(ip: Ipv6Addr) -> bool {
        if let Some(mapped) = ip.to_ipv4_mapped() {
            return v4(mapped);
        }
        let first = ip.segments()[0];
        ip.is_loopback()
            || ip.is_unspecified()
            || ip.is_multicast()
            || (first & 0xFE00) == 0xFC00 // unique local fc00::/7
            || (first & 0xFFC0) == 0xFE80 // link-local fe80::/10
            || (first & 0xFFC0) == 0xFEC0 // site-local fec0::/10
            || (ip.segments()[0] == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
    }
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => v6(ip),
    }
}

/// Countries trimmed, upper-cased and de-duplicated; targets trimmed.
pub fn normalise_audience(audience: &TargetAudience) -> TargetAudience {
    let mut countries: Vec<String> = audience
        .countries
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    countries.dedup();
    let named = |list: &[NamedTarget]| {
        list.iter()
            .map(|t| NamedTarget {
                id: t.id.trim().to_owned(),
                name: t.name.trim().to_owned(),
            })
            .collect()
    };
    TargetAudience {
        countries,
        regions: named(&audience.regions),
        cities: named(&audience.cities),
        age_min: audience.age_min,
        age_max: audience.age_max,
        interests: named(&audience.interests),
    }
}

/// What is wrong with an audience, fields under `prefix` (`targetAudience`
/// in campaigns, `audience` in copy briefs).
pub fn audience_problems(prefix: &str, audience: &TargetAudience) -> Vec<InputProblem> {
    let mut problems = Vec::new();
    let field = |name: &str| format!("{prefix}.{name}");
    let unknown: Vec<&str> = audience
        .countries
        .iter()
        .map(|c| c.trim())
        .filter(|c| !is_targetable_country(&c.to_ascii_uppercase()))
        .collect();
    if !unknown.is_empty() {
        problems.push(InputProblem::new(
            field("countries"),
            format!(
                "{} is not a country ads can target: pick countries from the list (ISO 3166-1 alpha-2 codes such as US or DE).",
                unknown.join(", ")
            ),
        ));
    }
    if audience.countries.is_empty() && audience.regions.is_empty() && audience.cities.is_empty() {
        problems.push(InputProblem::new(
            field("countries"),
            "Choose at least one country, region or city.",
        ));
    }
    if audience.age_min < AGE_MIN || audience.age_min > AGE_MAX {
        problems.push(InputProblem::new(
            field("ageMin"),
            format!("The minimum age must be {AGE_MIN} to {AGE_MAX}."),
        ));
    }
    if audience.age_max < AGE_MIN || audience.age_max > AGE_MAX {
        problems.push(InputProblem::new(
            field("ageMax"),
            format!("The maximum age must be {AGE_MIN} to {AGE_MAX} (65 means 65 and older)."),
        ));
    } else if audience.age_min > audience.age_max {
        problems.push(InputProblem::new(
            field("ageMax"),
            "The maximum age must not be below the minimum age.",
        ));
    }
    for (name, list) in [
        ("regions", &audience.regions),
        ("cities", &audience.cities),
        ("interests", &audience.interests),
    ] {
        let bad = list.iter().any(|t| {
            t.id.is_empty()
                || t.id.len() > 64
                || !t
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
                || TARGET_NAME.clean(&t.name).is_err()
        });
        if bad {
            problems.push(InputProblem::new(
                field(name),
                format!("Choose {name} from searchTargeting: each needs its id and name."),
            ));
        }
        if list.len() > 200 {
            problems.push(InputProblem::new(
                field(name),
                format!("At most 200 {name}."),
            ));
        }
    }
    problems
}

/// Copy trimmed and checked against the platform's lengths.
pub fn check_copy(copy: &AdCopy) -> (AdCopy, Vec<InputProblem>) {
    let mut problems = Vec::new();
    let mut out = copy.clone();
    match clean(&HEADLINE, &copy.headline) {
        Ok(h) => out.headline = h,
        Err(p) => problems.push(p),
    }
    match clean(&BODY, &copy.body) {
        Ok(b) => out.body = b,
        Err(p) => problems.push(p),
    }
    out.description = None;
    if let Some(d) = copy.description.as_deref().filter(|d| !d.trim().is_empty()) {
        match clean(&DESCRIPTION, d) {
            Ok(d) => out.description = Some(d),
            Err(p) => problems.push(p),
        }
    }
    (out, problems)
}

fn optional_id(field: &str, raw: Option<&str>, problems: &mut Vec<InputProblem>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    if raw.len() > 32 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(InputProblem::new(
            field,
            format!("{field} is a platform id (digits); pick it from platformAssets."),
        ));
        return None;
    }
    Some(raw.to_owned())
}

/// Where results land must fit the objective.
fn conversion_problems(objective: CampaignObjective, form: bool, pixel: bool) -> Vec<InputProblem> {
    let problem = |field: &str, message: &str| vec![InputProblem::new(field, message.to_owned())];
    match (objective, form, pixel) {
        (CampaignObjective::Leads, false, false) => problem(
            "leadFormId",
            "LEADS needs a lead form (instant form) or a pixel (leads on your website).",
        ),
        (CampaignObjective::Leads, true, true) => problem(
            "pixelId",
            "Choose either a lead form or a pixel for LEADS, not both.",
        ),
        (CampaignObjective::Conversions, _, false) => {
            problem("pixelId", "CONVERSIONS needs the pixel that records them.")
        }
        (CampaignObjective::Conversions, true, true) => {
            problem("leadFormId", "CONVERSIONS uses a pixel, not a lead form.")
        }
        (CampaignObjective::Traffic, true, _) => problem(
            "leadFormId",
            "TRAFFIC campaigns send people to the website; remove the lead form.",
        ),
        (CampaignObjective::Traffic, false, true) => problem(
            "pixelId",
            "TRAFFIC campaigns optimise for link clicks; remove the pixel.",
        ),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use entities::json::CallToAction;

    use super::*;

    fn good() -> CampaignInput {
        CampaignInput {
            name: " Spring sale ".into(),
            objective: CampaignObjective::Leads,
            daily_budget_cents: 2000,
            audience: TargetAudience {
                countries: vec!["us".into()],
                regions: vec![],
                cities: vec![],
                age_min: 18,
                age_max: 65,
                interests: vec![NamedTarget {
                    id: "6003139266461".into(),
                    name: "Yoga".into(),
                }],
            },
            destination_url: "https://example.com/offer".into(),
            creative_ids: vec![CreativeId::generate()],
            integration_id: IntegrationId::generate(),
            ad_copy: Some(AdCopy {
                headline: "Stretch more".into(),
                body: "Classes every morning.".into(),
                description: Some("  ".into()),
                call_to_action: CallToAction::SignUp,
                written_by: None,
            }),
            niche: Some("yoga studio".into()),
            lead_form_id: Some("123".into()),
            pixel_id: None,
            special_ad_category: SpecialAdCategory::None,
        }
    }

    #[test]
    fn a_good_input_is_normalised() {
        let (out, problems) = check(&good());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out.name, "Spring sale");
        assert_eq!(out.audience.countries, ["US"]);
        assert_eq!(out.ad_copy.unwrap().description, None);
    }

    #[test]
    fn internal_and_credentialed_destinations_are_refused() {
        for url in [
            "https://localhost/x",
            "https://LOCALHOST./x",
            "https://app.localhost/",
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://metadata.google.internal/",
            "https://db.corp/",
            "https://intranet/",
            "https://printer.local/",
            "https://user:pass@example.com/offer",
            "https://user@example.com/offer",
        ] {
            assert!(destination(url).is_err(), "{url} accepted");
        }
        for url in [
            "https://example.com/offer",
            "https://8.8.8.8/",
            "https://shop.example.co.uk/a?b=c",
        ] {
            assert!(destination(url).is_ok(), "{url} refused");
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut input = good();
        input.name = "".into();
        input.daily_budget_cents = 0;
        input.destination_url = "http://example.com".into();
        input.audience.age_min = 17;
        input.audience.age_max = 70;
        input.audience.countries = vec!["USA".into()];
        input.creative_ids = vec![];
        input.ad_copy.as_mut().unwrap().headline = "x".repeat(41);
        input.objective = CampaignObjective::Conversions;
        let (_, problems) = check(&input);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "campaignName",
                "dailyBudgetCents",
                "destinationUrl",
                "targetAudience.countries",
                "targetAudience.ageMin",
                "targetAudience.ageMax",
                "creativeIds",
                "adCopy.headline",
                "pixelId",
            ]
        );
    }

    #[test]
    fn the_conversion_must_fit_the_objective() {
        for (objective, form, pixel, ok) in [
            (CampaignObjective::Leads, true, false, true),
            (CampaignObjective::Leads, false, true, true),
            (CampaignObjective::Leads, false, false, false),
            (CampaignObjective::Leads, true, true, false),
            (CampaignObjective::Conversions, false, true, true),
            (CampaignObjective::Conversions, false, false, false),
            (CampaignObjective::Traffic, false, false, true),
            (CampaignObjective::Traffic, false, true, false),
        ] {
            assert_eq!(
                conversion_problems(objective, form, pixel).is_empty(),
                ok,
                "{objective:?} form={form} pixel={pixel}"
            );
        }
    }

    #[test]
    fn only_countries_ads_can_target_are_accepted() {
        let mut input = good();
        input.audience.countries = vec!["ZZ".into(), "DE".into()];
        let (_, problems) = check(&input);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "targetAudience.countries");
        assert!(
            problems[0].message.starts_with("ZZ is not a country"),
            "{}",
            problems[0].message
        );
        input.audience.countries = vec![" pt ".into()];
        let (out, problems) = check(&input);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out.audience.countries, ["PT"]);
    }
}
