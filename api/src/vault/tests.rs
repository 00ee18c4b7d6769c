use base64::{Engine, engine::general_purpose::STANDARD};
use entities::{IntegrationId, Provider, UserId};
use secrecy::{ExposeSecret, SecretString};

use super::*;

fn setting(entries: &[(&str, u8)]) -> SecretString {
    let text = entries
        .iter()
        .map(|(id, fill)| format!("{id}:{}", STANDARD.encode([*fill; 32])))
        .collect::<Vec<_>>()
        .join(",");
    SecretString::from(text)
}

fn vault(entries: &[(&str, u8)]) -> Vault {
    Vault::from_setting(&setting(entries)).unwrap()
}

fn binding() -> RowBinding {
    RowBinding {
        integration_id: IntegrationId::generate(),
        user_id: UserId::generate(),
        provider: Provider::MetaAds,
    }
}

const SECRET: &[u8] = br#"{"access_token":"EAAB-very-secret-token-1234","ad_account_id":"act_42"}"#;

#[test]
fn round_trip() {
    let vault = vault(&[("k1", 1)]);
    let row = binding();
    let sealed = vault.seal(&row, SECRET).unwrap();
    assert_eq!(sealed.key_id, "k1");
    assert_eq!(sealed.nonce.len(), 12);
    assert!(!sealed.ciphertext.windows(10).any(|w| w == b"very-secre"));
    assert_eq!(vault.open(&row, &sealed).unwrap().as_slice(), SECRET);
    // A fresh data key and nonces per write.
    let again = vault.seal(&row, SECRET).unwrap();
    assert_ne!(again.ciphertext, sealed.ciphertext);
    assert_ne!(again.wrapped_key, sealed.wrapped_key);
}

#[test]
fn json_round_trip_with_credentials() {
    let vault = vault(&[("k1", 1)]);
    let row = binding();
    let creds = Credentials {
        access_token: SecretString::from("EAAB-token-9876"),
        ad_account_id: "act_42".to_owned(),
    };
    let sealed = vault.seal_json(&row, &creds).unwrap();
    let back: Credentials = vault.open_json(&row, &sealed).unwrap();
    assert_eq!(back.access_token.expose_secret(), "EAAB-token-9876");
    assert_eq!(back.ad_account_id, "act_42");
    assert_eq!(back.token_last4(), "9876");
}

#[test]
fn wrong_binding_fails() {
    let vault = vault(&[("k1", 1)]);
    let row = binding();
    let sealed = vault.seal(&row, SECRET).unwrap();
    let others = [
        RowBinding {
            integration_id: IntegrationId::generate(),
            ..row
        },
        RowBinding {
            user_id: UserId::generate(),
            ..row
        },
        RowBinding {
            provider: Provider::Sandbox,
            ..row
        },
    ];
    for other in others {
        assert!(matches!(
            vault.open(&other, &sealed),
            Err(VaultError::Decrypt)
        ));
    }
}

#[test]
fn ciphertexts_swapped_between_rows_fail() {
    let vault = vault(&[("k1", 1)]);
    let (a, b) = (binding(), binding());
    let sealed_a = vault.seal(&a, b"secret of a").unwrap();
    let sealed_b = vault.seal(&b, b"secret of b").unwrap();

    // The whole sealed value moved into the other row.
    assert!(vault.open(&b, &sealed_a).is_err());
    assert!(vault.open(&a, &sealed_b).is_err());
    // Only the secret's ciphertext swapped, each row keeping its own key.
    let mut mixed = sealed_a.clone();
    mixed.ciphertext = sealed_b.ciphertext.clone();
    mixed.nonce = sealed_b.nonce.clone();
    assert!(vault.open(&a, &mixed).is_err());
    // Only the wrapped data key swapped.
    let mut mixed = sealed_a.clone();
    mixed.wrapped_key = sealed_b.wrapped_key.clone();
    mixed.wrapped_key_nonce = sealed_b.wrapped_key_nonce.clone();
    assert!(vault.open(&a, &mixed).is_err());
}

#[test]
fn tampered_bytes_fail() {
    let vault = vault(&[("k1", 1)]);
    let row = binding();
    let sealed = vault.seal(&row, SECRET).unwrap();
    let fields: [fn(&mut Sealed) -> &mut Vec<u8>; 4] = [
        |s| &mut s.ciphertext,
        |s| &mut s.nonce,
        |s| &mut s.wrapped_key,
        |s| &mut s.wrapped_key_nonce,
    ];
    for field in fields {
        for index in [0, 5, 11] {
            let mut bad = sealed.clone();
            if let Some(byte) = field(&mut bad).get_mut(index) {
                *byte ^= 0x01;
            }
            assert!(vault.open(&row, &bad).is_err());
        }
        let mut short = sealed.clone();
        field(&mut short).pop();
        assert!(vault.open(&row, &short).is_err());
    }
    let mut renamed = sealed.clone();
    renamed.key_id = "k2".to_owned();
    assert!(matches!(
        vault.open(&row, &renamed),
        Err(VaultError::UnknownKey(id)) if id == "k2"
    ));
}

#[test]
fn rotation_from_old_key_to_new_key() {
    let row = binding();
    let old_only = vault(&[("2024", 7)]);
    let sealed = old_only.seal(&row, SECRET).unwrap();

    // Deploy step 1: the new key first, the old one kept for decrypting.
    let both = vault(&[("2025", 9), ("2024", 7)]);
    assert_eq!(both.current_key_id(), "2025");
    assert!(both.needs_rotation(&sealed));
    assert_eq!(both.open(&row, &sealed).unwrap().as_slice(), SECRET);
    let rotated = both.rewrap(&row, &sealed).unwrap();
    assert_eq!(rotated.key_id, "2025");
    assert!(!both.needs_rotation(&rotated));
    // Rotation re-wraps the data key only; the secret's ciphertext is untouched.
    assert_eq!(rotated.ciphertext, sealed.ciphertext);
    assert_eq!(rotated.nonce, sealed.nonce);
    assert_ne!(rotated.wrapped_key, sealed.wrapped_key);

    // Deploy step 2: the old key dropped; everything rotated still opens.
    let new_only = vault(&[("2025", 9)]);
    assert_eq!(new_only.open(&row, &rotated).unwrap().as_slice(), SECRET);
    assert!(matches!(
        new_only.open(&row, &sealed),
        Err(VaultError::UnknownKey(_))
    ));
    // A different key under a reused id does not open it either.
    let impostor = vault(&[("2025", 3)]);
    assert!(matches!(
        impostor.open(&row, &rotated),
        Err(VaultError::Decrypt)
    ));
}

#[test]
fn debug_never_shows_keys_or_plaintext() {
    let vault = vault(&[("k1", 0xAB), ("k0", 0xCD)]);
    let row = binding();
    let creds = Credentials {
        access_token: SecretString::from("EAAB-token-9876"),
        ad_account_id: "act_42".to_owned(),
    };
    let sealed = vault.seal_json(&row, &creds).unwrap();
    let opened = vault.open(&row, &sealed).unwrap();
    let text = format!("{vault:?} {sealed:?} {creds:?} {row:?} {:?}", vault.current);
    for leak in [
        "EAAB",
        "9876",
        &STANDARD.encode([0xAB; 32]),
        &STANDARD.encode([0xCD; 32]),
        "171, 171", // the raw key bytes as a Debug list
    ] {
        assert!(!text.contains(leak), "{leak} leaked in {text}");
    }
    assert!(text.contains("k1") && text.contains("act_42"));
    // The opened plaintext is zeroized on drop; its type says so.
    let _: &zeroize::Zeroizing<Vec<u8>> = &opened;
}

#[test]
fn bad_master_key_settings_are_named_and_not_echoed() {
    let secretish = "c2VjcmV0LWJ1dC10b28tc2hvcnQ=";
    let cases = [
        format!("k1:{secretish}"),                          // 22 bytes
        secretish.to_owned(),                               // no id
        "k1:not base64!!".to_owned(),                       // bad base64
        format!("k 1:{}", STANDARD.encode([1; 32])),        // bad id
        format!("k1:{0},k1:{0}", STANDARD.encode([1; 32])), // duplicate id
        String::new(),
        format!("k1:{},", STANDARD.encode([1; 32])), // trailing empty entry
    ];
    for case in cases {
        let err = Vault::from_setting(&SecretString::from(case.clone())).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("LEADFORGE_MASTER_KEY"), "{message}");
        assert!(!message.contains(secretish), "{message}");
        assert!(!message.contains(&STANDARD.encode([1; 32])), "{message}");
    }
}

#[test]
fn embedded_mode_generates_the_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::embedded(dir.path().join("data")).unwrap();
    assert!(config.vault.master_key.is_none());
    let first = Vault::from_config(&config).unwrap();
    assert_eq!(first.current_key_id(), LOCAL_KEY_ID);
    let row = binding();
    let sealed = first.seal(&row, SECRET).unwrap();
    let second = Vault::from_config(&config).unwrap();
    assert_eq!(second.open(&row, &sealed).unwrap().as_slice(), SECRET);
    assert!(dir.path().join("data").join(MASTER_KEY_FILE).exists());
}
