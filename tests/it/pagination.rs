//! A page of N rows costs a constant number of SQL statements: nested fields
//! go through batched loaders, and the count runs once. Statements are read
//! from the server's own `leadforge_db_statements_total` metric.

use leadforge_e2e::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(a_page_costs_the_same_statements_whatever_its_size);

async fn statements(app: &TestApp) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| l.starts_with("leadforge_db_statements_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn a_page_costs_the_same_statements_whatever_its_size(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUPS_PER_HOUR", "100")]).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    // Thirty sign-ups, each in its own tenant: thirty actors, thirty tenants.
    for i in 0..30 {
        app.sign_up(&format!("member{i}@example.com"), &format!("Tenant {i}"))
            .await;
    }
    let page = "query($n: Int) { auditEvents(first: $n) { totalCount pageInfo { hasNextPage endCursor } \
                edges { cursor node { action actor { id email tenant { id name } } } } } }";

    let mut costs = Vec::new();
    for n in [3, 25] {
        let before = statements(&app).await;
        let r = app.graphql_as(&chief.token, page, json!({ "n": n })).await;
        let after = statements(&app).await;
        let events = &r.data()["auditEvents"];
        assert_eq!(events["edges"].as_array().unwrap().len(), n);
        assert!(events["totalCount"].as_i64().unwrap() >= 30);
        let actors: std::collections::BTreeSet<&str> = events["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["node"]["actor"]["id"].as_str())
            .collect();
        assert!(actors.len() > 1 || n == 3, "the page spans several actors");
        costs.push(after - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 3 rows vs 25 rows: {costs:?}"
    );
    // Token check, rows, count, users, tenants: a handful, not one per row.
    assert!(costs[0] <= 6, "{costs:?}");
}
