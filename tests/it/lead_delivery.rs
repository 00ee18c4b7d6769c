//! Delivery of leads to the business (issue 18, point 5): a signed webhook
//! the tests run themselves, retried with back-off until it answers, each
//! lead delivered exactly once per destination; an e-mail through a local
//! SMTP server; a destination that keeps failing is paused and its leads
//! held until it is enabled; private addresses refused unless allowed, at
//! creation and again at send time; a server killed during a delivery
//! neither loses nor doubles it.

use std::{collections::HashMap, str::FromStr, time::Duration};

use adapters::stand_in::{MetaFixture, MetaStandIn};
use entities::{
    CampaignId, CampaignStatus, IntegrationId, LeadDeliveryStatus, LeadSource, Provider, TenantId,
    UserId, lead_delivery,
};
use leadforge::services::{
    Services,
    leads::{
        Answer,
        store::{IncomingLead, LeadOwner},
    },
};
use leadforge_e2e::{
    Account, Backend, TestApp, TestDb, both_backends, campaigns::verified_sandbox,
    fixtures::insert_campaign, receiver::Receiver, smtp::SmtpServer,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::servers::{Server, expire_leases};

both_backends!(
    every_lead_is_delivered_once_after_retries,
    the_owner_gets_an_email_through_smtp,
    a_destination_failing_in_a_row_is_paused_and_its_leads_held,
    private_addresses_are_refused_unless_allowed,
    a_server_killed_during_a_delivery_neither_loses_nor_doubles_it,
);

const EMAIL: &str = "dana.lead@example.com";
const NAME: &str = "Dana Plaintext";

const CREATE: &str = "mutation($input: CreateLeadDestinationInput!) { createLeadDestination(input: $input) { secret destination { id kind status url } } }";
const DELIVERIES: &str = "query($d: ID, $l: ID) { leadDeliveries(destinationId: $d, leadId: $l) { id leadId status deliveredAt lastError attempts { number ok statusCode error } } }";

/// A member with a campaign to receive leads on: (account, owner).
async fn member_with_campaign(app: &TestApp, email: &str) -> (Account, LeadOwner) {
    let who = app.sign_up(email, &format!("{email} Co")).await;
    let integration = verified_sandbox(app, &who, "1001").await;
    let integration = IntegrationId::from_str(&integration).unwrap();
    let db = app.db.connect().await;
    let campaign =
        insert_campaign(&db, &who, integration, "Open day", CampaignStatus::Active).await;
    let owner = owner_of(&who, campaign, integration);
    (who, owner)
}

fn owner_of(who: &Account, campaign: CampaignId, integration: IntegrationId) -> LeadOwner {
    LeadOwner {
        tenant: TenantId::from_str(&who.tenant_id).unwrap(),
        user: UserId::from_str(&who.user_id).unwrap(),
        campaign,
        integration,
    }
}

fn incoming(platform_id: &str) -> IncomingLead {
    IncomingLead {
        provider: Provider::Sandbox,
        platform_lead_id: platform_id.to_owned(),
        page_id: None,
        form_id: Some("6001".into()),
        ad_id: Some("7001".into()),
        platform_created_at: Some(chrono::Utc::now()),
        source: LeadSource::Webhook,
        answers: vec![
            Answer {
                name: "full_name".into(),
                values: vec![NAME.into()],
            },
            Answer {
                name: "email".into(),
                values: vec![EMAIL.into()],
            },
        ],
    }
}

/// A webhook destination of `who` at `receiver`, whose secret the receiver
/// now checks; its id.
async fn webhook_destination(app: &TestApp, who: &Account, receiver: &Receiver) -> String {
    let r = app
        .graphql_as(
            &who.token,
            CREATE,
            json!({ "input": { "kind": "WEBHOOK", "name": "CRM", "url": receiver.url() } }),
        )
        .await;
    let created = &r.data()["createLeadDestination"];
    let secret = created["secret"].as_str().expect("the secret, once");
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    receiver.set_secret(secret);
    assert_eq!(created["destination"]["status"], "ACTIVE");
    created["destination"]["id"].as_str().unwrap().to_owned()
}

/// Every delivery row, straight from the database.
async fn delivery_rows(db: &TestDb) -> Vec<lead_delivery::Model> {
    let conn = db.connect().await;
    lead_delivery::Entity::find().all(&conn).await.unwrap()
}

/// Waits (bounded) until `n` deliveries have `status`.
async fn until_deliveries(
    db: &TestDb,
    n: usize,
    status: LeadDeliveryStatus,
) -> Vec<lead_delivery::Model> {
    let mut last = Vec::new();
    for _ in 0..600 {
        last = delivery_rows(db).await;
        if last.iter().filter(|d| d.status == status).count() >= n {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} deliveries never became {status:?}: {last:?}");
}

async fn every_lead_is_delivered_once_after_retries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start().await;
    receiver.fail_first(2);
    let (ann, owner) = member_with_campaign(&app, "ann@deliver.test").await;
    let destination = webhook_destination(&app, &ann, &receiver).await;

    // A test delivery answers at once, and is no delivery.
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { testLeadDestination(id: $id) { ok statusCode error } }",
            json!({ "id": destination }),
        )
        .await;
    assert_eq!(r.data()["testLeadDestination"]["ok"], true, "{}", r.body);
    assert_eq!(r.data()["testLeadDestination"]["statusCode"], 200);
    let test_seen = receiver.seen();
    assert_eq!(test_seen.len(), 1);
    assert_eq!(test_seen[0].body["event"], "lead.test");

    // Three leads, one of them stored twice (one row, one delivery).
    let mut ids = Vec::new();
    for platform_id in ["910000000000001", "910000000000002", "910000000000003"] {
        let id = app
            .services
            .leads
            .receive(Some(owner), incoming(platform_id))
            .await
            .unwrap();
        ids.push(id.expect("stored"));
    }
    assert!(
        app.services
            .leads
            .receive(Some(owner), incoming("910000000000002"))
            .await
            .unwrap()
            .is_none()
    );

    let rows = until_deliveries(&app.db, 3, LeadDeliveryStatus::Delivered).await;
    assert_eq!(rows.len(), 3, "one delivery per (lead, destination)");
    let accepted = receiver.accepted();
    let lead_accepted: HashMap<_, _> = accepted
        .iter()
        .filter(|(id, _)| !id.starts_with("test_"))
        .collect();
    assert_eq!(lead_accepted.len(), 3, "{accepted:?}");
    for row in &rows {
        assert_eq!(
            lead_accepted.get(&row.id.to_string()).copied(),
            Some(&1),
            "delivery {} accepted exactly once",
            row.id
        );
        assert_eq!(row.attempts, 3, "two 500s, then a 200");
    }
    // What the receiver got: the lead with its answers, signed.
    let body = receiver
        .seen()
        .into_iter()
        .find(|s| s.status == 200 && s.body["event"] == "lead.received")
        .unwrap()
        .body;
    assert!(ids.iter().any(|id| body["lead"]["id"] == id.to_string()));
    assert_eq!(body["lead"]["campaignName"], "Open day");
    assert!(
        body["lead"]["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["values"][0] == EMAIL)
    );

    // The log: each attempt with its status, in plain words.
    let r = app
        .graphql_as(&ann.token, DELIVERIES, json!({ "d": destination }))
        .await;
    let listed = r.data()["leadDeliveries"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 3);
    for d in &listed {
        assert_eq!(d["status"], "DELIVERED");
        let attempts = d["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 3);
        assert_eq!(attempts[0]["statusCode"], 500);
        assert_eq!(attempts[0]["error"], "the destination answered HTTP 500");
        assert_eq!(attempts[2]["ok"], true);
        assert_eq!(attempts[2]["number"], 3);
    }
    let r = app
        .graphql_as(&ann.token, DELIVERIES, json!({ "l": ids[0].to_string() }))
        .await;
    assert_eq!(r.data()["leadDeliveries"].as_array().unwrap().len(), 1);

    // A resend is a new attempt on the same delivery, with the same id.
    let first = listed[0]["id"].as_str().unwrap().to_owned();
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { resendLeadDelivery(id: $id) { id status } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(
        r.data()["resendLeadDelivery"]["id"],
        first.as_str(),
        "{}",
        r.body
    );
    for _ in 0..200 {
        if receiver.accepted().get(&first) == Some(&2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(receiver.accepted().get(&first), Some(&2), "resent once");
    let rows = until_deliveries(&app.db, 3, LeadDeliveryStatus::Delivered).await;
    let resent = rows.iter().find(|d| d.id.to_string() == first).unwrap();
    assert_eq!(resent.attempts, 4);

    // Another tenant sees none of it.
    let eve = app.sign_up("eve@else.test", "Else").await;
    let r = app
        .graphql_as(&eve.token, DELIVERIES, json!({ "d": destination }))
        .await;
    assert_eq!(r.data()["leadDeliveries"], json!([]));
    let r = app
        .graphql_as(&eve.token, "{ leadDestinations { id } }", json!({}))
        .await;
    assert_eq!(r.data()["leadDestinations"], json!([]));
    for (query, vars) in [
        (
            "mutation($id: ID!) { resendLeadDelivery(id: $id) { id } }",
            json!({ "id": first }),
        ),
        (
            "mutation($id: ID!) { deleteLeadDestination(id: $id) }",
            json!({ "id": destination }),
        ),
        (
            "mutation($id: ID!) { testLeadDestination(id: $id) { ok } }",
            json!({ "id": destination }),
        ),
        (
            "mutation($id: ID!) { updateLeadDestination(id: $id, input: { enabled: false }) { id } }",
            json!({ "id": destination }),
        ),
    ] {
        let r = app.graphql_as(&eve.token, query, vars).await;
        assert_eq!(r.error_codes(), ["NOT_FOUND"], "{query}");
    }
    // The owner's list shows it, without any secret.
    let r = app
        .graphql_as(
            &ann.token,
            "{ leadDestinations { id kind status failuresInARow } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["leadDestinations"][0]["id"], destination.as_str());
    assert_eq!(r.data()["leadDestinations"][0]["failuresInARow"], 0);

    // No personal data in the logs or the audit trail.
    let logs = leadforge_e2e::logs::captured();
    let conn = app.db.connect().await;
    let audit = format!(
        "{:?}",
        entities::audit_event::Entity::find()
            .all(&conn)
            .await
            .unwrap()
    );
    for needle in [EMAIL, NAME] {
        assert!(!logs.contains(needle), "{needle} in the logs");
        assert!(!audit.contains(needle), "{needle} in the audit trail");
    }
}

async fn the_owner_gets_an_email_through_smtp(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let port = smtp.addr.port().to_string();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", &port),
            ("SMTP_TLS", "none"),
            ("SMTP_FROM", "Leadforge <leads@leadforge.test>"),
        ],
    )
    .await;
    let (bea, owner) = member_with_campaign(&app, "bea@mail.test").await;
    let r = app
        .graphql_as(
            &bea.token,
            CREATE,
            json!({ "input": { "kind": "EMAIL", "name": "My inbox" } }),
        )
        .await;
    let created = &r.data()["createLeadDestination"];
    assert_eq!(created["secret"], Value::Null, "e-mail has no secret");
    assert_eq!(created["destination"]["kind"], "EMAIL");

    app.services
        .leads
        .receive(Some(owner), incoming("920000000000001"))
        .await
        .unwrap();
    let rows = until_deliveries(&app.db, 1, LeadDeliveryStatus::Delivered).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "one e-mail");
    let mail = &mails[0];
    assert_eq!(mail.from, "leads@leadforge.test");
    assert_eq!(mail.to, vec!["bea@mail.test".to_owned()]);
    assert!(
        mail.data.contains("Subject: New lead from Open day"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains(NAME) && mail.data.contains(EMAIL));
    assert!(
        mail.data
            .contains(&format!("Leadforge-Delivery-Id: {}", rows[0].id)),
        "{}",
        mail.data
    );
}

async fn a_destination_failing_in_a_row_is_paused_and_its_leads_held(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_DELIVERY_PAUSE_AFTER", "3")]).await;
    let receiver = Receiver::start().await;
    receiver.fail_first(1000);
    let (cy, owner) = member_with_campaign(&app, "cy@pause.test").await;
    let destination = webhook_destination(&app, &cy, &receiver).await;
    app.services
        .leads
        .receive(Some(owner), incoming("930000000000001"))
        .await
        .unwrap();
    until_deliveries(&app.db, 1, LeadDeliveryStatus::Held).await;
    let r = app
        .graphql_as(
            &cy.token,
            "{ leadDestinations { id status pausedReason failuresInARow } }",
            json!({}),
        )
        .await;
    let d = &r.data()["leadDestinations"][0];
    assert_eq!(d["status"], "PAUSED");
    assert_eq!(d["failuresInARow"], 3);
    let reason = d["pausedReason"].as_str().unwrap();
    assert!(reason.contains("3 failed attempts in a row"), "{reason}");
    assert_eq!(receiver.seen().len(), 3, "no try after the pause");

    // A lead stored while paused is held too; a resend is refused.
    app.services
        .leads
        .receive(Some(owner), incoming("930000000000002"))
        .await
        .unwrap();
    let rows = until_deliveries(&app.db, 2, LeadDeliveryStatus::Held).await;
    let r = app
        .graphql_as(
            &cy.token,
            "mutation($id: ID!) { resendLeadDelivery(id: $id) { id } }",
            json!({ "id": rows[0].id.to_string() }),
        )
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"]);

    // Fixed and enabled: both go out, once each.
    receiver.fail_first(0);
    let r = app
        .graphql_as(
            &cy.token,
            "mutation($id: ID!) { updateLeadDestination(id: $id, input: { enabled: true }) { status pausedReason failuresInARow } }",
            json!({ "id": destination }),
        )
        .await;
    assert_eq!(r.data()["updateLeadDestination"]["status"], "ACTIVE");
    assert_eq!(
        r.data()["updateLeadDestination"]["pausedReason"],
        Value::Null
    );
    let rows = until_deliveries(&app.db, 2, LeadDeliveryStatus::Delivered).await;
    let accepted = receiver.accepted();
    for row in &rows {
        assert_eq!(accepted.get(&row.id.to_string()), Some(&1));
    }
}

async fn private_addresses_are_refused_unless_allowed(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn(backend).await;
    let (dan, owner) = member_with_campaign(&app, "dan@private.test").await;
    // Allowed (tests and local development): saved.
    let destination = webhook_destination(&app, &dan, &receiver).await;

    let app = app
        .restart_with(&[("LEADFORGE_ALLOW_PRIVATE_DESTINATIONS", "false")])
        .await;
    for url in [
        receiver.url(),
        "https://127.0.0.1/hook".to_owned(),
        "https://localhost/hook".to_owned(),
        "https://10.0.0.8/hook".to_owned(),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::1]/hook".to_owned(),
        "http://hooks.example.com/leads".to_owned(),
    ] {
        let r = app
            .graphql_as(
                &dan.token,
                CREATE,
                json!({ "input": { "kind": "WEBHOOK", "name": "Internal", "url": url } }),
            )
            .await;
        assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{url}");
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], "url",
            "{url}: {}",
            r.body
        );
    }
    // E-mail without SMTP settings is refused, naming the field.
    let r = app
        .graphql_as(
            &dan.token,
            CREATE,
            json!({ "input": { "kind": "EMAIL", "name": "Inbox" } }),
        )
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"]);

    // The destination saved before is checked again at send time.
    app.services
        .leads
        .receive(Some(owner), incoming("940000000000001"))
        .await
        .unwrap();
    let mut logged = Value::Null;
    for _ in 0..400 {
        let r = app
            .graphql_as(&dan.token, DELIVERIES, json!({ "d": destination }))
            .await;
        logged = r.data()["leadDeliveries"][0]["attempts"][0].clone();
        if !logged.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(logged["ok"], false, "{logged}");
    assert_eq!(
        logged["error"],
        "the destination address is not allowed (private network)"
    );
    assert!(receiver.seen().is_empty(), "nothing reached the receiver");
}

/// A server in a child process is killed while the receiver holds its
/// first delivery; started again on the same database, every lead reaches
/// the receiver exactly once.
async fn a_server_killed_during_a_delivery_neither_loses_nor_doubles_it(backend: Backend) {
    let meta = MetaStandIn::start().await.unwrap();
    let _f = MetaFixture::seed(&meta);
    let receiver = Receiver::start().await;
    receiver.hold_first(Duration::from_secs(60));
    let db = TestDb::migrated(backend).await;
    let settings = [
        ("LEADFORGE_ALLOW_PRIVATE_DESTINATIONS", "true"),
        ("LEADFORGE_DELIVERY_BACKOFF_MS", "100"),
    ];
    let first = Server::start(&db, &meta, &settings).await;
    let token = first.sign_up("kai@kill.test", "Kai Co").await;
    let created = first
        .gql(
            Some(&token),
            CREATE,
            json!({ "input": { "kind": "WEBHOOK", "name": "CRM", "url": receiver.url() } }),
        )
        .await;
    receiver.set_secret(created["createLeadDestination"]["secret"].as_str().unwrap());

    // The leads are stored by this process's services, on the same
    // database and data directory (so the same vault key).
    let services = services_on(&db, &settings).await;
    let conn = db.connect().await;
    let user = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq("kai@kill.test"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let who = Account {
        email: user.email.clone(),
        token: token.clone(),
        user_id: user.id.to_string(),
        tenant_id: user.tenant_id.to_string(),
    };
    let integration = first
        .gql(
            Some(&token),
            "mutation { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: \"1001\") { id } }",
            json!({}),
        )
        .await["saveIntegration"]["id"]
        .as_str()
        .unwrap()
        .parse::<IntegrationId>()
        .unwrap();
    let campaign =
        insert_campaign(&conn, &who, integration, "Open day", CampaignStatus::Active).await;
    let owner = owner_of(&who, campaign, integration);
    for platform_id in ["950000000000001", "950000000000002"] {
        services
            .leads
            .receive(Some(owner), incoming(platform_id))
            .await
            .unwrap()
            .expect("stored");
    }
    // The child polls for jobs another process queued; wait for the held try.
    for _ in 0..600 {
        if receiver.holding() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(receiver.holding(), "no delivery was tried");
    // Let the other delivery finish; the held one is in flight.
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(first); // SIGKILL, a delivery in flight
    // The dead worker's lease would run out in a minute; let it now.
    expire_leases(&db).await;

    let _second = Server::start(&db, &meta, &settings).await;
    let rows = until_deliveries(&db, 2, LeadDeliveryStatus::Delivered).await;
    assert_eq!(rows.len(), 2, "one delivery per lead");
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    for row in &rows {
        assert_eq!(
            accepted.get(&row.id.to_string()),
            Some(&1),
            "delivery {} accepted exactly once",
            row.id
        );
    }
    drop(services);
}

/// The product's services on `db`, in this process (no server, no workers).
async fn services_on(db: &TestDb, settings: &[(&str, &str)]) -> Services {
    let mut env = leadforge_e2e::TestEnv::default();
    let data = db.dir().join("data");
    env.0.insert("DATABASE_URL".into(), db.url.clone());
    env.0.insert(
        "LEADFORGE_DATA_DIR".into(),
        data.to_string_lossy().into_owned(),
    );
    for (k, v) in settings {
        env.0.insert((*k).into(), (*v).into());
    }
    let config = leadforge::Config::load_from(None, &env).unwrap();
    Services::build(db.connect().await, &config).await.unwrap()
}
