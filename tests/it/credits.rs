//! The agent registry and lead credits: `agents`, `setTenantAgent`,
//! `creditBalance`, `creditLedger` and `grantCredits`.

use entities::{agent, audit_event};
use leadforge_e2e::{Backend, TestApp, both_backends};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

both_backends!(
    agents_show_the_registry_as_each_tenant_sees_it,
    credits_are_granted_by_the_chief_architect_and_listed_newest_first
);

const AGENTS: &str = "{ agents { key name description creditCost enabled providers } }";
const SET: &str = "mutation($t: ID!, $k: String!, $e: Boolean!, $p: [Provider!]!) { \
    setTenantAgent(tenantId: $t, agentKey: $k, enabled: $e, providers: $p) { key enabled providers creditCost } }";

async fn agents_show_the_registry_as_each_tenant_sees_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;

    let r = app.graphql_as(&ann.token, AGENTS, json!({})).await;
    let agents = r.data()["agents"].as_array().unwrap().clone();
    assert_eq!(agents.len(), 1, "{agents:?}");
    assert_eq!(agents[0]["key"], "media-buyer");
    assert_eq!(agents[0]["creditCost"], 5);
    assert_eq!(agents[0]["enabled"], true);
    assert_eq!(agents[0]["providers"], json!(["META_ADS", "SANDBOX"]));
    assert!(!agents[0]["description"].as_str().unwrap().is_empty());

    // The cost is the registry row's, not a constant in code.
    let db = app.db.connect().await;
    agent::ActiveModel {
        key: Set("media-buyer".to_owned()),
        credit_cost: Set(7),
        ..Default::default()
    }
    .update(&db)
    .await
    .unwrap();
    let r = app.graphql_as(&ann.token, AGENTS, json!({})).await;
    assert_eq!(r.data()["agents"][0]["creditCost"], 7);

    // Ann's tenant loses the Sandbox; Bob's is untouched.
    let vars =
        json!({ "t": ann.tenant_id, "k": "media-buyer", "e": true, "p": ["META_ADS", "META_ADS"] });
    let r = app.graphql_as(&chief.token, SET, vars).await;
    assert_eq!(
        r.data()["setTenantAgent"],
        json!({ "key": "media-buyer", "enabled": true, "providers": ["META_ADS"], "creditCost": 7 })
    );
    let r = app.graphql_as(&ann.token, AGENTS, json!({})).await;
    assert_eq!(r.data()["agents"][0]["providers"], json!(["META_ADS"]));
    let r = app.graphql_as(&bob.token, AGENTS, json!({})).await;
    assert_eq!(
        r.data()["agents"][0]["providers"],
        json!(["META_ADS", "SANDBOX"])
    );

    let vars = json!({ "t": ann.tenant_id, "k": "media-buyer", "e": false, "p": [] });
    let r = app.graphql_as(&chief.token, SET, vars).await;
    assert_eq!(r.data()["setTenantAgent"]["enabled"], false);
    let r = app.graphql_as(&ann.token, AGENTS, json!({})).await;
    assert_eq!(r.data()["agents"][0]["enabled"], false);
    assert_eq!(r.data()["agents"][0]["providers"], json!([]));

    // Members may not change it; unknown agents and tenants are not found.
    let vars = json!({ "t": ann.tenant_id, "k": "media-buyer", "e": true, "p": ["SANDBOX"] });
    let r = app.graphql_as(&ann.token, SET, vars).await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    let vars = json!({ "t": ann.tenant_id, "k": "copy-chief", "e": true, "p": [] });
    let r = app.graphql_as(&chief.token, SET, vars).await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
    let vars =
        json!({ "t": uuid::Uuid::new_v4().to_string(), "k": "media-buyer", "e": true, "p": [] });
    let r = app.graphql_as(&chief.token, SET, vars).await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);

    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("agent.set_tenant"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
}

const LEDGER: &str = "query($f: Int, $a: String) { creditBalance creditLedger(first: $f, after: $a) { \
    totalCount pageInfo { hasNextPage endCursor } edges { node { id delta kind reason campaignId createdAt } } } }";
const GRANT: &str = "mutation($u: ID!, $n: Int!, $r: String!) { grantCredits(userId: $u, amount: $n, reason: $r) { id delta kind reason } }";

async fn credits_are_granted_by_the_chief_architect_and_listed_newest_first(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;

    let r = app.graphql_as(&ann.token, LEDGER, json!({})).await;
    assert_eq!(r.data()["creditBalance"], 50);
    assert_eq!(r.data()["creditLedger"]["totalCount"], 1);
    assert_eq!(
        r.data()["creditLedger"]["edges"][0]["node"]["kind"],
        "GRANT"
    );
    assert_eq!(r.data()["creditLedger"]["edges"][0]["node"]["delta"], 50);

    let r = app
        .graphql_as(
            &chief.token,
            GRANT,
            json!({ "u": ann.user_id, "n": 7, "r": "  Launch week bonus " }),
        )
        .await;
    let entry = r.data()["grantCredits"].clone();
    assert_eq!(entry["delta"], 7);
    assert_eq!(entry["kind"], "GRANT");
    assert_eq!(entry["reason"], "Launch week bonus");

    let r = app.graphql_as(&ann.token, LEDGER, json!({ "f": 1 })).await;
    let data = r.data();
    assert_eq!(data["creditBalance"], 57);
    assert_eq!(data["creditLedger"]["totalCount"], 2);
    assert_eq!(data["creditLedger"]["pageInfo"]["hasNextPage"], true);
    // Newest first: the bonus, then the sign-up grant on the next page.
    assert_eq!(data["creditLedger"]["edges"][0]["node"]["id"], entry["id"]);
    let after = data["creditLedger"]["pageInfo"]["endCursor"].clone();
    let r = app
        .graphql_as(&ann.token, LEDGER, json!({ "f": 1, "a": after }))
        .await;
    assert_eq!(r.data()["creditLedger"]["edges"][0]["node"]["delta"], 50);
    assert_eq!(r.data()["creditLedger"]["pageInfo"]["hasNextPage"], false);

    // Bob sees only his own; the chief architect sees both.
    let r = app.graphql_as(&bob.token, LEDGER, json!({})).await;
    assert_eq!(r.data()["creditBalance"], 50);
    assert_eq!(r.data()["creditLedger"]["totalCount"], 1);
    let r = app.graphql_as(&chief.token, LEDGER, json!({})).await;
    assert_eq!(r.data()["creditLedger"]["totalCount"], 3);

    // Every problem at once, each naming its field.
    let r = app
        .graphql_as(
            &chief.token,
            GRANT,
            json!({ "u": ann.user_id, "n": 0, "r": " \u{7} " }),
        )
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    let ext = &r.body["errors"][0]["extensions"];
    assert_eq!(ext["field"], "amount");
    let fields: Vec<&str> = ext["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["amount", "reason"]);
    let r = app
        .graphql_as(
            &chief.token,
            GRANT,
            json!({ "u": ann.user_id, "n": -5, "r": "oops" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "amount");

    // Members may not grant, not even to themselves; unknown users are not found.
    let r = app
        .graphql_as(
            &ann.token,
            GRANT,
            json!({ "u": ann.user_id, "n": 5, "r": "free money" }),
        )
        .await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    let r = app
        .graphql_as(
            &chief.token,
            GRANT,
            json!({ "u": uuid::Uuid::new_v4().to_string(), "n": 5, "r": "ghost" }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);

    let r = app.graphql_as(&ann.token, LEDGER, json!({})).await;
    assert_eq!(
        r.data()["creditBalance"],
        57,
        "refused grants moved nothing"
    );
}
