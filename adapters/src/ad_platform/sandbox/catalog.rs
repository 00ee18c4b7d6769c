//! The Sandbox's fixed world: per-account pages, pixels and forms, and a small targeting
//! catalogue. Ids are derived from the account number so they are stable across restarts.

use crate::ad_platform::types::{NamedRef, TargetingKind, TargetingOption};

/// Interests the Sandbox knows (id, name, audience size).
pub const INTERESTS: &[(&str, &str, i64)] = &[
    ("6003107902433", "Yoga", 310_000_000),
    ("6003384248805", "Fitness and wellness", 640_000_000),
    ("6003139266461", "Movies", 900_000_000),
    ("6003020834693", "Real estate", 210_000_000),
    ("6003402305839", "Small business", 180_000_000),
    ("6003348604581", "Home improvement", 250_000_000),
];

/// Regions (key, name, country).
pub const REGIONS: &[(&str, &str, &str)] = &[
    ("3847", "California", "US"),
    ("3875", "New York", "US"),
    ("3886", "Texas", "US"),
    ("1171", "Lisbon District", "PT"),
    ("1123", "Bavaria", "DE"),
    ("2287", "Tokyo", "JP"),
];

/// Cities (key, name, country).
pub const CITIES: &[(&str, &str, &str)] = &[
    ("2420379", "Los Angeles", "US"),
    ("2490299", "New York", "US"),
    ("2673730", "Austin", "US"),
    ("2736254", "Lisbon", "PT"),
    ("819827", "Munich", "DE"),
    ("1118370", "Tokyo", "JP"),
];

/// Account numbers ending like this are JPY accounts (392 is the yen's ISO number).
pub fn currency_of(account: &str) -> &'static str {
    if account.ends_with("392") {
        "JPY"
    } else {
        "USD"
    }
}

/// Smallest daily budget for impression-billed ad sets, in minor units.
pub fn min_daily_budget(currency: &str) -> i64 {
    if currency == "JPY" { 150 } else { 100 }
}

/// The Sandbox Page of an account.
pub fn page(account: &str) -> NamedRef {
    NamedRef {
        id: format!("10{account}"),
        name: "Sandbox Page".to_owned(),
    }
}

/// The lead form of the Sandbox Page.
pub fn lead_form(account: &str) -> NamedRef {
    NamedRef {
        id: format!("20{account}"),
        name: "Sandbox lead form".to_owned(),
    }
}

/// The pixel of an account.
pub fn pixel(account: &str) -> NamedRef {
    NamedRef {
        id: format!("30{account}"),
        name: "Sandbox pixel".to_owned(),
    }
}

/// Searches the catalogue by case-insensitive substring.
pub fn search(kind: TargetingKind, query: &str, country: Option<&str>) -> Vec<TargetingOption> {
    let q = query.to_lowercase();
    match kind {
        TargetingKind::Interest => INTERESTS
            .iter()
            .filter(|(_, name, _)| name.to_lowercase().contains(&q))
            .map(|(id, name, size)| TargetingOption {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                kind,
                country_code: None,
                audience_size: Some(*size),
            })
            .collect(),
        TargetingKind::Region | TargetingKind::City => {
            let table = if kind == TargetingKind::Region {
                REGIONS
            } else {
                CITIES
            };
            table
                .iter()
                .filter(|(_, name, c)| {
                    name.to_lowercase().contains(&q) && country.is_none_or(|want| want == *c)
                })
                .map(|(key, name, c)| TargetingOption {
                    id: (*key).to_owned(),
                    name: (*name).to_owned(),
                    kind,
                    country_code: Some((*c).to_owned()),
                    audience_size: None,
                })
                .collect()
        }
    }
}

/// Whether an interest id exists.
pub fn interest_exists(id: &str) -> bool {
    INTERESTS.iter().any(|(i, _, _)| *i == id)
}

/// Whether a region or city key exists.
pub fn geo_exists(kind: TargetingKind, key: &str) -> bool {
    let table = if kind == TargetingKind::Region {
        REGIONS
    } else {
        CITIES
    };
    table.iter().any(|(k, _, _)| *k == key)
}
