//! `campaigns` and `campaign`: each caller's own rows (everyone's for the
//! chief architect), status filter, and a constant statement cost per page.

use leadforge_e2e::{
    Backend, TestApp, both_backends,
    campaigns::{create, creatives, traffic_input, verified_sandbox},
};
use serde_json::json;

both_backends!(
    lists_show_each_caller_their_own_and_filter_by_status,
    a_campaign_page_costs_the_same_statements_at_2_and_20_rows
);

const LIST: &str = "query($s: CampaignStatus, $t: ID) { campaigns(first: 50, status: $s, tenantId: $t) { totalCount edges { node { id owner { id } } } } }";

async fn lists_show_each_caller_their_own_and_filter_by_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let ann_i = verified_sandbox(&app, &ann, "1001").await;
    let bob_i = verified_sandbox(&app, &bob, "2002").await;
    let ann_c = creatives(&app, &ann, 1, 1).await;
    let bob_c = creatives(&app, &bob, 1, 2).await;
    let first = create(&app, &ann, traffic_input(&ann_i, &ann_c)).await;
    let second = create(&app, &ann, traffic_input(&ann_i, &ann_c)).await;
    create(&app, &bob, traffic_input(&bob_i, &bob_c)).await;

    let ids = |r: &leadforge_e2e::GqlResponse| -> Vec<String> {
        r.data()["campaigns"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.graphql_as(&ann.token, LIST, json!({})).await;
    assert_eq!(
        ids(&r),
        [second.clone(), first.clone()],
        "newest first, only Ann's"
    );
    let r = app
        .graphql_as(&ann.token, LIST, json!({ "s": "ACTIVE" }))
        .await;
    assert!(ids(&r).is_empty());
    let r = app
        .graphql_as(&ann.token, LIST, json!({ "s": "DRAFT" }))
        .await;
    assert_eq!(ids(&r).len(), 2);
    let r = app.graphql_as(&chief.token, LIST, json!({})).await;
    assert_eq!(r.data()["campaigns"]["totalCount"], 3);
    let r = app
        .graphql_as(&chief.token, LIST, json!({ "t": ann.tenant_id }))
        .await;
    assert_eq!(ids(&r).len(), 2);
    let r = app
        .graphql_as(
            &bob.token,
            "query($id: ID!) { campaign(id: $id) { id } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
}

/// SQL statements the server has run, from its own metrics.
async fn statements(app: &TestApp) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| l.starts_with("leadforge_db_statements_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

const PAGE: &str = "{ campaigns(first: 50) { totalCount edges { node { id campaignName \
    creatives { id } remoteAds { creativeId } integration { id accountName } owner { id email tenant { id } } \
    performance { currency } snapshots { capturedAt } } } } }";

async fn a_campaign_page_costs_the_same_statements_at_2_and_20_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 2, 1).await;
    let mut costs = Vec::new();
    let mut made = 0;
    for size in [2, 20] {
        while made < size {
            create(&app, &ann, traffic_input(&integration, &images)).await;
            made += 1;
        }
        let before = statements(&app).await;
        let r = app.graphql_as(&ann.token, PAGE, json!({})).await;
        assert_eq!(
            r.data()["campaigns"]["edges"].as_array().unwrap().len(),
            size
        );
        costs.push(statements(&app).await - before);
    }
    assert_eq!(costs[0], costs[1], "statements for 2 vs 20 rows: {costs:?}");
}
