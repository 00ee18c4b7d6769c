//! `leadReceived` over a real WebSocket (issue 18, point 4): a stored lead
//! reaches its owner's dashboard without polling, scoped as campaigns are;
//! `since` replays what a reconnecting dashboard missed.

use std::str::FromStr;

use entities::{CampaignId, CampaignStatus, IntegrationId, LeadSource, Provider};
use leadforge::services::leads::{
    Answer,
    store::{IncomingLead, LeadOwner},
};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::verified_sandbox,
    fixtures::insert_campaign,
    ws::{Protocol, WsClient},
};
use serde_json::{Value, json};

both_backends!(new_leads_reach_subscribers_in_scope_only);

const WATCH: &str = "subscription($c: ID, $s: DateTime) { leadReceived(campaignId: $c, since: $s) { id campaignId platformLeadId answers { name values } } }";

async fn socket_of(app: &TestApp, who: &Account) -> WsClient {
    let url = format!("ws://{}/graphql/ws", app.addr);
    let auth = json!({ "authorization": format!("Bearer {}", who.token) });
    WsClient::connect(&url, Protocol::TransportWs, auth)
        .await
        .unwrap()
}

async fn campaign_of(app: &TestApp, who: &Account, account: &str) -> LeadOwner {
    let integration = verified_sandbox(app, who, account).await;
    let integration = IntegrationId::from_str(&integration).unwrap();
    let db = app.db.connect().await;
    let campaign: CampaignId =
        insert_campaign(&db, who, integration, "Live leads", CampaignStatus::Active).await;
    LeadOwner {
        tenant: who.tenant_id.parse().unwrap(),
        user: who.user_id.parse().unwrap(),
        campaign,
        integration,
    }
}

async fn store(app: &TestApp, owner: LeadOwner, platform_id: &str) -> String {
    let lead = IncomingLead {
        provider: Provider::Sandbox,
        platform_lead_id: platform_id.to_owned(),
        page_id: None,
        form_id: None,
        ad_id: None,
        platform_created_at: None,
        source: LeadSource::Webhook,
        answers: vec![Answer {
            name: "full_name".into(),
            values: vec!["Live Lead".into()],
        }],
    };
    app.services
        .leads
        .receive(Some(owner), lead)
        .await
        .unwrap()
        .unwrap()
        .to_string()
}

/// The next `leadReceived` payload of subscription `sub`.
async fn next_lead(socket: &mut WsClient, sub: &str) -> Value {
    loop {
        let message = socket.receive().await.unwrap();
        if message["id"] != sub {
            continue;
        }
        assert_eq!(message["type"], "next", "{message}");
        return message["payload"]["data"]["leadReceived"].clone();
    }
}

/// The next `leadReceived` payload of each of `subs` (one socket carries
/// them all, in whatever order the server sends them).
async fn next_of_each(socket: &mut WsClient, subs: &[&str]) -> Vec<Value> {
    let mut got: Vec<Option<Value>> = vec![None; subs.len()];
    while got.iter().any(Option::is_none) {
        let message = socket.receive().await.unwrap();
        let Some(i) = subs.iter().position(|s| message["id"] == *s) else {
            continue;
        };
        assert_eq!(message["type"], "next", "{message}");
        assert!(got[i].is_none(), "a second lead on {}: {message}", subs[i]);
        got[i] = Some(message["payload"]["data"]["leadReceived"].clone());
    }
    got.into_iter().flatten().collect()
}

async fn new_leads_reach_subscribers_in_scope_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@live.test", "Ann Live").await;
    let bob = app.sign_up("bob@live.test", "Bob Live").await;
    let anns = campaign_of(&app, &ann, "1001").await;
    let bobs = campaign_of(&app, &bob, "2002").await;

    // `since` a moment ago: a lead stored while the server is still
    // setting a subscription up is replayed, not missed (the socket's
    // messages are handled asynchronously).
    let t0 = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let mut ann_socket = socket_of(&app, &ann).await;
    let all = ann_socket.start(WATCH, json!({ "s": t0 })).await.unwrap();
    let one = ann_socket
        .start(WATCH, json!({ "c": anns.campaign.to_string(), "s": t0 }))
        .await
        .unwrap();
    let mut bob_socket = socket_of(&app, &bob).await;
    let bobs_all = bob_socket.start(WATCH, json!({ "s": t0 })).await.unwrap();
    // Another tenant's campaign is NOT_FOUND.
    let refused = bob_socket
        .first(WATCH, json!({ "c": anns.campaign.to_string() }))
        .await
        .unwrap();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    let first = store(&app, anns, "960000000000001").await;
    for lead in next_of_each(&mut ann_socket, &[&all, &one]).await {
        assert_eq!(lead["id"], first.as_str());
        assert_eq!(lead["campaignId"], anns.campaign.to_string());
        assert_eq!(lead["answers"][0]["values"][0], "Live Lead");
    }
    // Both subscriptions run now: the next lead comes live, once each.
    let live = store(&app, anns, "960000000000004").await;
    for lead in next_of_each(&mut ann_socket, &[&all, &one]).await {
        assert_eq!(lead["id"], live.as_str());
    }
    // Bob's first lead is his own: Ann's never reached him.
    let his = store(&app, bobs, "960000000000002").await;
    let lead = next_lead(&mut bob_socket, &bobs_all).await;
    assert_eq!(lead["id"], his.as_str());

    // A reconnecting dashboard asks for what it missed since a time.
    let second = store(&app, anns, "960000000000003").await;
    let mut again = socket_of(&app, &ann).await;
    let caught = again
        .start(WATCH, json!({ "s": "2000-01-01T00:00:00Z" }))
        .await
        .unwrap();
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(next_lead(&mut again, &caught).await["id"].clone());
    }
    assert_eq!(replayed, [json!(first), json!(live), json!(second)]);
}
