//! The benchmark's data set, written with multi-row INSERTs in one
//! transaction per table: tenants with one member each, a Sandbox
//! integration per member (saved through the integrations service, so its
//! credentials are sealed by the vault and the insights sync can open
//! them), and per member an equal share of the campaigns, each ACTIVE on the
//! Sandbox with its creatives, their links and hourly snapshots.

use std::{path::PathBuf, sync::Arc, time::Instant};

use adapters::ad_platform::{
    AdPlatform, AdapterRegistry, CampaignSpec, CreateMode, Credentials, Objective, RemoteStatus,
    SpecialAdCategory, sandbox::Sandbox,
};
use chrono::{Duration as Span, Utc};
use entities::{
    CampaignId, CampaignObjective, CampaignStatus, CreativeId, IntegrationId, Provider, Role,
    SnapshotId, TenantId, UserId, ad_campaign, campaign_creative, creative,
    json::{AdCopy, CallToAction, Performance, TargetAudience},
    performance_snapshot, tenant, user,
};
use leadforge::{
    Config,
    auth::Principal,
    authz::Authorizer,
    config::DatabaseConfig,
    services::{
        audit::AuditService,
        integrations::{IntegrationsService, SaveIntegration},
    },
    vault::Vault,
};
use leadforge_e2e::{Backend, TestDb, TestEnv};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    TransactionTrait,
};
use serde_json::json;

use crate::Res;

/// The HS256 secret both the benchmark (which mints the members' tokens)
/// and the served process use.
pub const JWT_SECRET: &str = "bench-only-jwt-secret-0123456789abcdef-0123456789";

/// How big a data set to write.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub tenants: usize,
    pub campaigns: usize,
    pub creatives_per_campaign: usize,
    pub snapshots_per_campaign: usize,
}

impl Size {
    /// The data set, times `scale` (tenants and campaigns).
    pub fn full(scale: f64) -> Self {
        let n = |v: f64| ((v * scale).round() as usize).max(1);
        Self {
            tenants: n(100.0),
            campaigns: n(10_000.0),
            creatives_per_campaign: 5,
            snapshots_per_campaign: 48,
        }
    }
}

/// One seeded member.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: UserId,
    pub tenant: TenantId,
    pub token: String,
    pub campaigns: Vec<CampaignId>,
    pub account: String,
}

/// A seeded database and what the parts need to use it.
pub struct Seeded {
    pub db: TestDb,
    pub conn: DatabaseConnection,
    pub data_dir: PathBuf,
    pub members: Vec<Member>,
    pub sandbox: Arc<Sandbox>,
    pub integrations: IntegrationsService,
    pub audit: AuditService,
    pub size: Size,
    pub seconds: f64,
}

impl Seeded {
    /// The environment a served `leadforge` process needs for this database.
    pub fn server_env(&self) -> Vec<(String, String)> {
        vec![
            ("DATABASE_URL".into(), self.db.url.clone()),
            (
                "LEADFORGE_DATA_DIR".into(),
                self.data_dir.display().to_string(),
            ),
            ("LEADFORGE_JWT_SECRET".into(), JWT_SECRET.into()),
            ("LEADFORGE_LOG".into(), "warn".into()),
            // The sync is driven by the benchmark itself.
            ("LEADFORGE_INSIGHTS_INTERVAL_SECS".into(), "86400".into()),
            ("LEADFORGE_MAX_CONNECTIONS".into(), "30000".into()),
        ]
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }
}

/// A token for `user` the way the server issues them (HS256, its claims).
pub fn token(user: UserId, tenant: TenantId) -> Res<String> {
    let now = Utc::now().timestamp();
    let claims = json!({
        "sub": user, "tid": tenant, "iat": now, "exp": now + 24 * 3600,
        "iss": "leadforge", "aud": "leadforge-api",
    });
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )?)
}

/// Rows per INSERT: below SQLite's 32,766 bound parameters.
fn rows_per_insert(columns: usize) -> usize {
    (30_000 / columns).max(1)
}

async fn insert_all<A>(db: &DatabaseConnection, rows: Vec<A>, columns: usize) -> Res<()>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let txn = db.begin().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(rows_per_insert(columns)).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Writes a data set of `size` on a fresh database of `backend`.
pub async fn seed(backend: Backend, size: Size) -> Res<Seeded> {
    let started = Instant::now();
    let db = TestDb::migrated(backend).await;
    let data_dir = db.dir().join("data");
    std::fs::create_dir_all(&data_dir)?;
    let mut env = TestEnv::default();
    for (k, v) in [
        ("DATABASE_URL", db.url.clone()),
        ("LEADFORGE_DATA_DIR", data_dir.display().to_string()),
        ("LEADFORGE_JWT_SECRET", JWT_SECRET.to_owned()),
    ] {
        env.0.insert(k.to_owned(), v);
    }
    let config = Config::load_from(None, &env)?;
    leadforge::db::migrate_up(&DatabaseConfig {
        url: db.url.clone().into(),
        backend: db.database_backend(),
    })
    .await?;
    let conn = db.connect().await;

    // The members' sandbox: in memory, with a clock the sync part moves.
    let sandbox = Arc::new(Sandbox::with_manual_clock());
    let authz = Authorizer::load(conn.clone()).await?;
    let audit = AuditService::new(conn.clone(), authz.clone());
    let registry = AdapterRegistry::new().with(sandbox.clone());
    let integrations = IntegrationsService::new(
        conn.clone(),
        authz,
        audit.clone(),
        Arc::new(Vault::from_config(&config)?),
        Arc::new(registry),
    );

    let now = Utc::now();
    let t0 = now - Span::days(30);
    let mut tenants = Vec::new();
    let mut users = Vec::new();
    let mut members = Vec::new();
    for i in 0..size.tenants {
        let tenant = TenantId::generate();
        let user = UserId::generate();
        tenants.push(tenant::ActiveModel::from(tenant::Model {
            id: tenant,
            name: format!("Bench tenant {i}"),
            slug: format!("bench-{i}"),
            created_at: t0,
            launch_approval_required: false,
        }));
        users.push(user::ActiveModel::from(user::Model {
            id: user,
            tenant_id: tenant,
            email: format!("bench{i}@bench.test"),
            // Never signed in with: members hold minted tokens.
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0$YmVuY2hoYXNo".into(),
            role: Role::Member,
            created_at: t0,
        }));
        members.push(Member {
            user,
            tenant,
            token: token(user, tenant)?,
            campaigns: Vec::new(),
            account: format!("{}", 7_000_001 + i),
        });
    }
    insert_all(&conn, tenants, 4).await?;
    insert_all(&conn, users, 6).await?;

    // One Sandbox ad account per member, saved through the service.
    let mut integration_of = Vec::new();
    for m in &members {
        let principal = Principal {
            user_id: m.user,
            tenant_id: m.tenant,
            role: Role::Member,
        };
        let saved = integrations
            .save(
                &principal,
                SaveIntegration {
                    provider: Provider::Sandbox,
                    access_token: "sandbox-token".to_owned().into(),
                    ad_account_id: m.account.clone(),
                    page_id: None,
                },
            )
            .await?;
        integration_of.push(saved.id);
    }
    conn.execute_unprepared(
        "UPDATE user_integrations SET status = 'verified', currency = 'USD', account_name = 'Bench account'",
    )
    .await?;

    let mut campaigns = Vec::with_capacity(size.campaigns);
    let mut creatives = Vec::new();
    let mut links = Vec::new();
    let mut snapshots = Vec::new();
    let audience = TargetAudience {
        countries: vec!["US".into(), "PT".into()],
        regions: vec![],
        cities: vec![],
        age_min: 25,
        age_max: 54,
        interests: vec![entities::json::NamedTarget {
            id: "6003107902433".into(),
            name: "Yoga".into(),
        }],
    };
    for i in 0..size.campaigns {
        let who = i % members.len();
        let (user, tenant) = (members[who].user, members[who].tenant);
        let integration: IntegrationId = integration_of[who];
        let id = CampaignId::generate();
        let created = t0 + Span::seconds(i as i64 * 7);
        let creds = Credentials::new("sandbox-token", &members[who].account);
        let remote = sandbox
            .create_campaign(
                &creds,
                &CampaignSpec {
                    name: format!("Bench campaign {i}"),
                    tag: format!("lf-{id}"),
                    objective: Objective::Traffic,
                    campaign_daily_budget: Some(2000 + (i as i64 % 50) * 100),
                    special_ad_category: SpecialAdCategory::None,
                    category_countries: Vec::new(),
                },
                CreateMode::Create,
            )
            .await?;
        sandbox
            .set_status(&creds, &remote, RemoteStatus::Active)
            .await?;
        let spend = 1000 + i as i64 * 13 % 90_000;
        campaigns.push(ad_campaign::ActiveModel::from(ad_campaign::Model {
            id,
            tenant_id: tenant,
            user_id: user,
            provider: Provider::Sandbox,
            integration_id: integration,
            campaign_name: format!("Bench campaign {i}"),
            objective: CampaignObjective::Traffic,
            daily_budget_cents: 2000 + (i as i64 % 50) * 100,
            special_ad_category: entities::SpecialAdCategory::None,
            target_audience: audience.clone(),
            ad_copy: Some(AdCopy {
                headline: "Stretch more".into(),
                body: "Morning classes for every level, first week free.".into(),
                description: Some("Book today".into()),
                call_to_action: CallToAction::SignUp,
                written_by: None,
            }),
            niche: Some("yoga studio".into()),
            destination_url: "https://example.com/open-day".into(),
            lead_form_id: None,
            pixel_id: None,
            meta_campaign_id: Some(remote.as_str().to_owned()),
            meta_adset_id: Some(format!("2{:017}", i)),
            meta_ad_id: Some(format!("3{:017}", i)),
            status: CampaignStatus::Active,
            performance: Some(Performance {
                currency: "USD".into(),
                impressions: spend * 9,
                clicks: spend / 7,
                spend_cents: spend,
                leads: spend / 400,
                ctr: 1.0 / 63.0,
                cost_per_lead_cents: Some(400),
                updated_at: Some(now),
            }),
            error_message: None,
            launch_step: Some("activated".into()),
            launch_progress: None,
            idempotency_key: None,
            approval_digest: None,
            created_at: created,
            updated_at: created,
        }));
        for p in 0..size.creatives_per_campaign {
            let cid = CreativeId::generate();
            let uuid = uuid::Uuid::new_v4();
            creatives.push(creative::ActiveModel::from(creative::Model {
                id: cid,
                tenant_id: tenant,
                user_id: user,
                storage_key: format!("{tenant}/{user}/{uuid}.png"),
                thumbnail_key: Some(format!("{tenant}/{user}/{}.png", uuid::Uuid::new_v4())),
                file_name: format!("ad-{i}-{p}.png"),
                content_type: "image/png".into(),
                byte_size: 48_000 + p as i64,
                width: 1080,
                height: 1080,
                sha256: format!("{:064x}", (i * 16 + p) as u128 * 0x9e37_79b9_7f4a_7c15),
                created_at: created,
            }));
            links.push(campaign_creative::ActiveModel::from(
                campaign_creative::Model {
                    campaign_id: id,
                    creative_id: cid,
                    tenant_id: tenant,
                    user_id: user,
                    position: p as i32,
                    remote_creative_id: Some(format!("4{:012}{p}", i)),
                    remote_ad_id: Some(format!("5{:012}{p}", i)),
                    delivery_status: None,
                    review_message: None,
                },
            ));
        }
        for s in 0..size.snapshots_per_campaign {
            let k = (s + 1) as i64;
            let at = now - Span::hours((size.snapshots_per_campaign - s) as i64);
            snapshots.push(performance_snapshot::ActiveModel::from(
                performance_snapshot::Model {
                    id: SnapshotId::generate(),
                    tenant_id: tenant,
                    user_id: user,
                    campaign_id: id,
                    captured_at: at,
                    impressions: spend * 9 * k / 48,
                    clicks: spend / 7 * k / 48,
                    spend_cents: spend * k / 48,
                    leads: spend / 400 * k / 48,
                },
            ));
        }
        members[who].campaigns.push(id);
    }
    insert_all(&conn, campaigns, 26).await?;
    insert_all(&conn, creatives, 12).await?;
    insert_all(&conn, links, 7).await?;
    insert_all(&conn, snapshots, 9).await?;
    if backend == Backend::Postgres {
        conn.execute_unprepared("ANALYZE").await?;
    } else {
        conn.execute_unprepared("PRAGMA optimize").await?;
    }
    Ok(Seeded {
        db,
        conn,
        data_dir,
        members,
        sandbox,
        integrations,
        audit,
        size,
        seconds: started.elapsed().as_secs_f64(),
    })
}
