//! What happens on the platform reaches the dashboard: with the Meta
//! stand-in, new numbers (the stand-in's delivery moved forward), a pause
//! and a resume made in Ads Manager, a rejection and an archive all arrive
//! over the subscription after a sync, without a query.

use adapters::stand_in::{InsightsSeed, MetaFixture, MetaStandIn};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, settled, traffic_input, verified_meta},
    ws::{Protocol, WsClient},
};
use serde_json::{Value, json};

both_backends!(
    numbers_and_statuses_changed_on_meta_reach_the_subscriber,
    an_archived_campaign_completes,
    an_ad_disapproval_and_a_billing_hold_reach_the_dashboard
);

const WATCH: &str = "subscription($id: ID) { campaignUpdated(id: $id) { id status errorMessage \
    performance { impressions clicks spendCents leads currency costPerLeadCents } } }";

const WATCH_ADS: &str = "subscription($id: ID) { campaignUpdated(id: $id) { id status \
    errorMessage deliveryStatus remoteAds { remoteAdId deliveryStatus reviewMessage } } }";

async fn meta_app(backend: Backend) -> (MetaStandIn, MetaFixture, TestApp) {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LEADFORGE_SIGNUP_CREDITS", "20"),
            ("LEADFORGE_INSIGHTS_INTERVAL_SECS", "1"),
            ("META_GRAPH_URL", meta.base_url()),
        ],
    )
    .await;
    (meta, fixture, app)
}

/// A launched (ACTIVE) Meta campaign of `who`: (local id, Meta campaign id).
async fn live_campaign(
    app: &TestApp,
    who: &Account,
    f: &MetaFixture,
    seed: u32,
) -> (String, String) {
    live_campaign_of(app, who, f, seed, 1).await.0
}

/// A launched Meta campaign with `ads` ads: ((local id, Meta campaign id),
/// Meta ad ids).
async fn live_campaign_of(
    app: &TestApp,
    who: &Account,
    f: &MetaFixture,
    seed: u32,
    ads: u32,
) -> ((String, String), Vec<String>) {
    let integration = verified_meta(app, who, f).await;
    let images = creatives(app, who, ads, seed).await;
    let id = create(app, who, traffic_input(&integration, &images)).await;
    app.graphql_as(
        &who.token,
        LAUNCH,
        json!({ "id": id, "k": format!("k-{seed}") }),
    )
    .await;
    let campaign = settled(app, who, &id).await;
    assert_eq!(campaign["status"], "ACTIVE", "{campaign}");
    let remote = campaign["metaCampaignId"].as_str().unwrap().to_owned();
    let ad_ids = campaign["remoteAds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["remoteAdId"].as_str().unwrap().to_owned())
        .collect();
    ((id, remote), ad_ids)
}

async fn watch(app: &TestApp, who: &Account, id: Option<&str>) -> (WsClient, String) {
    let url = format!("ws://{}/graphql/ws", app.addr);
    let auth = json!({ "authorization": format!("Bearer {}", who.token) });
    let mut socket = WsClient::connect(&url, Protocol::TransportWs, auth)
        .await
        .unwrap();
    let sub = socket.start(WATCH, json!({ "id": id })).await.unwrap();
    (socket, sub)
}

fn delivered(impressions: i64, spend: &str, leads: i64) -> InsightsSeed {
    InsightsSeed {
        impressions,
        clicks: impressions / 20,
        inline_link_clicks: impressions / 25,
        spend: spend.to_owned(),
        leads,
        lead_subtypes: vec![("onsite_conversion.lead_grouped".to_owned(), leads)],
        day: None,
    }
}

async fn numbers_and_statuses_changed_on_meta_reach_the_subscriber(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@platform.test", "Platform Co").await;
    let bob = app.sign_up("bob@platform.test", "Other Co").await;
    let (id, remote) = live_campaign(&app, &ann, &f, 11).await;
    let (mut socket, sub) = watch(&app, &ann, Some(&id)).await;
    let (mut bobs, bobs_sub) = watch(&app, &bob, None).await;

    // Delivery on the platform; then more of it, as its clock moves on.
    meta.set_insights(&remote, delivered(1200, "12.34", 3));
    let c = socket
        .campaign_until(&sub, |c| c["performance"]["impressions"] == 1200)
        .await
        .unwrap();
    assert_eq!(c["performance"]["spendCents"], 1234, "{c}");
    assert_eq!(c["performance"]["clicks"], 48, "link clicks: {c}");
    assert_eq!(c["performance"]["leads"], 3, "the lead total alone: {c}");
    assert_eq!(c["performance"]["costPerLeadCents"], 411, "{c}");
    meta.set_insights(&remote, delivered(2500, "25.00", 5));
    let c = socket
        .campaign_until(&sub, |c| c["performance"]["impressions"] == 2500)
        .await
        .unwrap();
    assert_eq!(c["performance"]["spendCents"], 2500, "{c}");
    assert_eq!(c["status"], "ACTIVE");

    // Paused, then resumed, in Ads Manager.
    meta.set_status_outside(&remote, "PAUSED");
    let c = socket
        .campaign_until(&sub, |c| c["status"] != "ACTIVE")
        .await
        .unwrap();
    assert_eq!(c["status"], "PAUSED", "{c}");
    meta.set_status_outside(&remote, "ACTIVE");
    let c = socket
        .campaign_until(&sub, |c| c["status"] != "PAUSED")
        .await
        .unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");

    // The platform stops it, and says why. It is still switched on there
    // (it delivers again once the issue clears), so it stays ACTIVE here —
    // synced and pausable — with the platform's reason.
    meta.set_verdict(
        &remote,
        "WITH_ISSUES",
        Some("Your ad wasn't approved because it doesn't follow our Advertising Standards."),
    )
    .unwrap();
    let c = socket
        .campaign_until(&sub, |c| !c["errorMessage"].is_null())
        .await
        .unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");
    assert!(
        c["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Advertising Standards"),
        "{c}"
    );
    // The issue clears: running again, the reason gone.
    meta.set_verdict(&remote, "ACTIVE", None).unwrap();
    let c = socket
        .campaign_until(&sub, |c| c["errorMessage"].is_null())
        .await
        .unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");

    // The states were read in batched listings filtered on the ids, never
    // campaign by campaign.
    let reads: Vec<_> = meta
        .calls()
        .into_iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/campaigns"))
        .collect();
    assert!(!reads.is_empty());
    assert!(reads.iter().all(|c| {
        c.params
            .get("filtering")
            .is_some_and(|f| f.contains("\"IN\""))
            && c.params
                .get("effective_status")
                .is_some_and(|s| s.contains("ARCHIVED"))
    }));
    assert!(
        !meta
            .call_lines()
            .iter()
            .any(|l| l == &format!("GET /{remote}")),
        "no read per campaign"
    );

    // The other tenant's dashboard heard none of it.
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(300), bobs.receive()).await;
    match quiet {
        Err(_) => {}
        Ok(message) => {
            let message = message.unwrap();
            assert_ne!(message["id"], bobs_sub.as_str(), "bob saw {message}");
        }
    }

    // The change is on the audit trail, with the platform as its source.
    let chief = app.chief_architect("chief@platform.test").await;
    let r = app
        .graphql_as(
            &chief.token,
            "{ auditEvents(first: 100) { edges { node { action target } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = r.data()["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["target"] == format!("campaign:{id}"))
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "campaign.remote_status")
            .count(),
        4,
        "{actions:?}"
    );
}

async fn an_archived_campaign_completes(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("arch@platform.test", "Archive Co").await;
    let (id, remote) = live_campaign(&app, &ann, &f, 21).await;
    let (mut socket, sub) = watch(&app, &ann, None).await;
    meta.set_status_outside(&remote, "ARCHIVED");
    let c = socket
        .campaign_until(&sub, |c| c["id"] == id.as_str() && c["status"] != "ACTIVE")
        .await
        .unwrap();
    assert_eq!(c["status"], "COMPLETED", "{c}");
    assert_eq!(c["errorMessage"], Value::Null);
}

/// Review lives on ads: one of three ads rejected reaches the dashboard as a
/// disapproval of that ad, with Meta's reason, while the campaign (and its
/// other ads) keep running; a billing hold shows as such and clears back to
/// running.
async fn an_ad_disapproval_and_a_billing_hold_reach_the_dashboard(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("review@platform.test", "Review Co").await;
    let ((id, remote), ads) = live_campaign_of(&app, &ann, &f, 31, 3).await;
    assert_eq!(ads.len(), 3);
    let url = format!("ws://{}/graphql/ws", app.addr);
    let auth = json!({ "authorization": format!("Bearer {}", ann.token) });
    let mut socket = WsClient::connect(&url, Protocol::TransportWs, auth)
        .await
        .unwrap();
    let sub = socket.start(WATCH_ADS, json!({ "id": id })).await.unwrap();
    let reason = "Your ad uses text in its image that doesn't follow our Advertising Standards.";
    // Meta never says this of a campaign.
    assert!(
        meta.set_verdict(&remote, "DISAPPROVED", Some(reason))
            .is_err()
    );
    meta.set_verdict(&ads[1], "DISAPPROVED", Some(reason))
        .unwrap();
    let c = socket
        .campaign_until(&sub, |c| {
            // One sync writes both; the wait allows for either order.
            !c["errorMessage"].is_null()
                && c["remoteAds"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|ad| ad["deliveryStatus"] == "DISAPPROVED"))
        })
        .await
        .unwrap();
    let of = |c: &Value, ad: &str| {
        c["remoteAds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["remoteAdId"] == ad)
            .cloned()
            .unwrap()
    };
    assert_eq!(of(&c, &ads[1])["reviewMessage"], reason, "{c}");
    assert_eq!(of(&c, &ads[0])["deliveryStatus"], "RUNNING", "{c}");
    assert_eq!(of(&c, &ads[2])["deliveryStatus"], "RUNNING", "{c}");
    assert_eq!(c["status"], "ACTIVE", "{c}");
    assert_eq!(c["deliveryStatus"], "RUNNING", "not a dead campaign: {c}");
    assert_eq!(
        c["errorMessage"],
        format!("1 of 3 ads disapproved: {reason}"),
        "{c}"
    );

    // The rejection is fixed; then the account's billing fails.
    meta.set_verdict(&ads[1], "ACTIVE", None).unwrap();
    for ad in &ads {
        meta.set_verdict(ad, "PENDING_BILLING_INFO", None).unwrap();
    }
    let c = socket
        .campaign_until(&sub, |c| c["deliveryStatus"] == "BILLING_HOLD")
        .await
        .unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");
    assert!(
        c["errorMessage"]
            .as_str()
            .is_some_and(|m| m.starts_with("3 of 3 ads held for billing")),
        "{c}"
    );
    assert_eq!(of(&c, &ads[0])["deliveryStatus"], "BILLING_HOLD", "{c}");
    // Billing fixed: running again, the reason gone.
    for ad in &ads {
        meta.set_verdict(ad, "ACTIVE", None).unwrap();
    }
    let c = socket
        .campaign_until(&sub, |c| {
            c["deliveryStatus"] == "RUNNING" && c["errorMessage"].is_null()
        })
        .await
        .unwrap();
    assert!(
        c["remoteAds"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["deliveryStatus"] == "RUNNING" && a["reviewMessage"].is_null()),
        "{c}"
    );

    // One listing of ads per account, filtered on the campaigns, each edge
    // asked for its own level's values only.
    let calls = meta.calls();
    let ads_reads: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/ads"))
        .collect();
    assert!(!ads_reads.is_empty());
    assert!(ads_reads.iter().all(|c| {
        c.params
            .get("filtering")
            .is_some_and(|f| f.contains("campaign.id"))
    }));
    assert!(
        calls
            .iter()
            .filter(|c| c.method == "GET" && c.path.ends_with("/campaigns"))
            .all(|c| c
                .params
                .get("effective_status")
                .is_some_and(|s| !s.contains("DISAPPROVED")))
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.method == "GET" && ads.iter().any(|ad| c.path == format!("/{ad}"))),
        "no read per ad"
    );
}
