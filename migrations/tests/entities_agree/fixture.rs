//! One row of every entity, written through sea-orm and read back.

use std::fmt::Debug;

use chrono::{DateTime, Duration, TimeZone, Utc};
use entities::json::{AdCopy, CallToAction, NamedTarget, Performance, TargetAudience};
use entities::prelude::*;
use entities::{
    ad_campaign, agent, audit_event, campaign_creative, casbin_rule, creative,
    creative_platform_asset, credit_account, credit_ledger, job, lead, performance_snapshot,
    tenant, tenant_agent, tenant_agent_provider, user, user_integration,
};
use sea_orm_migration::sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet,
};

use crate::common::TestResult;

/// A timestamp with microsecond precision, which both engines keep exactly.
pub fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 4, 5, minute, 7).unwrap() + Duration::microseconds(123_456)
}

/// Inserts `model` through its active model, then reads the table back with
/// a separate SELECT and expects to find it unchanged.
pub async fn insert_and_read<E>(db: &DatabaseConnection, model: E::Model) -> TestResult
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

/// The rows later checks refer to.
pub struct Fixture {
    pub tenant: tenant::Model,
    pub user: user::Model,
    pub integration: user_integration::Model,
    pub creative: creative::Model,
    pub campaign: ad_campaign::Model,
}

pub async fn insert_every_entity(
    db: &DatabaseConnection,
) -> Result<Fixture, Box<dyn std::error::Error + Send + Sync>> {
    let tenant = tenant::Model {
        id: TenantId::generate(),
        name: "Acme".to_owned(),
        slug: "acme".to_owned(),
        created_at: at(0),
        launch_approval_required: true,
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
        dsa_beneficiary: Some("Acme Yoga Ltd".to_owned()),
        dsa_payor: None,
        token_last4: "wxyz".to_owned(),
        token_expires_at: Some(at(59)),
        data_access_expires_at: Some(at(58)),
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
        special_ad_category: entities::SpecialAdCategory::Housing,
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
            written_by: None,
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
        launch_progress: Some(serde_json::json!({ "campaign_id": "1" })),
        idempotency_key: Some("launch-1".to_owned()),
        approval_digest: Some("d".repeat(64)),
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
            delivery_status: Some(entities::AdDeliveryStatus::Disapproved),
            review_message: Some("Text in image".to_owned()),
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

    let lead_id = LeadId::generate();
    insert_and_read::<Lead>(
        db,
        lead::Model {
            id: lead_id,
            tenant_id: tenant.id,
            user_id: Some(user.id),
            campaign_id: Some(campaign.id),
            integration_id: Some(integration.id),
            provider: Provider::MetaAds,
            platform_lead_id: "880000000000001".to_owned(),
            page_id: Some("5001".to_owned()),
            form_id: Some("6001".to_owned()),
            ad_id: Some("120000000000000001".to_owned()),
            platform_created_at: Some(at(11)),
            received_at: at(12),
            source: LeadSource::Webhook,
            answers: vec![1, 2, 3],
            answers_nonce: vec![0; 12],
            wrapped_key: vec![4; 48],
            wrapped_key_nonce: vec![0; 12],
            key_id: "local".to_owned(),
            email_hash: Some("a".repeat(64)),
            phone_hash: None,
            status: LeadStatus::New,
            note: Some("call back".to_owned()),
            created_at: at(12),
            updated_at: at(12),
        },
    )
    .await?;
    let destination_id = entities::LeadDestinationId::generate();
    insert_and_read::<entities::lead_destination::Entity>(
        db,
        entities::lead_destination::Model {
            id: destination_id,
            tenant_id: tenant.id,
            user_id: user.id,
            kind: entities::LeadDestinationKind::Webhook,
            name: "CRM".to_owned(),
            url: Some("https://hooks.example.com/leads".to_owned()),
            secret: Some(vec![1, 2, 3]),
            secret_nonce: Some(vec![0; 12]),
            wrapped_key: Some(vec![4; 48]),
            wrapped_key_nonce: Some(vec![0; 12]),
            key_id: Some("local".to_owned()),
            status: entities::LeadDestinationStatus::Paused,
            paused_reason: Some("Paused after 20 failed attempts in a row".to_owned()),
            failures_in_a_row: 20,
            created_at: at(12),
            updated_at: at(12),
        },
    )
    .await?;
    let delivery_id = entities::LeadDeliveryId::generate();
    insert_and_read::<entities::lead_delivery::Entity>(
        db,
        entities::lead_delivery::Model {
            id: delivery_id,
            tenant_id: tenant.id,
            user_id: user.id,
            lead_id,
            destination_id,
            status: entities::LeadDeliveryStatus::Held,
            attempts: 20,
            last_error: Some("the destination answered HTTP 500".to_owned()),
            delivered_at: None,
            created_at: at(12),
            updated_at: at(13),
        },
    )
    .await?;
    insert_and_read::<entities::lead_delivery_attempt::Entity>(
        db,
        entities::lead_delivery_attempt::Model {
            id: entities::LeadDeliveryAttemptId::generate(),
            tenant_id: tenant.id,
            user_id: user.id,
            delivery_id,
            number: 1,
            at: at(13),
            ok: false,
            status_code: Some(500),
            error: Some("the destination answered HTTP 500".to_owned()),
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
