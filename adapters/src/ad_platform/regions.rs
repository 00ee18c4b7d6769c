//! Where regional rules apply: the EU's Digital Services Act (Meta wants a
//! beneficiary and a payor on every ad set reaching the EU, its associated
//! territories, or the whole world) and the regions whose audiences need an
//! advertiser identity verified there (Taiwan, Singapore), which no API lists.

/// EU member states.
const EU_MEMBER_STATES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// Parts of the EU with an ISO code of their own, so an audience can name them
/// without their state: the outermost regions of France (Réunion, Guadeloupe,
/// Martinique, French Guiana, Mayotte, Saint-Martin) and Finland's Åland.
/// The Azores, Madeira and the Canary Islands are regions of PT and ES and are
/// covered by their states' codes. Meta's announcement points to a list of
/// its "associated territories" that could not be read here; these are the
/// territories where EU law applies, and the list is the place to extend.
const EU_TERRITORIES: &[&str] = &["RE", "GP", "MQ", "GF", "YT", "MF", "AX"];

/// Meta's country groups that reach the EU.
const EU_COUNTRY_GROUPS: &[&str] = &["worldwide", "eu", "europe", "eea"];

/// Where an ad needs an advertiser identity verified for the region
/// (`regional_regulation_identities`), which no public API lists.
pub const VERIFIED_IDENTITY_REGIONS: &[(&str, &str)] = &[("TW", "Taiwan"), ("SG", "Singapore")];

/// Whether `country` is an EU member state.
pub fn is_eu_country(country: &str) -> bool {
    EU_MEMBER_STATES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(country))
}

/// Whether ads shown in `country` need the DSA beneficiary and payor: an EU
/// member state or a territory where EU law applies.
pub fn needs_dsa(country: &str) -> bool {
    is_eu_country(country)
        || EU_TERRITORIES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
}

/// Whether a Meta country group (`geo_locations.country_groups`) reaches the EU.
pub fn group_needs_dsa(group: &str) -> bool {
    EU_COUNTRY_GROUPS
        .iter()
        .any(|g| g.eq_ignore_ascii_case(group))
}

/// The name of the region when ads shown in `country` need a verified
/// regional identity.
pub fn needs_verified_identity(country: &str) -> Option<&'static str> {
    VERIFIED_IDENTITY_REGIONS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(country))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outermost_regions_and_groups_need_dsa_but_neighbours_do_not() {
        for c in ["DE", "fr", "RE", "GP", "MQ", "GF", "YT", "MF", "AX"] {
            assert!(needs_dsa(c), "{c}");
        }
        for c in ["GB", "CH", "US", "NC", "TW"] {
            assert!(!needs_dsa(c), "{c}");
        }
        assert!(group_needs_dsa("worldwide"));
        assert!(!group_needs_dsa("north_america"));
        assert_eq!(needs_verified_identity("tw"), Some("Taiwan"));
        assert_eq!(needs_verified_identity("JP"), None);
    }
}
