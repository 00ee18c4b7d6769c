use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entities::{
    IntegrationId, IntegrationStatus, Provider, Role, TenantId, UserId, tenant, user,
    user_integration,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use secrecy::SecretString;

use super::*;
use crate::config::{DatabaseBackend, DatabaseConfig};

fn vault(entries: &[(&str, u8)]) -> Vault {
    let text = entries
        .iter()
        .map(|(id, fill)| format!("{id}:{}", STANDARD.encode([*fill; 32])))
        .collect::<Vec<_>>()
        .join(",");
    Vault::from_setting(&SecretString::from(text)).unwrap()
}

async fn database(dir: &std::path::Path) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.join("rotate.db").display());
    let config = DatabaseConfig {
        url: SecretString::from(url),
        backend: DatabaseBackend::Sqlite,
    };
    crate::db::migrate_up(&config).await.unwrap();
    crate::db::connect(&config).await.unwrap()
}

async fn owner(db: &DatabaseConnection) -> UserId {
    let tenant_id = TenantId::generate();
    tenant::ActiveModel {
        id: Set(tenant_id),
        name: Set("Acme".to_owned()),
        slug: Set(format!("acme-{tenant_id}")),
        created_at: Set(Utc::now()),
        launch_approval_required: Set(false),
    }
    .insert(db)
    .await
    .unwrap();
    let user_id = UserId::generate();
    user::ActiveModel {
        id: Set(user_id),
        tenant_id: Set(tenant_id),
        email: Set(format!("{user_id}@example.com")),
        password_hash: Set("x".to_owned()),
        role: Set(Role::Member),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .unwrap();
    user_id
}

/// Inserts a row sealed by `vault`, holding `secret`.
async fn insert(db: &DatabaseConnection, vault: &Vault, user_id: UserId, n: usize) -> RowBinding {
    let owner = user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let binding = RowBinding {
        integration_id: IntegrationId::generate(),
        user_id,
        provider: Provider::MetaAds,
    };
    let sealed = vault.seal(&binding, secret(n).as_bytes()).unwrap();
    user_integration::ActiveModel {
        id: Set(binding.integration_id),
        tenant_id: Set(owner.tenant_id),
        user_id: Set(user_id),
        provider: Set(binding.provider),
        credentials: Set(sealed.ciphertext),
        credentials_nonce: Set(sealed.nonce),
        wrapped_key: Set(sealed.wrapped_key),
        wrapped_key_nonce: Set(sealed.wrapped_key_nonce),
        key_id: Set(sealed.key_id),
        ad_account_id: Set(format!("act_{n}")),
        page_id: Set(None),
        account_name: Set(None),
        currency: Set(None),
        dsa_beneficiary: Set(None),
        dsa_payor: Set(None),
        token_last4: Set("1234".to_owned()),
        token_expires_at: Set(None),
        data_access_expires_at: Set(None),
        status: Set(IntegrationStatus::Unverified),
        last_verified_at: Set(None),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .unwrap();
    binding
}

fn secret(n: usize) -> String {
    format!(r#"{{"access_token":"token-{n}","ad_account_id":"act_{n}"}}"#)
}

#[tokio::test]
async fn rotate_rewraps_every_old_row_then_the_old_key_can_go() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let user_id = owner(&db).await;

    let old = vault(&[("old", 1)]);
    let mut rows = Vec::new();
    // More than one batch, so paging is exercised.
    for n in 0..(BATCH as usize + 15) {
        rows.push(insert(&db, &old, user_id, n).await);
    }
    let both = vault(&[("new", 2), ("old", 1)]);
    rows.push(insert(&db, &both, user_id, 9_999).await); // already current

    let report = rotate(&db, &both).await.unwrap();
    assert_eq!(report.rewrapped, BATCH + 15);
    assert_eq!(report.still_old, 0);
    assert!(report.unreadable.is_empty());

    // Idempotent: nothing left to do.
    let again = rotate(&db, &both).await.unwrap();
    assert_eq!(again, RotationReport::default());

    // The old key is dropped; every row still opens with the new one alone.
    let new_only = vault(&[("new", 2)]);
    for (n, binding) in rows.iter().enumerate() {
        let row = user_integration::Entity::find_by_id(binding.integration_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.key_id, "new");
        // The stored columns hold no plaintext, before or after rotation.
        for column in [&row.credentials, &row.wrapped_key] {
            assert!(!column.windows(6).any(|w| w == b"token-"));
        }
        let expected = if n == rows.len() - 1 { 9_999 } else { n };
        let plain = new_only.open(binding, &Sealed::of(&row)).unwrap();
        assert_eq!(plain.as_slice(), secret(expected).as_bytes());
    }
}

#[tokio::test]
async fn rotate_reports_rows_it_cannot_read_and_skips_rows_changed_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let user_id = owner(&db).await;

    let lost = vault(&[("lost", 3)]);
    let unreadable = insert(&db, &lost, user_id, 1).await;
    let old = vault(&[("old", 1)]);
    let fine = insert(&db, &old, user_id, 2).await;

    let current = vault(&[("new", 2), ("old", 1)]);
    let report = rotate(&db, &current).await.unwrap();
    assert_eq!(report.rewrapped, 1);
    assert_eq!(report.still_old, 1);
    assert_eq!(report.unreadable, vec![unreadable.integration_id]);

    // A compare-and-set on a stale read changes nothing.
    let row = user_integration::Entity::find_by_id(fine.integration_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let updated = user_integration::Entity::update_many()
        .col_expr(user_integration::Column::KeyId, Expr::value("x"))
        .filter(user_integration::Column::Id.eq(row.id))
        .filter(user_integration::Column::KeyId.eq("old"))
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected, 0);
}
