//! The lead inbox and Meta's `leadgen` webhook (issue 18, points 2 and 4):
//! the handshake, signatures checked before anything is parsed, one row per
//! lead however often it is announced, routing to the campaign whose
//! launched ad it names, leads nobody owns kept for the chief architect,
//! personal data sealed, and the owner's follow-up and erasure.

use std::str::FromStr;

use adapters::stand_in::{LeadSeed, MetaFixture, MetaStandIn};
use entities::{LeadStatus, TenantId, UserId};
use leadforge::{
    auth::Principal,
    services::{
        leads::{LeadFilter, LeadUpdate},
        pagination::PageRequest,
    },
};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, settled, traffic_input, verified_meta},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

both_backends!(
    a_signed_lead_lands_on_its_campaign_once_and_sealed,
    a_bad_or_missing_signature_stores_nothing,
    a_lead_of_an_unknown_ad_is_kept_for_the_chief_architect,
    the_owner_updates_and_erases_a_lead,
    reconciliation_finds_the_leads_whose_webhook_was_lost,
);

const SECRET: &str = "stand-in-app-secret";
const VERIFY: &str = "verify-token-for-tests";
const EMAIL: &str = "joe.lead@example.com";
const PHONE: &str = "+1 555 010 9999";
const NAME: &str = "Joe Plaintext Lead";

async fn meta_app(backend: Backend, secret: Option<&str>) -> (MetaStandIn, MetaFixture, TestApp) {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    let mut settings = vec![
        ("LEADFORGE_SIGNUP_CREDITS", "100"),
        ("META_GRAPH_URL", meta.base_url()),
        ("META_WEBHOOK_VERIFY_TOKEN", VERIFY),
    ];
    if let Some(secret) = secret {
        meta.require_app_secret(secret);
        settings.push(("META_APP_SECRET", secret));
    }
    let app = TestApp::spawn_with(backend, &settings).await;
    (meta, fixture, app)
}

fn principal(who: &Account, role: entities::Role) -> Principal {
    Principal {
        user_id: UserId::from_str(&who.user_id).unwrap(),
        tenant_id: TenantId::from_str(&who.tenant_id).unwrap(),
        role,
    }
}

fn member(who: &Account) -> Principal {
    principal(who, entities::Role::Member)
}

fn lead(id: &str, f: &MetaFixture, ad: Option<&str>) -> LeadSeed {
    LeadSeed {
        id: id.to_owned(),
        page_id: f.page_id.clone(),
        form_id: f.form_id.clone(),
        ad_id: ad.map(str::to_owned),
        created_time: "2026-12-07T10:00:00+0000".to_owned(),
        field_data: vec![
            ("full_name".to_owned(), vec![NAME.to_owned()]),
            ("email".to_owned(), vec![EMAIL.to_owned()]),
            ("phone_number".to_owned(), vec![PHONE.to_owned()]),
        ],
    }
}

/// A launched lead-form campaign of `who` on the stand-in: (id, remote ad).
async fn launched(app: &TestApp, who: &Account, f: &MetaFixture) -> (String, String) {
    let integration = verified_meta(app, who, f).await;
    let images = creatives(app, who, 1, 7).await;
    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!("Yoga leads");
    input["objective"] = json!("LEADS");
    input["leadFormId"] = json!(f.form_id);
    input["dailyBudgetCents"] = json!(2500);
    let id = create(app, who, input).await;
    app.graphql_as(&who.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let live = settled(app, who, &id).await;
    assert_eq!(live["status"], "ACTIVE", "{live}");
    let ad = live["metaAdId"].as_str().expect("a remote ad").to_owned();
    (id, ad)
}

/// Every stored lead, straight from the database.
async fn rows(app: &TestApp) -> Vec<entities::lead::Model> {
    let db = app.db.connect().await;
    entities::lead::Entity::find().all(&db).await.unwrap()
}

/// Waits until `n` leads are stored (the fetch runs as a job).
async fn stored(app: &TestApp, n: usize) -> Vec<entities::lead::Model> {
    for _ in 0..400 {
        let found = rows(app).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{n} leads were not stored");
}

/// Waits until no lead fetch is queued or running.
async fn fetches_done(app: &TestApp) {
    let db = app.db.connect().await;
    for _ in 0..400 {
        let open = entities::job::Entity::find()
            .filter(entities::job::Column::Kind.eq("fetch_lead"))
            .filter(
                entities::job::Column::Status
                    .is_in([entities::JobStatus::Queued, entities::JobStatus::Running]),
            )
            .all(&db)
            .await
            .unwrap();
        if open.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("lead fetches did not finish");
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_for_our_token_only() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("META_WEBHOOK_VERIFY_TOKEN", VERIFY)]).await;
    let url = app.url("/webhooks/meta");
    let ok = reqwest::get(format!(
        "{url}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let wrong = reqwest::get(format!(
        "{url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"
    ))
    .await
    .unwrap();
    assert_eq!(wrong.status(), 403);
    let unconfigured = TestApp::spawn(Backend::Sqlite).await;
    let refused = reqwest::get(format!(
        "{}?hub.mode=subscribe&hub.verify_token=&hub.challenge=1",
        unconfigured.url("/webhooks/meta")
    ))
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);
}

async fn a_signed_lead_lands_on_its_campaign_once_and_sealed(backend: Backend) {
    let (meta, f, app) = meta_app(backend, Some(SECRET)).await;
    let ann = app.sign_up("ann@leads.test", "Ann Leads").await;
    let (campaign, ad) = launched(&app, &ann, &f).await;
    meta.add_lead(lead("880000000000001", &f, Some(&ad)));
    let url = app.url("/webhooks/meta");

    // Twice in a row, then three at once: one fetch, one row.
    for _ in 0..2 {
        let r = meta
            .post_leadgen_webhook(&url, SECRET, "880000000000001")
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let concurrent = futures_util::future::join_all(
        (0..3).map(|_| meta.post_leadgen_webhook(&url, SECRET, "880000000000001")),
    )
    .await;
    for r in concurrent {
        assert_eq!(r.unwrap().status(), 200);
    }
    stored(&app, 1).await;
    fetches_done(&app).await;
    let all = rows(&app).await;
    assert_eq!(all.len(), 1, "one row per platform lead");
    let row = &all[0];
    assert_eq!(
        row.campaign_id.map(|c| c.to_string()),
        Some(campaign.clone())
    );
    assert_eq!(
        row.user_id.map(|u| u.to_string()),
        Some(ann.user_id.clone())
    );
    assert_eq!(row.ad_id.as_deref(), Some(ad.as_str()));
    assert!(row.email_hash.is_some() && row.phone_hash.is_some());

    // The lead was read with the Page's token, with the fields Leadforge uses.
    let read = meta
        .calls()
        .into_iter()
        .find(|c| c.method == "GET" && c.path == "/880000000000001")
        .expect("the lead was read");
    assert_eq!(
        read.params.get("fields").map(String::as_str),
        Some("id,created_time,ad_id,form_id,field_data")
    );
    assert!(
        read.params
            .get("access_token")
            .is_some_and(|t| t.starts_with("EAAPage"))
    );

    // No plaintext in the row, the audit trail or the logs.
    for needle in [EMAIL, NAME, "555 010", "5550109999"] {
        let bytes = needle.as_bytes();
        for column in [&row.answers, &row.wrapped_key] {
            assert!(
                !column.windows(bytes.len()).any(|w| w == bytes),
                "{needle} in a column"
            );
        }
        for hash in [&row.email_hash, &row.phone_hash].into_iter().flatten() {
            assert!(!hash.contains(needle));
        }
    }
    let db = app.db.connect().await;
    let audit = entities::audit_event::Entity::find()
        .all(&db)
        .await
        .unwrap();
    let audit_text = format!("{audit:?}");
    let logs = leadforge_e2e::logs::captured();
    for needle in [EMAIL, NAME, PHONE] {
        assert!(!audit_text.contains(needle), "{needle} in the audit trail");
        assert!(!logs.contains(needle), "{needle} in the logs");
    }
    assert!(audit.iter().any(|a| a.action == "lead.receive"));

    // The owner reads it, answers opened; another tenant gets NOT_FOUND.
    let owner = member(&ann);
    let page = app
        .services
        .leads
        .list(&owner, None, LeadFilter::default(), page_request())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let answers = app.services.leads.answers(&page.items[0].1).unwrap();
    assert!(
        answers
            .iter()
            .any(|a| a.name == "email" && a.values == [EMAIL])
    );
    let campaign_id = entities::CampaignId::from_str(&campaign).unwrap();
    assert_eq!(
        app.services
            .leads
            .received_by(&owner, campaign_id)
            .await
            .unwrap(),
        1
    );
    let bob = app.sign_up("bob@other.test", "Other Co").await;
    let err = app
        .services
        .leads
        .get(&member(&bob), row.id, leadforge::authz::Action::Read)
        .await
        .unwrap_err();
    assert!(
        matches!(err, leadforge::error::AppError::NotFound(_)),
        "{err:?}"
    );
    let none = app
        .services
        .leads
        .list(&member(&bob), None, LeadFilter::default(), page_request())
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

fn page_request() -> PageRequest {
    PageRequest {
        first: 20,
        after: None,
        count: false,
    }
}

async fn a_bad_or_missing_signature_stores_nothing(backend: Backend) {
    let (meta, f, app) = meta_app(backend, Some(SECRET)).await;
    meta.add_lead(lead("880000000000002", &f, None));
    let url = app.url("/webhooks/meta");
    let bad = meta
        .post_badly_signed_leadgen_webhook(&url, SECRET, "880000000000002")
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let other_secret = meta
        .post_leadgen_webhook(&url, "not-the-app-secret", "880000000000002")
        .await
        .unwrap();
    assert_eq!(other_secret.status(), 401);
    let body = adapters::stand_in::leadgen_delivery(&lead("880000000000002", &f, None));
    let unsigned = adapters::stand_in::post_delivery(&url, body, None)
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    // Not even parsed: garbage with a bad signature is refused the same way.
    let garbage =
        adapters::stand_in::post_delivery(&url, b"{not json".to_vec(), Some("sha256=00".into()))
            .await
            .unwrap();
    assert_eq!(garbage.status(), 401);

    let db = app.db.connect().await;
    let jobs = entities::job::Entity::find()
        .filter(entities::job::Column::Kind.eq("fetch_lead"))
        .all(&db)
        .await
        .unwrap();
    assert!(jobs.is_empty(), "nothing was queued");
    assert!(rows(&app).await.is_empty());
    assert!(
        !meta.calls().iter().any(|c| c.path == "/880000000000002"),
        "nothing was fetched"
    );

    // Without an app secret nothing is accepted, however it is signed.
    let (meta, f, app) = meta_app(backend, None).await;
    meta.add_lead(lead("880000000000003", &f, None));
    let r = meta
        .post_leadgen_webhook(&app.url("/webhooks/meta"), SECRET, "880000000000003")
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(rows(&app).await.is_empty());
}

async fn a_lead_of_an_unknown_ad_is_kept_for_the_chief_architect(backend: Backend) {
    let (meta, f, app) = meta_app(backend, Some(SECRET)).await;
    let ann = app.sign_up("ann@aside.test", "Ann Aside").await;
    // Ann's integration names the Page, but no campaign launched this ad.
    verified_meta(&app, &ann, &f).await;
    meta.add_lead(lead("880000000000004", &f, Some("120999999999999999")));
    let r = meta
        .post_leadgen_webhook(&app.url("/webhooks/meta"), SECRET, "880000000000004")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let all = stored(&app, 1).await;
    assert_eq!(all[0].tenant_id, entities::PLATFORM_TENANT_ID);
    assert_eq!(all[0].user_id, None);
    assert_eq!(all[0].campaign_id, None);

    let none = app
        .services
        .leads
        .list(&member(&ann), None, LeadFilter::default(), page_request())
        .await
        .unwrap();
    assert!(none.items.is_empty(), "not the member's");
    let chief = app.chief_architect("chief@leads.test").await;
    let chief = principal(&chief, entities::Role::ChiefArchitect);
    let aside = app
        .services
        .leads
        .list(&chief, None, LeadFilter::default(), page_request())
        .await
        .unwrap();
    assert_eq!(aside.items.len(), 1);
    let answers = app.services.leads.answers(&aside.items[0].1).unwrap();
    assert!(
        answers.iter().any(|a| a.name == "full_name"),
        "read with the Page's integration"
    );
}

async fn the_owner_updates_and_erases_a_lead(backend: Backend) {
    let (meta, f, app) = meta_app(backend, Some(SECRET)).await;
    let ann = app.sign_up("ann@work.test", "Ann Works").await;
    let (campaign, ad) = launched(&app, &ann, &f).await;
    meta.add_lead(lead("880000000000005", &f, Some(&ad)));
    meta.post_leadgen_webhook(&app.url("/webhooks/meta"), SECRET, "880000000000005")
        .await
        .unwrap();
    let id = stored(&app, 1).await[0].id;
    let owner = member(&ann);

    // Through GraphQL: the campaign counts it, the inbox shows it with its
    // answers, another tenant is told NOT_FOUND, the owner works it.
    let r = app
        .graphql_as(
            &ann.token,
            "query($c: ID!) { campaign(id: $c) { leadsReceived } leads(campaignId: $c, status: NEW, first: 10) { edges { node { id status source adId answers { name values } } } } }",
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(r.data()["campaign"]["leadsReceived"], 1);
    let node = &r.data()["leads"]["edges"][0]["node"];
    assert_eq!(node["id"], id.to_string());
    assert_eq!(node["source"], "WEBHOOK");
    assert_eq!(node["adId"], ad.as_str());
    assert!(
        node["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["values"][0] == EMAIL)
    );
    let eve = app.sign_up("eve@elsewhere.test", "Elsewhere").await;
    let r = app
        .graphql_as(
            &eve.token,
            "query($id: ID!) { lead(id: $id) { id } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
    let r = app
        .graphql_as(
            &eve.token,
            "mutation($id: ID!) { updateLead(id: $id, input: { status: SPAM }) { id } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { updateLead(id: $id, input: { status: CONTACTED, note: \"left a voicemail\" }) { status note } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(r.data()["updateLead"]["status"], "CONTACTED");
    assert_eq!(r.data()["updateLead"]["note"], "left a voicemail");
    let updated = app
        .services
        .leads
        .update(
            &owner,
            id,
            LeadUpdate {
                status: Some(LeadStatus::Qualified),
                note: Some("Call back on Monday".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.status, LeadStatus::Qualified);
    assert_eq!(updated.note.as_deref(), Some("Call back on Monday"));
    let qualified = app
        .services
        .leads
        .list(
            &owner,
            None,
            LeadFilter {
                status: Some(LeadStatus::Qualified),
                ..LeadFilter::default()
            },
            page_request(),
        )
        .await
        .unwrap();
    assert_eq!(qualified.items.len(), 1);

    let bob = app.sign_up("bob@work.test", "Bob Works").await;
    assert!(
        app.services.leads.delete(&member(&bob), id).await.is_err(),
        "not Bob's"
    );
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { deleteLead(id: $id) }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(r.data()["deleteLead"], true);
    assert!(rows(&app).await.is_empty(), "erased");
    let r = app
        .graphql_as(
            &ann.token,
            "query($c: ID!) { campaign(id: $c) { leadsReceived } }",
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(r.data()["campaign"]["leadsReceived"], 0);
    assert!(
        app.services
            .leads
            .get(&owner, id, leadforge::authz::Action::Read)
            .await
            .is_err()
    );
}

/// Three leads on the launched ad; Meta's webhook reaches Leadforge for one
/// of them only. The reconciliation pass reads the ad's leads and stores
/// the other two (source RECONCILIATION), once; the next pass reads only
/// what was created since its cursor and adds nothing.
async fn reconciliation_finds_the_leads_whose_webhook_was_lost(backend: Backend) {
    let (meta, f, app) = meta_app(backend, Some(SECRET)).await;
    let ann = app.sign_up("ann@reconcile.test", "Ann Reconciles").await;
    let (campaign, ad) = launched(&app, &ann, &f).await;
    for id in ["880000000000011", "880000000000012", "880000000000013"] {
        meta.add_lead(lead(id, &f, Some(&ad)));
    }
    // Another ad's lead is not this campaign's.
    meta.add_lead(lead("880000000000019", &f, Some("120000000000009999")));
    meta.post_leadgen_webhook(&app.url("/webhooks/meta"), SECRET, "880000000000012")
        .await
        .unwrap();
    stored(&app, 1).await;
    fetches_done(&app).await;

    // One lead per page: the pass follows the pages to the end.
    meta.set_default_limit(1);
    let report = app.services.lead_reconciler.pass().await.unwrap();
    assert_eq!(report.added, 2, "{report:?}");
    assert_eq!(report.failed, 0, "{report:?}");
    let all = rows(&app).await;
    assert_eq!(all.len(), 3, "one row per platform lead");
    let mut sources: Vec<(String, entities::LeadSource)> = all
        .iter()
        .map(|r| (r.platform_lead_id.clone(), r.source))
        .collect();
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sources,
        [
            (
                "880000000000011".to_owned(),
                entities::LeadSource::Reconciliation
            ),
            ("880000000000012".to_owned(), entities::LeadSource::Webhook),
            (
                "880000000000013".to_owned(),
                entities::LeadSource::Reconciliation
            ),
        ]
    );
    for row in &all {
        assert_eq!(
            row.campaign_id.map(|c| c.to_string()),
            Some(campaign.clone())
        );
    }
    let listing = meta
        .calls()
        .into_iter()
        .find(|c| c.method == "GET" && c.path == format!("/{ad}/leads"))
        .expect("the ad's leads were listed");
    assert_eq!(
        listing.params.get("fields").map(String::as_str),
        Some("id,created_time,ad_id,form_id,field_data")
    );
    assert!(
        !listing.params.contains_key("filtering"),
        "the first pass reads everything"
    );
    let pages = meta
        .calls()
        .into_iter()
        .filter(|c| c.method == "GET" && c.path == format!("/{ad}/leads"))
        .count();
    assert_eq!(pages, 3, "three pages of one lead");

    // The next pass filters by time_created from its cursor, and adds nothing.
    let again = app.services.lead_reconciler.pass().await.unwrap();
    assert_eq!(again.added, 0, "{again:?}");
    let filtered = meta
        .calls()
        .into_iter()
        .filter(|c| c.method == "GET" && c.path == format!("/{ad}/leads"))
        .nth(3)
        .expect("a second listing");
    let filtering = filtered.params.get("filtering").expect("a time filter");
    assert!(
        filtering.contains("\"field\":\"time_created\"") && filtering.contains("GREATER_THAN"),
        "{filtering}"
    );
    let r = app
        .graphql_as(
            &ann.token,
            "query($c: ID!) { campaign(id: $c) { leadsReceived } leads(campaignId: $c) { edges { node { source } } } }",
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(r.data()["campaign"]["leadsReceived"], 3);

    // Meta's count against what was received.
    let conn = app.db.connect().await;
    let id = entities::CampaignId::from_str(&campaign).unwrap();
    let row = entities::ad_campaign::Entity::find_by_id(id)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let mut performance = row
        .performance
        .clone()
        .unwrap_or(entities::json::Performance {
            currency: "USD".into(),
            impressions: 1000,
            clicks: 40,
            spend_cents: 2500,
            leads: 0,
            ctr: 0.04,
            cost_per_lead_cents: None,
            updated_at: None,
        });
    performance.leads = 4;
    let mut active: entities::ad_campaign::ActiveModel = row.into();
    active.performance = sea_orm::ActiveValue::Set(Some(performance));
    sea_orm::ActiveModelTrait::update(active, &conn)
        .await
        .unwrap();
    let r = app
        .graphql_as(
            &ann.token,
            "query($c: ID!) { campaign(id: $c) { leadGap { counted received missing message } } }",
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(
        r.data()["campaign"]["leadGap"],
        json!({ "counted": 4, "received": 3, "missing": 1, "message": "Meta counted 4, 3 received" })
    );
}
