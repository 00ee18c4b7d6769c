//! The benchmark's yardstick: the dashboard query served by the least code
//! that can answer it with the same JSON shape from the same PostgreSQL
//! database. async-graphql over axum, sqlx with one pool (`BARE_POOL`
//! connections, the size of Leadforge's), hand-written batched SQL: the page
//! and its count, then the creatives, integrations and last-N snapshots of
//! the whole page in one statement each. No auth: the caller names the user
//! in `x-bench-user`. Signed URLs are signed (HMAC-SHA256, Leadforge's
//! layout), because Leadforge pays for that too.
//!
//! Settings: `BARE_ADDR` (listen address), `DATABASE_URL`, `BARE_POOL`.

use std::{collections::HashMap, error::Error, sync::Arc};

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Enum, ID, Object, Schema, SimpleObject,
};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{Router, extract::State, http::HeaderMap, routing::get};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sqlx::{PgPool, Row, postgres::PgPoolOptions};
use uuid::Uuid;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
enum CampaignStatus {
    Draft,
    Launching,
    Active,
    Paused,
    Completed,
    Error,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
enum CampaignObjective {
    Leads,
    Conversions,
    Traffic,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
enum Provider {
    MetaAds,
    Sandbox,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
enum IntegrationStatus {
    Unverified,
    Verified,
    Invalid,
}

#[derive(SimpleObject, Clone)]
struct Creative {
    id: ID,
    file_name: String,
    content_type: String,
    width: i32,
    height: i32,
    url: String,
    thumbnail_url: String,
}

#[derive(SimpleObject, Clone)]
struct Integration {
    id: ID,
    provider: Provider,
    ad_account_id: String,
    account_name: Option<String>,
    currency: Option<String>,
    status: IntegrationStatus,
}

#[derive(SimpleObject, Clone)]
struct Performance {
    currency: String,
    impressions: i32,
    clicks: i32,
    spend_cents: i32,
    leads: i32,
    ctr: f64,
    cost_per_lead_cents: Option<i32>,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject, Clone)]
struct Snapshot {
    captured_at: DateTime<Utc>,
    impressions: i32,
    clicks: i32,
    spend_cents: i32,
    leads: i32,
}

struct Campaign {
    id: Uuid,
    name: String,
    status: CampaignStatus,
    objective: CampaignObjective,
    daily_budget_cents: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    creatives: Vec<Creative>,
    integration: Integration,
    performance: Performance,
    snapshots: Vec<Snapshot>,
}

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    async fn campaign_name(&self) -> &str {
        &self.name
    }
    async fn status(&self) -> CampaignStatus {
        self.status
    }
    async fn objective(&self) -> CampaignObjective {
        self.objective
    }
    async fn daily_budget_cents(&self) -> i32 {
        self.daily_budget_cents
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    async fn creatives(&self) -> &[Creative] {
        &self.creatives
    }
    async fn integration(&self) -> &Integration {
        &self.integration
    }
    async fn performance(&self) -> &Performance {
        &self.performance
    }
    /// Loaded for the whole page at the `last` the query asked for.
    async fn snapshots(&self, #[graphql(default = 48)] last: i32) -> &[Snapshot] {
        let skip = self
            .snapshots
            .len()
            .saturating_sub(usize::try_from(last).unwrap_or(0));
        &self.snapshots[skip..]
    }
}

#[derive(SimpleObject)]
struct PageInfo {
    has_next_page: bool,
    has_previous_page: bool,
    start_cursor: Option<String>,
    end_cursor: Option<String>,
}

#[derive(SimpleObject)]
struct Edge {
    node: Campaign,
    cursor: String,
}

#[derive(SimpleObject)]
struct Connection {
    edges: Vec<Edge>,
    page_info: PageInfo,
    total_count: i32,
}

struct Signer {
    key: Hmac<sha2::Sha256>,
    base: String,
}

impl Signer {
    fn url(&self, key: &str) -> String {
        let now = Utc::now();
        let expires = now.timestamp() + i64::from(now.timestamp_subsec_nanos() > 0) + 900;
        let mut mac = self.key.clone();
        mac.update(format!("leadforge-blob-v1\n{key}\n{expires}").as_bytes());
        let sig = hex::encode(mac.finalize().into_bytes());
        format!("{}/blobs/{key}?expires={expires}&sig={sig}", self.base)
    }
}

struct Query;

fn cursor(at: DateTime<Utc>, id: Uuid) -> String {
    let nanos = at
        .timestamp_nanos_opt()
        .unwrap_or_else(|| at.timestamp_micros().saturating_mul(1000));
    URL_SAFE_NO_PAD.encode(format!("{nanos}|{id}"))
}

fn int(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

fn json_int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The `last` argument of `snapshots` in the query, wherever it sits.
fn snapshots_wanted(field: async_graphql::SelectionField<'_>) -> i64 {
    for f in field.selection_set() {
        if f.name() == "snapshots" {
            return f
                .arguments()
                .ok()
                .and_then(|args| {
                    args.into_iter()
                        .find(|(n, _)| n.as_str() == "last")
                        .and_then(|(_, v)| match v {
                            async_graphql::Value::Number(n) => n.as_i64(),
                            _ => None,
                        })
                })
                .unwrap_or(48);
        }
        let found = snapshots_wanted(f);
        if found >= 0 {
            return found;
        }
    }
    -1
}

#[Object]
impl Query {
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Connection> {
        let pool = ctx.data::<PgPool>()?;
        let signer = ctx.data::<Arc<Signer>>()?;
        let user = *ctx.data::<Uuid>()?;
        let last = snapshots_wanted(ctx.field()).max(0);
        let first = i64::from(first.clamp(0, 100));

        let page = sqlx::query(
            "SELECT id, campaign_name, status, objective, daily_budget_cents, created_at, updated_at, \
             integration_id, performance FROM ad_campaigns WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(user)
        .bind(first + 1)
        .fetch_all(pool);
        let count =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ad_campaigns WHERE user_id = $1")
                .bind(user)
                .fetch_one(pool);
        let (mut rows, total) = tokio::try_join!(page, count)?;
        let has_next_page = rows.len() as i64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(0));
        let ids: Vec<Uuid> = rows.iter().map(|r| r.get("id")).collect();
        let mut integration_ids: Vec<Uuid> = rows.iter().map(|r| r.get("integration_id")).collect();
        integration_ids.sort_unstable();
        integration_ids.dedup();

        let creatives = sqlx::query(
            "SELECT cc.campaign_id, c.id, c.file_name, c.content_type, c.width, c.height, \
             c.storage_key, c.thumbnail_key FROM campaign_creatives cc \
             JOIN creatives c ON c.id = cc.creative_id \
             WHERE cc.campaign_id = ANY($1) ORDER BY cc.campaign_id, cc.position",
        )
        .bind(&ids)
        .fetch_all(pool);
        let integrations = sqlx::query(
            "SELECT id, provider, ad_account_id, account_name, currency, status \
             FROM user_integrations WHERE id = ANY($1)",
        )
        .bind(&integration_ids)
        .fetch_all(pool);
        let snapshots = sqlx::query(
            "SELECT campaign_id, captured_at, impressions, clicks, spend_cents, leads FROM ( \
               SELECT *, ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY captured_at DESC) AS rn \
               FROM performance_snapshots WHERE campaign_id = ANY($1)) s \
             WHERE rn <= $2 ORDER BY campaign_id, captured_at",
        )
        .bind(&ids)
        .bind(last)
        .fetch_all(pool);
        let (creatives, integrations, snapshots) =
            tokio::try_join!(creatives, integrations, snapshots)?;

        let mut creatives_of: HashMap<Uuid, Vec<Creative>> = HashMap::new();
        for r in creatives {
            let key: String = r.get("storage_key");
            let thumb: Option<String> = r.get("thumbnail_key");
            creatives_of
                .entry(r.get("campaign_id"))
                .or_default()
                .push(Creative {
                    id: ID(r.get::<Uuid, _>("id").to_string()),
                    file_name: r.get("file_name"),
                    content_type: r.get("content_type"),
                    width: r.get("width"),
                    height: r.get("height"),
                    url: signer.url(&key),
                    thumbnail_url: signer.url(thumb.as_deref().unwrap_or(&key)),
                });
        }
        let mut integration_of: HashMap<Uuid, Integration> = HashMap::new();
        for r in integrations {
            let id: Uuid = r.get("id");
            integration_of.insert(
                id,
                Integration {
                    id: ID(id.to_string()),
                    provider: match r.get::<&str, _>("provider") {
                        "meta_ads" => Provider::MetaAds,
                        _ => Provider::Sandbox,
                    },
                    ad_account_id: r.get("ad_account_id"),
                    account_name: r.get("account_name"),
                    currency: r.get("currency"),
                    status: match r.get::<&str, _>("status") {
                        "verified" => IntegrationStatus::Verified,
                        "invalid" => IntegrationStatus::Invalid,
                        _ => IntegrationStatus::Unverified,
                    },
                },
            );
        }
        let mut snapshots_of: HashMap<Uuid, Vec<Snapshot>> = HashMap::new();
        for r in snapshots {
            snapshots_of
                .entry(r.get("campaign_id"))
                .or_default()
                .push(Snapshot {
                    captured_at: r.get("captured_at"),
                    impressions: int(r.get("impressions")),
                    clicks: int(r.get("clicks")),
                    spend_cents: int(r.get("spend_cents")),
                    leads: int(r.get("leads")),
                });
        }

        let mut edges = Vec::with_capacity(rows.len());
        for r in rows {
            let id: Uuid = r.get("id");
            let integration = integration_of
                .get(&r.get::<Uuid, _>("integration_id"))
                .cloned()
                .ok_or("a campaign's integration is missing")?;
            let performance: Option<Value> = r.get("performance");
            let performance = match performance {
                Some(p) => Performance {
                    currency: p["currency"].as_str().unwrap_or_default().to_owned(),
                    impressions: int(json_int(&p, "impressions")),
                    clicks: int(json_int(&p, "clicks")),
                    spend_cents: int(json_int(&p, "spend_cents")),
                    leads: int(json_int(&p, "leads")),
                    ctr: p["ctr"].as_f64().unwrap_or(0.0),
                    cost_per_lead_cents: p["cost_per_lead_cents"].as_i64().map(int),
                    updated_at: p["updated_at"]
                        .as_str()
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                        .map(|t| t.with_timezone(&Utc)),
                },
                None => Performance {
                    currency: integration.currency.clone().unwrap_or_default(),
                    impressions: 0,
                    clicks: 0,
                    spend_cents: 0,
                    leads: 0,
                    ctr: 0.0,
                    cost_per_lead_cents: None,
                    updated_at: None,
                },
            };
            let created_at: DateTime<Utc> = r.get("created_at");
            edges.push(Edge {
                cursor: cursor(created_at, id),
                node: Campaign {
                    id,
                    name: r.get("campaign_name"),
                    status: match r.get::<&str, _>("status") {
                        "draft" => CampaignStatus::Draft,
                        "launching" => CampaignStatus::Launching,
                        "active" => CampaignStatus::Active,
                        "paused" => CampaignStatus::Paused,
                        "completed" => CampaignStatus::Completed,
                        _ => CampaignStatus::Error,
                    },
                    objective: match r.get::<&str, _>("objective") {
                        "LEADS" => CampaignObjective::Leads,
                        "CONVERSIONS" => CampaignObjective::Conversions,
                        _ => CampaignObjective::Traffic,
                    },
                    daily_budget_cents: int(r.get("daily_budget_cents")),
                    created_at,
                    updated_at: r.get("updated_at"),
                    creatives: creatives_of.remove(&id).unwrap_or_default(),
                    integration,
                    performance,
                    snapshots: snapshots_of.remove(&id).unwrap_or_default(),
                },
            });
        }
        Ok(Connection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: false,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: int(total),
        })
    }
}

type BareSchema = Schema<Query, EmptyMutation, EmptySubscription>;

async fn graphql(
    State(schema): State<BareSchema>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let mut request = request.into_inner();
    if let Some(user) = headers
        .get("x-bench-user")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v).ok())
    {
        request = request.data(user);
    }
    schema.execute(request).await.into()
}

fn main() -> Res<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve())
}

async fn serve() -> Res<()> {
    let addr = std::env::var("BARE_ADDR").unwrap_or_else(|_| "127.0.0.1:8099".into());
    let url = std::env::var("DATABASE_URL")?;
    let size: u32 = std::env::var("BARE_POOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .connect(&url)
        .await?;
    let key: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let signer = Arc::new(Signer {
        key: Hmac::new_from_slice(&key)?,
        base: format!("http://{addr}"),
    });
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(pool)
        .data(signer)
        .finish();
    let app = Router::new()
        .route("/graphql", axum::routing::post(graphql))
        .route("/readyz", get(|| async { "ok" }))
        .with_state(schema);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
