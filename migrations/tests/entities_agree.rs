//! Entities and migrations agree: one row of every entity is written through
//! sea-orm and read back unchanged on SQLite and PostgreSQL, relations
//! resolve, tenant-scoped finders filter, and the constraints the product
//! relies on (CHECKs, foreign keys, unique keys) hold on both engines.

// Test harness helpers outside `#[test]` functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Debug;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{TestResult, with_postgres, with_sqlite};
use entities::json::{AdCopy, CallToAction, NamedTarget, Performance, TargetAudience};
use entities::prelude::*;
use entities::{
    ad_campaign, agent, audit_event, campaign_creative, casbin_rule, creative,
    creative_platform_asset, credit_account, credit_ledger, job, performance_snapshot, tenant,
    tenant_agent, tenant_agent_provider, user, user_integration,
};
use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm_migration::sea_orm::{
    ActiveEnum, ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait,
    DatabaseConnection, DbBackend, DbErr, EntityTrait, IntoActiveModel, Iterable, ModelTrait,
    NotSet, PaginatorTrait, QueryFilter, Statement, TransactionTrait,
};

/// A timestamp with microsecond precision, which both engines keep exactly.
fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 4, 5, minute, 7).unwrap() + Duration::microseconds(123_456)
}

/// Inserts `model` through its active model, then reads the table back with
/// a separate SELECT and expects to find it unchanged.
async fn insert_and_read<E>(db: &DatabaseConnection, model: E::Model) -> TestResult
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + PartialEq + Debug + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let returned = model.clone().into_active_model().insert(db).await?;
    assert_eq!(
        returned,
        model,
        "INSERT … RETURNING of {}",
        E::default().table_name()
    );
    let all = E::find().all(db).await?;
    assert!(
        all.contains(&model),
        "{} read back: {all:?}",
        E::default().table_name()
    );
    Ok(())
}

struct Fixture {
    tenant: tenant::Model,
    user: user::Model,
    integration: user_integration::Model,
    creative: creative::Model,
    campaign: ad_campaign::Model,
}

async fn insert_every_entity(
    db: &DatabaseConnection,
) -> Result<Fixture, Box<dyn std::error::Error + Send + Sync>> {
    let tenant = tenant::Model {
        id: TenantId::generate(),
        name: "Acme".to_owned(),
        slug: "acme".to_owned(),
        created_at: at(0),
    };
    insert_and_read::<Tenant>(db, tenant.clone()).await?;

    let user = user::Model {
        id: UserId::generate(),
        tenant_id: tenant.id,
        email: "ada@acme.test".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        role: Role::Member,
        created_at: at(1),
    };
    insert_and_read::<User>(db, user.clone()).await?;

    let integration = user_integration::Model {
        id: IntegrationId::generate(),
        tenant_id: tenant.id,
        user_id: user.id,
        provider: Provider::MetaAds,
        credentials: vec![0, 1, 2, 255],
        credentials_nonce: vec![9; 12],
        wrapped_key: vec![7; 48],
        wrapped_key_nonce: vec![8; 12],
        key_id: "k1".to_owned(),
        ad_account_id: "act_123".to_owned(),
        page_id: Some("456".to_owned()),
        account_name: Some("Acme ads".to_owned()),
        currency: Some("USD".to_owned()),
        token_last4: "wxyz".to_owned(),
        token_expires_at: Some(at(59)),
        status: IntegrationStatus::Verified,
        last_verified_at: Some(at(2)),
        last_error: None,
        created_at: at(2),
        updated_at: at(3),
    };
    insert_and_read::<UserIntegration>(db, integration.clone()).await?;
    assert!(!format!("{integration:?}").contains("[0, 1, 2, 255]"));

    let creative = creative::Model {
        id: CreativeId::generate(),
        tenant_id: tenant.id,
        user_id: user.id,
        storage_key: format!("{}/{}/img.png", tenant.id, user.id),
        thumbnail_key: Some(format!("{}/{}/img.thumb.png", tenant.id, user.id)),
        file_name: "summer sale.png".to_owned(),
        content_type: "image/png".to_owned(),
        byte_size: 5_242_880,
        width: 1080,
        height: 1080,
        sha256: "a".repeat(64),
        created_at: at(4),
    };
    insert_and_read::<Creative>(db, creative.clone()).await?;

    insert_and_read::<CreativePlatformAsset>(
        db,
        creative_platform_asset::Model {
            id: CreativeAssetId::generate(),
            tenant_id: tenant.id,
            user_id: user.id,
            creative_id: creative.id,
            provider: Provider::MetaAds,
            ad_account_id: "act_123".to_owned(),
            remote_hash: Some("abc123".to_owned()),
            remote_url: Some("https://scontent.example/abc.png".to_owned()),
            created_at: at(5),
        },
    )
    .await?;

    let campaign = ad_campaign::Model {
        id: CampaignId::generate(),
        tenant_id: tenant.id,
        user_id: user.id,
        provider: Provider::MetaAds,
        integration_id: integration.id,
        campaign_name: "Summer leads".to_owned(),
        objective: CampaignObjective::Leads,
        daily_budget_cents: 2_000,
        target_audience: TargetAudience {
            countries: vec!["US".to_owned()],
            regions: vec![NamedTarget {
                id: "3847".to_owned(),
                name: "California".to_owned(),
            }],
            cities: vec![],
            age_min: 25,
            age_max: 54,
            interests: vec![NamedTarget {
                id: "6003".to_owned(),
                name: "Yoga".to_owned(),
            }],
        },
        ad_copy: Some(AdCopy {
            headline: "Stretch into summer".to_owned(),
            body: "Classes for every level.".to_owned(),
            description: None,
            call_to_action: CallToAction::SignUp,
        }),
        niche: Some("yoga studio".to_owned()),
        destination_url: "https://acme.test/yoga".to_owned(),
        lead_form_id: Some("789".to_owned()),
        pixel_id: None,
        meta_campaign_id: Some("c1".to_owned()),
        meta_adset_id: Some("s1".to_owned()),
        meta_ad_id: Some("a1".to_owned()),
        status: CampaignStatus::Active,
        performance: Some(Performance {
            currency: "USD".to_owned(),
            impressions: 1_000,
            clicks: 25,
            spend_cents: 1_234,
            leads: 3,
            ctr: 0.025,
            cost_per_lead_cents: Some(411),
            updated_at: Some(at(30)),
        }),
        error_message: None,
        launch_step: Some("ads_created".to_owned()),
        idempotency_key: Some("launch-1".to_owned()),
        created_at: at(6),
        updated_at: at(7),
    };
    insert_and_read::<AdCampaign>(db, campaign.clone()).await?;

    insert_and_read::<CampaignCreative>(
        db,
        campaign_creative::Model {
            campaign_id: campaign.id,
            creative_id: creative.id,
            tenant_id: tenant.id,
            user_id: user.id,
            position: 0,
            remote_creative_id: Some("rc1".to_owned()),
            remote_ad_id: Some("a1".to_owned()),
        },
    )
    .await?;

    insert_and_read::<PerformanceSnapshot>(
        db,
        performance_snapshot::Model {
            id: SnapshotId::generate(),
            tenant_id: tenant.id,
            user_id: user.id,
            campaign_id: campaign.id,
            captured_at: at(30),
            impressions: 1_000,
            clicks: 25,
            spend_cents: 1_234,
            leads: 3,
        },
    )
    .await?;

    // Seeded by the migrations; read it rather than insert it.
    let media_buyer = agent::Entity::find_by_id(entities::MEDIA_BUYER_AGENT_KEY.to_owned())
        .one(db)
        .await?
        .ok_or("media buyer missing")?;
    insert_and_read::<Agent>(
        db,
        agent::Model {
            key: "test-agent".to_owned(),
            name: "Test agent".to_owned(),
            description: "Exists only in this test.".to_owned(),
            credit_cost: 0,
            created_at: at(8),
        },
    )
    .await?;

    insert_and_read::<TenantAgent>(
        db,
        tenant_agent::Model {
            tenant_id: tenant.id,
            agent_key: media_buyer.key.clone(),
            enabled: true,
            created_at: at(9),
            updated_at: at(9),
        },
    )
    .await?;
    for provider in [Provider::Sandbox, Provider::MetaAds] {
        insert_and_read::<TenantAgentProvider>(
            db,
            tenant_agent_provider::Model {
                tenant_id: tenant.id,
                agent_key: media_buyer.key.clone(),
                provider,
            },
        )
        .await?;
    }

    insert_and_read::<CreditAccount>(
        db,
        credit_account::Model {
            user_id: user.id,
            tenant_id: tenant.id,
            balance: 50,
            updated_at: at(10),
        },
    )
    .await?;
    insert_and_read::<CreditLedger>(
        db,
        credit_ledger::Model {
            id: LedgerEntryId::generate(),
            tenant_id: tenant.id,
            user_id: user.id,
            delta: -5,
            kind: CreditEntryKind::Reserve,
            reason: Some("launch Summer leads".to_owned()),
            campaign_id: Some(campaign.id),
            idempotency_key: format!("reserve:{}:launch-1", campaign.id),
            created_at: at(11),
        },
    )
    .await?;

    insert_and_read::<AuditEvent>(
        db,
        audit_event::Model {
            id: AuditEventId::generate(),
            tenant_id: Some(tenant.id),
            actor_user_id: Some(user.id),
            action: "campaign.launch".to_owned(),
            target: Some(format!("campaign:{}", campaign.id)),
            outcome: AuditOutcome::Success,
            detail: Some(serde_json::json!({"provider": "meta_ads", "credits": 5})),
            request_id: Some("req-1".to_owned()),
            at: at(12),
        },
    )
    .await?;
    insert_and_read::<AuditEvent>(
        db,
        audit_event::Model {
            id: AuditEventId::generate(),
            tenant_id: None,
            actor_user_id: None,
            action: "auth.sign_in".to_owned(),
            target: None,
            outcome: AuditOutcome::Failure,
            detail: None,
            request_id: None,
            at: at(13),
        },
    )
    .await?;

    insert_and_read::<Job>(
        db,
        job::Model {
            id: JobId::generate(),
            queue: "default".to_owned(),
            kind: "launch_campaign".to_owned(),
            payload: serde_json::json!({"campaign_id": campaign.id}),
            status: JobStatus::Queued,
            attempts: 0,
            max_attempts: 5,
            run_at: at(14),
            locked_by: None,
            locked_until: None,
            last_error: None,
            dedupe_key: Some(format!("launch:{}", campaign.id)),
            tenant_id: Some(tenant.id),
            created_at: at(14),
            updated_at: at(14),
            finished_at: None,
        },
    )
    .await?;

    let rule = casbin_rule::ActiveModel {
        id: NotSet,
        ptype: sea_orm_migration::sea_orm::Set("p".to_owned()),
        v0: sea_orm_migration::sea_orm::Set("member".to_owned()),
        v1: sea_orm_migration::sea_orm::Set("*".to_owned()),
        v2: sea_orm_migration::sea_orm::Set("campaign".to_owned()),
        v3: sea_orm_migration::sea_orm::Set("read".to_owned()),
        v4: sea_orm_migration::sea_orm::Set(String::new()),
        v5: sea_orm_migration::sea_orm::Set(String::new()),
    }
    .insert(db)
    .await?;
    assert!(rule.id > 0);
    assert_eq!(
        casbin_rule::Entity::find_by_id(rule.id).one(db).await?,
        Some(rule.clone())
    );

    Ok(Fixture {
        tenant,
        user,
        integration,
        creative,
        campaign,
    })
}

async fn relations_and_scopes(db: &DatabaseConnection, f: &Fixture) -> TestResult {
    // Many-to-many both ways through campaign_creatives.
    assert_eq!(
        f.campaign.find_related(Creative).all(db).await?,
        vec![f.creative.clone()]
    );
    assert_eq!(
        f.creative.find_related(AdCampaign).all(db).await?,
        vec![f.campaign.clone()]
    );
    // Belongs-to and has-many.
    assert_eq!(
        f.campaign.find_related(UserIntegration).one(db).await?,
        Some(f.integration.clone())
    );
    assert_eq!(
        f.user.find_related(Tenant).one(db).await?,
        Some(f.tenant.clone())
    );
    assert_eq!(
        f.tenant.find_related(User).all(db).await?,
        vec![f.user.clone()]
    );
    assert_eq!(
        f.campaign
            .find_related(PerformanceSnapshot)
            .count(db)
            .await?,
        1
    );
    assert_eq!(f.campaign.find_related(CreditLedger).count(db).await?, 1);
    assert_eq!(
        f.creative
            .find_related(CreativePlatformAsset)
            .count(db)
            .await?,
        1
    );
    let balance = f
        .user
        .find_related(CreditAccount)
        .one(db)
        .await?
        .ok_or("no account")?;
    assert_eq!(balance.balance, 50);
    let setting = tenant_agent::Entity::find_by_id((f.tenant.id, "media-buyer".to_owned()))
        .one(db)
        .await?
        .ok_or("no tenant agent")?;
    assert_eq!(
        setting.find_related(TenantAgentProvider).count(db).await?,
        2
    );
    assert_eq!(
        setting
            .find_related(Agent)
            .one(db)
            .await?
            .map(|a| a.credit_cost),
        Some(5)
    );

    // Tenant-scoped finders.
    let other = TenantId::generate();
    assert_eq!(
        AdCampaign::owned_by(f.tenant.id, f.user.id).all(db).await?,
        vec![f.campaign.clone()]
    );
    assert!(
        AdCampaign::owned_by(other, f.user.id)
            .all(db)
            .await?
            .is_empty()
    );
    assert!(
        AdCampaign::owned_by(f.tenant.id, UserId::generate())
            .all(db)
            .await?
            .is_empty()
    );
    assert_eq!(Creative::scoped(f.tenant.id).count(db).await?, 1);
    assert_eq!(Creative::scoped(other).count(db).await?, 0);
    assert_eq!(AuditEvent::within(RowScope::All).count(db).await?, 2);
    assert_eq!(
        AuditEvent::within(RowScope::Tenant(f.tenant.id))
            .count(db)
            .await?,
        1
    );
    assert_eq!(
        User::within(RowScope::Own {
            tenant: f.tenant.id,
            user: f.user.id
        })
        .one(db)
        .await?,
        Some(f.user.clone())
    );
    Ok(())
}

async fn constraints_hold(db: &DatabaseConnection, f: &Fixture) -> TestResult {
    // Age range CHECK reads the JSON audience.
    let mut young = f.campaign.clone();
    young.id = CampaignId::generate();
    young.idempotency_key = None;
    young.target_audience.age_min = 10;
    assert!(young.clone().into_active_model().insert(db).await.is_err());
    young.target_audience.age_min = 40;
    young.target_audience.age_max = 30;
    assert!(young.clone().into_active_model().insert(db).await.is_err());
    young.target_audience.age_max = 65;
    young.into_active_model().insert(db).await?;

    // Launch idempotency key is unique per user.
    let mut twin = f.campaign.clone();
    twin.id = CampaignId::generate();
    assert!(twin.into_active_model().insert(db).await.is_err());

    // Status CHECK, bypassing the typed enum.
    let bogus = ad_campaign::Entity::update_many()
        .col_expr(ad_campaign::Column::Status, Expr::value("bogus"))
        .filter(ad_campaign::Column::Id.eq(f.campaign.id))
        .exec(db)
        .await;
    assert!(bogus.is_err());

    // The guarded debit the credits service uses: too large a debit touches
    // no row, a fitting one succeeds, and the CHECK stops an unguarded one.
    let debit = |delta: i64| {
        credit_account::Entity::update_many()
            .col_expr(
                credit_account::Column::Balance,
                Expr::col(credit_account::Column::Balance).add(delta),
            )
            .filter(credit_account::Column::UserId.eq(f.user.id))
            .filter(Expr::col(credit_account::Column::Balance).add(delta).gte(0))
    };
    let txn = db.begin().await?;
    assert_eq!(debit(-51).exec(&txn).await?.rows_affected, 0);
    assert_eq!(debit(-50).exec(&txn).await?.rows_affected, 1);
    txn.commit().await?;
    let unguarded = credit_account::Entity::update_many()
        .col_expr(
            credit_account::Column::Balance,
            Expr::col(credit_account::Column::Balance).sub(1),
        )
        .filter(credit_account::Column::UserId.eq(f.user.id))
        .exec(db)
        .await;
    assert!(unguarded.is_err(), "balance went below zero");

    // A credit movement happens once.
    let again = credit_ledger::Model {
        id: LedgerEntryId::generate(),
        tenant_id: f.tenant.id,
        user_id: f.user.id,
        delta: -5,
        kind: CreditEntryKind::Reserve,
        reason: None,
        campaign_id: Some(f.campaign.id),
        idempotency_key: format!("reserve:{}:launch-1", f.campaign.id),
        created_at: at(20),
    };
    assert!(again.into_active_model().insert(db).await.is_err());

    // Unique keys named in DESIGN.
    let mut same_account = f.integration.clone();
    same_account.id = IntegrationId::generate();
    assert!(same_account.into_active_model().insert(db).await.is_err());
    let mut same_email = f.user.clone();
    same_email.id = UserId::generate();
    assert!(same_email.into_active_model().insert(db).await.is_err());

    // Foreign keys are enforced (SQLite included).
    let mut orphan = f.user.clone();
    orphan.id = UserId::generate();
    orphan.email = "orphan@acme.test".to_owned();
    orphan.tenant_id = TenantId::generate();
    assert!(orphan.into_active_model().insert(db).await.is_err());

    // An integration in use cannot be deleted; a creative in use neither.
    assert!(f.integration.clone().delete(db).await.is_err());
    assert!(f.creative.clone().delete(db).await.is_err());

    // Deleting the tenant cascades through every owned row and keeps the
    // audit trail with the tenant nulled.
    f.campaign.clone().delete(db).await?;
    let remaining: Vec<ad_campaign::Model> = AdCampaign::scoped(f.tenant.id).all(db).await?;
    for campaign in remaining {
        campaign.delete(db).await?;
    }
    f.tenant.clone().delete(db).await?;
    assert_eq!(User::find().count(db).await?, 0);
    assert_eq!(CreditLedger::find().count(db).await?, 0);
    assert_eq!(Job::find().count(db).await?, 0);
    assert_eq!(AuditEvent::find().count(db).await?, 2);
    assert_eq!(
        AuditEvent::find()
            .filter(audit_event::Column::TenantId.is_not_null())
            .count(db)
            .await?,
        0
    );
    Ok(())
}

/// The claim statement the job worker is designed around: one UPDATE whose
/// subquery picks the oldest due job (with FOR UPDATE SKIP LOCKED on
/// PostgreSQL; SQLite's single writer makes the statement atomic), bound
/// with a `now` from Rust so SQLite compares RFC 3339 text with RFC 3339
/// text.
async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<JobId>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id"
        }
        _ => {
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1) RETURNING id"
        }
    };
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [
            worker.into(),
            (now + Duration::seconds(60)).into(),
            now.into(),
        ],
    );
    match db.query_one_raw(stmt).await? {
        Some(row) => Ok(Some(row.try_get::<JobId>("", "id")?)),
        None => Ok(None),
    }
}

async fn jobs_can_be_claimed(db: &DatabaseConnection) -> TestResult {
    let job = |minute: u32, key: &str| job::Model {
        id: JobId::generate(),
        queue: "default".to_owned(),
        kind: "sync_insights".to_owned(),
        payload: serde_json::json!({}),
        status: JobStatus::Queued,
        attempts: 0,
        max_attempts: 3,
        run_at: at(minute),
        locked_by: None,
        locked_until: None,
        last_error: None,
        dedupe_key: Some(key.to_owned()),
        tenant_id: None,
        created_at: at(0),
        updated_at: at(0),
        finished_at: None,
    };
    // Whole-second and fractional timestamps mix on purpose: SQLite orders
    // them as text.
    let mut late = job(40, "late");
    late.run_at = Utc.with_ymd_and_hms(2025, 3, 4, 5, 40, 7).unwrap();
    let early = job(20, "early");
    let future = job(50, "future");
    for j in [&late, &early, &future] {
        j.clone().into_active_model().insert(db).await?;
    }
    // Enqueueing the same dedupe key twice is refused.
    assert!(
        job(45, "early")
            .into_active_model()
            .insert(db)
            .await
            .is_err()
    );

    let now = at(45);
    assert_eq!(claim(db, "w1", now).await?, Some(early.id));
    assert_eq!(claim(db, "w2", now).await?, Some(late.id));
    assert_eq!(
        claim(db, "w3", now).await?,
        None,
        "a future job was claimed"
    );
    let claimed = Job::find_by_id(early.id)
        .one(db)
        .await?
        .ok_or("job vanished")?;
    assert_eq!(claimed.status, JobStatus::Running);
    assert_eq!(claimed.attempts, 1);
    assert_eq!(claimed.locked_by.as_deref(), Some("w1"));
    Job::delete_many()
        .filter(job::Column::TenantId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Writes every value of enum `V` into `col` of every row of `E`, so a
/// variant missing from its column's CHECK fails here.
async fn every_value_fits<E, V>(db: &DatabaseConnection, col: E::Column) -> TestResult
where
    E: EntityTrait,
    V: ActiveEnum + Iterable,
    V::Value: Into<sea_orm_migration::sea_orm::Value>,
{
    let mut seen = 0;
    for value in V::iter() {
        let stored = E::update_many()
            .col_expr(col, Expr::value(value.to_value().into()))
            .exec(db)
            .await?;
        assert!(
            stored.rows_affected > 0,
            "no {} rows",
            E::default().table_name()
        );
        seen += 1;
    }
    assert!(seen > 1);
    Ok(())
}

async fn enums_match_checks(db: &DatabaseConnection) -> TestResult {
    every_value_fits::<User, Role>(db, user::Column::Role).await?;
    every_value_fits::<UserIntegration, IntegrationStatus>(db, user_integration::Column::Status)
        .await?;
    every_value_fits::<CreativePlatformAsset, Provider>(
        db,
        creative_platform_asset::Column::Provider,
    )
    .await?;
    every_value_fits::<AdCampaign, Provider>(db, ad_campaign::Column::Provider).await?;
    every_value_fits::<AdCampaign, CampaignObjective>(db, ad_campaign::Column::Objective).await?;
    every_value_fits::<AdCampaign, CampaignStatus>(db, ad_campaign::Column::Status).await?;
    every_value_fits::<CreditLedger, CreditEntryKind>(db, credit_ledger::Column::Kind).await?;
    every_value_fits::<AuditEvent, AuditOutcome>(db, audit_event::Column::Outcome).await?;
    every_value_fits::<Job, JobStatus>(db, job::Column::Status).await?;
    // user_integrations.provider is part of a unique key with one row here,
    // so every value fits too.
    every_value_fits::<UserIntegration, Provider>(db, user_integration::Column::Provider).await?;
    // Put back what the later checks rely on.
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(Role::Member.to_value()))
        .exec(db)
        .await?;
    user_integration::Entity::update_many()
        .col_expr(
            user_integration::Column::Provider,
            Expr::value(Provider::MetaAds.to_value()),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn agree(db: DatabaseConnection) -> TestResult {
    Migrator::up(&db, None).await?;
    jobs_can_be_claimed(&db).await?;
    let fixture = insert_every_entity(&db).await?;
    relations_and_scopes(&db, &fixture).await?;
    enums_match_checks(&db).await?;
    constraints_hold(&db, &fixture).await?;
    // Proves the connection still answers after the expected errors above.
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}

#[tokio::test]
async fn sqlite_entities_match_migrations() {
    with_sqlite(agree).await;
}

#[tokio::test]
async fn postgres_entities_match_migrations() {
    with_postgres(agree).await;
}
