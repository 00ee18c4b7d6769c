//! Password rules and argon2id hashing (off the async runtime: hashing is
//! deliberately slow).

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use secrecy::{ExposeSecret, SecretString};

use crate::error::AppError;

pub const MIN_LENGTH: usize = 10;
/// Long inputs only cost hashing time; nobody types more.
pub const MAX_LENGTH: usize = 256;

/// Checks the minimum rules, naming `field` in the error.
pub fn check_rules(password: &SecretString, email: &str, field: &str) -> Result<(), AppError> {
    let p = password.expose_secret();
    let chars = p.chars().count();
    if chars < MIN_LENGTH {
        return Err(AppError::bad_input(
            field,
            format!("The password must have at least {MIN_LENGTH} characters."),
        ));
    }
    if chars > MAX_LENGTH {
        return Err(AppError::bad_input(
            field,
            format!("The password must have at most {MAX_LENGTH} characters."),
        ));
    }
    if p.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            "The password must not contain control characters (tabs, line breaks and the like).",
        ));
    }
    let mut distinct: Vec<char> = p.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(AppError::bad_input(
            field,
            "The password is too repetitive; use at least four different characters.",
        ));
    }
    if p.eq_ignore_ascii_case(email)
        || email
            .split('@')
            .next()
            .is_some_and(|local| p.eq_ignore_ascii_case(local))
    {
        return Err(AppError::bad_input(
            field,
            "The password must not be your e-mail address.",
        ));
    }
    Ok(())
}

/// An argon2id hash in PHC string format.
pub async fn hash(password: SecretString) -> Result<String, AppError> {
    crate::blocking::run(crate::blocking::Lane::Passwords, move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}").into()))
    })
    .await?
}

/// Whether `password` matches `stored`. With no stored hash (unknown
/// e-mail) a dummy hash is checked instead, so both failures take as long.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, AppError> {
    crate::blocking::run(crate::blocking::Lane::Passwords, move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"leadforge-timing-equaliser", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_reject_weak_passwords_with_a_field() {
        let weak = [
            "short",
            "aaaaaaaaaaaa",
            "ababababab",
            "alice@example.com",
            "correct horse\u{0}battery",
            "correct horse\tbattery",
        ];
        let email = "alice@example.com";
        for p in weak {
            let result = check_rules(&SecretString::from(p), email, "password");
            assert!(
                matches!(&result, Err(AppError::BadUserInput { field: Some(f), .. }) if f == "password"),
                "{p} accepted"
            );
        }
        assert!(
            check_rules(
                &SecretString::from("correct horse battery"),
                email,
                "password"
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let h = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify(SecretString::from("correct horse battery"), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify(SecretString::from("wrong horse battery"), Some(h))
                .await
                .unwrap()
        );
        assert!(
            !verify(SecretString::from("leadforge-timing-equaliser"), None)
                .await
                .unwrap()
        );
    }
}
