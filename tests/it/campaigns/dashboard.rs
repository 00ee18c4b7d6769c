//! The dashboard query costs the same SQL statements for a page of 1, 10
//! or 100 campaigns: the page, its count, and one batched statement per
//! nested field (`snapshots(last: 24)` included, through a window
//! function). With batching switched off (a test-only setting) the count
//! grows with the page, which shows the first test would catch an N+1.

use entities::{CampaignId, CampaignStatus, CreativeId};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{creatives, verified_sandbox},
    fixtures::{insert_campaign, insert_snapshots, link_creatives},
};
use serde_json::json;

both_backends!(
    the_dashboard_costs_the_same_statements_for_1_10_and_100_campaigns,
    without_batching_the_dashboard_costs_more_statements_per_campaign
);

/// The campaigns page of the dashboard.
const DASHBOARD: &str = "query($n: Int) { campaigns(first: $n) { totalCount \
    pageInfo { hasNextPage endCursor } edges { cursor node { id campaignName status \
    creatives { id url thumbnailUrl } integration { id accountName } owner { id email } \
    performance { currency impressions spendCents ctr } remoteAds { creativeId remoteAdId } \
    snapshots(last: 24) { capturedAt impressions clicks spendCents leads } leadsReceived } } } }";

const PAGE_SIZES: [usize; 3] = [1, 10, 100];

/// A member with 100 campaigns of 2 creatives and 30 snapshots each, and
/// a second tenant's campaign that must stay out of every batch.
async fn seeded(app: &TestApp) -> Account {
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let db = app.db.connect().await;
    for (who, account, seed, count) in [(&ann, "1001", 1, 100), (&bob, "2002", 7, 1)] {
        let integration = verified_sandbox(app, who, account).await;
        let images: Vec<CreativeId> = creatives(app, who, 2, seed)
            .await
            .iter()
            .map(|id| id.parse().unwrap())
            .collect();
        let mut campaigns: Vec<CampaignId> = Vec::new();
        for i in 0..count {
            let name = format!("Campaign {i}");
            let id = insert_campaign(
                &db,
                who,
                integration.parse().unwrap(),
                &name,
                CampaignStatus::Active,
            )
            .await;
            campaigns.push(id);
        }
        link_creatives(&db, who, &campaigns, &images).await;
        insert_snapshots(&db, who, &campaigns, 30).await;
        // Two leads on the first campaign, one on the second.
        for (n, campaign) in [campaigns[0], campaigns[0], campaigns[count.min(2) - 1]]
            .into_iter()
            .enumerate()
        {
            let owner = leadforge::services::leads::store::LeadOwner {
                tenant: who.tenant_id.parse().unwrap(),
                user: who.user_id.parse().unwrap(),
                campaign,
                integration: integration.parse().unwrap(),
            };
            let lead = leadforge::services::leads::store::IncomingLead {
                provider: entities::Provider::Sandbox,
                platform_lead_id: format!("66{seed}000{n}"),
                page_id: None,
                form_id: None,
                ad_id: None,
                platform_created_at: None,
                source: entities::LeadSource::Webhook,
                answers: Vec::new(),
            };
            app.services
                .leads
                .receive(Some(owner), lead)
                .await
                .unwrap()
                .unwrap();
        }
    }
    ann
}

/// The statements each page size costs, checking each answer's shape.
async fn costs(app: &TestApp, who: &Account) -> Vec<u64> {
    let mut costs = Vec::new();
    for n in PAGE_SIZES {
        let before = app.statements().await;
        let r = app
            .graphql_as(&who.token, DASHBOARD, json!({ "n": n }))
            .await;
        let spent = app.statements().await - before;
        let page = &r.data()["campaigns"];
        assert_eq!(page["totalCount"], 100, "{}", r.body);
        let edges = page["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        if n == 100 {
            let received: Vec<i64> = edges
                .iter()
                .map(|e| e["node"]["leadsReceived"].as_i64().unwrap())
                .filter(|n| *n > 0)
                .collect();
            let mut received = received;
            received.sort_unstable();
            assert_eq!(received, [1, 2], "Bob's lead stays out");
        }
        for edge in edges {
            let node = &edge["node"];
            assert_eq!(node["creatives"].as_array().unwrap().len(), 2);
            assert_eq!(node["remoteAds"].as_array().unwrap().len(), 2);
            assert_eq!(node["owner"]["email"], "ann@a.test");
            let snapshots = node["snapshots"].as_array().unwrap();
            assert_eq!(snapshots.len(), 24);
            // Oldest first, ending with the newest.
            assert!(snapshots[0]["capturedAt"].as_str() < snapshots[23]["capturedAt"].as_str());
            assert_eq!(snapshots[23]["impressions"], 29_000);
        }
        costs.push(spent);
    }
    costs
}

async fn the_dashboard_costs_the_same_statements_for_1_10_and_100_campaigns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = seeded(&app).await;
    let costs = costs(&app, &ann).await;
    eprintln!("{backend:?} dashboard statements for {PAGE_SIZES:?} campaigns: {costs:?}");
    assert!(
        costs.iter().all(|c| *c == costs[0]),
        "statements for {PAGE_SIZES:?} campaigns: {costs:?}"
    );
    // The token's user, the page, its count, then one statement each for
    // creatives (with their links), integrations, owners, snapshots and
    // lead counts.
    assert_eq!(costs[0], 8, "{costs:?}");
}

async fn without_batching_the_dashboard_costs_more_statements_per_campaign(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_TEST_UNBATCHED_LOADERS", "true")]).await;
    let ann = seeded(&app).await;
    let costs = costs(&app, &ann).await;
    eprintln!("{backend:?} unbatched dashboard statements for {PAGE_SIZES:?} campaigns: {costs:?}");
    assert!(
        costs[0] < costs[1] && costs[1] < costs[2],
        "unbatched loaders should cost more with every campaign: {costs:?}"
    );
}
