//! Names people type: e-mail addresses and organisation slugs.

use rand::RngCore;
use unicode_normalization::UnicodeNormalization;

use crate::error::AppError;

const MAX_EMAIL: usize = 254;

/// The one spelling of an e-mail address: trimmed, NFKC-normalised, then
/// case-folded (lower-cased and normalised again), so `ａlice@a.test`
/// (full-width) and `ALICE@a.test` are `alice@a.test`. Sign-up, sign-in and
/// account creation all compare this form.
pub fn canonical_email(raw: &str) -> String {
    let compatible: String = raw.trim().nfkc().collect();
    compatible.to_lowercase().nfkc().collect()
}

/// The canonical form of an e-mail address ([`canonical_email`]), with its
/// shape checked.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let bad = || {
        AppError::bad_input(
            "email",
            "Enter a valid e-mail address, like name@example.com.",
        )
    };
    let email = canonical_email(raw);
    if email.is_empty() || email.len() > MAX_EMAIL {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let clean = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != '@')
    };
    if !clean(local) || local.len() > 64 || !clean(domain) {
        return Err(bad());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(bad());
    }
    Ok(email)
}

pub(super) fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "tenant".to_owned()
    } else {
        slug
    }
}

/// A slug made unique with a short random suffix.
pub(super) fn suffixed(base: &str) -> String {
    let mut suffix = [0u8; 3];
    rand::rng().fill_bytes(&mut suffix);
    format!("{base}-{}", hex::encode(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@@b.com",
            "a@-b.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_are_url_friendly() {
        assert_eq!(slugify("Acme Widgets, Inc."), "acme-widgets-inc");
        assert_eq!(slugify("Ünïcødé ☃"), "n-c-d");
        assert_eq!(slugify("!!!"), "tenant");
    }
}
