//! The budget policy per tenant and currency: every way a budget comes to
//! spend is held to it — a draft saved, the dry run, a launch, a resume —
//! and concurrent launches cannot together pass the tenant's total.

use entities::{AuditOutcome, audit_event};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{
        CREATE, LAUNCH, create, creatives, ledger, settled, traffic_input, verified_sandbox,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

both_backends!(
    every_budget_entry_point_refuses_above_the_policy_with_the_limit_named,
    a_zero_decimal_currency_is_limited_in_its_own_units,
    concurrent_launches_cannot_together_pass_the_tenant_total,
    only_the_chief_architect_sets_a_policy_and_bad_limits_are_refused
);

const CREDITS: &[(&str, &str)] = &[("LEADFORGE_SIGNUP_CREDITS", "50")];

const SET: &str = "mutation($input: SetBudgetLimitInput!) { setBudgetLimit(input: $input) { \
    tenantId defaultMaxCampaignDailyBudget \
    limits { currency maxCampaignDailyBudget maxCampaignDailyBudgetCents maxTenantDailyBudget \
    maxTenantDailyBudgetCents runningDailyBudgetCents } running { currency dailyBudgetCents } } }";

const POLICY: &str = "{ budgetPolicy { tenantId limits { currency maxCampaignDailyBudget \
    maxTenantDailyBudget runningDailyBudgetCents } running { currency dailyBudgetCents } } }";

const PREVIEW: &str =
    "mutation($id: ID!) { previewLaunch(id: $id) { ok checks { name ok message } } }";
const PAUSE: &str = "mutation($id: ID!) { pauseCampaign(id: $id) { status } }";
const RESUME: &str = "mutation($id: ID!) { resumeCampaign(id: $id) { status } }";

async fn set_limits(
    app: &TestApp,
    chief: &Account,
    tenant: &str,
    currency: &str,
    campaign: Option<i64>,
    total: Option<i64>,
) -> leadforge_e2e::GqlResponse {
    app.graphql_as(
        &chief.token,
        SET,
        json!({ "input": {
            "tenantId": tenant, "currency": currency,
            "maxCampaignDailyBudget": campaign, "maxTenantDailyBudget": total,
        } }),
    )
    .await
}

async fn draft(app: &TestApp, who: &Account, integration: &str, budget: i64) -> String {
    let images = creatives(app, who, 1, budget as u32).await;
    let mut input = traffic_input(integration, &images);
    input["dailyBudgetCents"] = json!(budget);
    create(app, who, input).await
}

/// The dry run's `policy` check: (ok, message).
async fn policy_check(app: &TestApp, who: &Account, id: &str) -> (bool, String) {
    let r = app
        .graphql_as(&who.token, PREVIEW, json!({ "id": id }))
        .await;
    let checks = r.data()["previewLaunch"]["checks"]
        .as_array()
        .unwrap()
        .clone();
    let check = checks
        .iter()
        .find(|c| c["name"] == "policy")
        .unwrap_or_else(|| panic!("a policy check: {}", r.body));
    (
        check["ok"].as_bool().unwrap(),
        check["message"].as_str().unwrap().to_owned(),
    )
}

async fn status(app: &TestApp, who: &Account, id: &str) -> Value {
    app.graphql_as(
        &who.token,
        "query($id: ID!) { campaign(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data()["campaign"]["status"]
        .clone()
}

async fn every_budget_entry_point_refuses_above_the_policy_with_the_limit_named(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    // 30 USD a campaign, 50 USD for the whole tenant.
    let r = set_limits(&app, &chief, &ann.tenant_id, "usd", Some(30), Some(50)).await;
    let limit = &r.data()["setBudgetLimit"]["limits"][0];
    assert_eq!(limit["currency"], "USD");
    assert_eq!(limit["maxCampaignDailyBudgetCents"], 3000);
    assert_eq!(limit["maxTenantDailyBudgetCents"], 5000);

    // Saving a draft: the campaign cap, at its field, in dollars.
    let images = creatives(&app, &ann, 1, 7).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(3001);
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "dailyBudgetCents"
    );
    assert!(
        r.first_message().contains("30.00 USD"),
        "{}",
        r.first_message()
    );

    // Drafts do not spend: two may together exceed the tenant's total.
    let a = draft(&app, &ann, &integration, 3000).await;
    let b = draft(&app, &ann, &integration, 2500).await;
    assert!(policy_check(&app, &ann, &a).await.0);
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": a }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &a).await["status"], "ACTIVE");
    let (balance, _) = ledger(&app, &ann).await;

    // The dry run and the launch of B: 30 + 25 > 50.
    let (ok, message) = policy_check(&app, &ann, &b).await;
    assert!(!ok, "{message}");
    assert!(
        message.contains("50.00 USD") && message.contains("55.00 USD"),
        "{message}"
    );
    let r = app.graphql_as(&ann.token, LAUNCH, json!({ "id": b })).await;
    assert_eq!(r.error_codes(), ["BUDGET_POLICY_EXCEEDED"], "{}", r.body);
    let ext = &r.body["errors"][0]["extensions"];
    assert_eq!(ext["limit"], 5000);
    assert_eq!(ext["currency"], "USD");
    assert_eq!(
        status(&app, &ann, &b).await,
        "DRAFT",
        "the claim rolled back"
    );
    assert_eq!(ledger(&app, &ann).await.0, balance, "no credits reserved");

    // Paused, A stops counting; B launches; then A cannot resume.
    let r = app.graphql_as(&ann.token, PAUSE, json!({ "id": a })).await;
    assert_eq!(r.data()["pauseCampaign"]["status"], "PAUSED");
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": b }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &b).await["status"], "ACTIVE");
    let r = app.graphql_as(&ann.token, RESUME, json!({ "id": a })).await;
    assert_eq!(r.error_codes(), ["BUDGET_POLICY_EXCEEDED"], "{}", r.body);
    assert!(
        r.first_message().contains("25.00 USD"),
        "{}",
        r.first_message()
    );
    assert_eq!(
        status(&app, &ann, &a).await,
        "PAUSED",
        "the resume's claim was given back"
    );

    // The member reads the policy and what runs under it.
    let r = app.graphql_as(&ann.token, POLICY, json!({})).await;
    let policy = &r.data()["budgetPolicy"];
    assert_eq!(policy["tenantId"], ann.tenant_id.as_str());
    assert_eq!(policy["limits"][0]["maxTenantDailyBudget"], 50);
    assert_eq!(policy["limits"][0]["runningDailyBudgetCents"], 2500);
    assert_eq!(
        policy["running"],
        json!([{ "currency": "USD", "dailyBudgetCents": 2500 }])
    );

    // With the total raised, A resumes; a lowered campaign cap binds the
    // next save of a draft.
    set_limits(&app, &chief, &ann.tenant_id, "USD", Some(30), Some(60))
        .await
        .data();
    let r = app.graphql_as(&ann.token, RESUME, json!({ "id": a })).await;
    assert_eq!(r.data()["resumeCampaign"]["status"], "ACTIVE", "{}", r.body);
    set_limits(&app, &chief, &ann.tenant_id, "USD", Some(20), None)
        .await
        .data();
    let c = draft(&app, &ann, &integration, 2000).await;
    let mut input = traffic_input(&integration, &creatives(&app, &ann, 1, 9).await);
    input["dailyBudgetCents"] = json!(2001);
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }",
            json!({ "id": c, "input": input }),
        )
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert!(
        r.first_message().contains("20.00 USD"),
        "{}",
        r.first_message()
    );

    // Every refusal at launch or resume is in the audit trail with its numbers.
    let refused = audit_event::Entity::find()
        .filter(audit_event::Column::Outcome.eq(AuditOutcome::Failure))
        .all(&app.db.connect().await)
        .await
        .unwrap();
    let mut actions: Vec<(String, Value)> = refused
        .into_iter()
        .filter_map(|e| {
            let detail = e.detail?;
            (detail["refusedBy"] == "budget_policy")
                .then(|| (e.action, detail["limitMinor"].clone()))
        })
        .collect();
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        actions,
        [
            ("campaign.launch".to_owned(), json!(5000)),
            ("campaign.resume".to_owned(), json!(5000)),
        ]
    );
}

async fn a_zero_decimal_currency_is_limited_in_its_own_units(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    // Sandbox accounts ending in 392 count in yen.
    let yen = verified_sandbox(&app, &ann, "7392").await;
    let dollars = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 3).await;
    let attempt = |integration: &str, budget: i64| {
        let mut input = traffic_input(integration, &images);
        input["dailyBudgetCents"] = json!(budget);
        json!({ "input": input })
    };

    // No policy: the server's default of 10000 major units, in each currency.
    let r = app
        .graphql_as(&ann.token, CREATE, attempt(&yen, 10_001))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert!(
        r.first_message().contains("10000 JPY") && r.first_message().contains("server"),
        "{}",
        r.first_message()
    );
    app.graphql_as(&ann.token, CREATE, attempt(&dollars, 1_000_000))
        .await
        .data();

    // 5000 yen means 5000 yen, not 50.
    let r = set_limits(&app, &chief, &ann.tenant_id, "JPY", Some(5000), None).await;
    assert_eq!(
        r.data()["setBudgetLimit"]["limits"][0]["maxCampaignDailyBudgetCents"],
        5000
    );
    app.graphql_as(&ann.token, CREATE, attempt(&yen, 5000))
        .await
        .data();
    let r = app
        .graphql_as(&ann.token, CREATE, attempt(&yen, 5001))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert!(
        r.first_message().contains("5000 JPY"),
        "{}",
        r.first_message()
    );
    // The yen policy does not bind dollars.
    app.graphql_as(&ann.token, CREATE, attempt(&dollars, 600_000))
        .await
        .data();
}

async fn concurrent_launches_cannot_together_pass_the_tenant_total(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    set_limits(&app, &chief, &ann.tenant_id, "USD", None, Some(50))
        .await
        .data();
    let mut drafts = Vec::new();
    for _ in 0..5 {
        drafts.push(draft(&app, &ann, &integration, 2000).await);
    }
    let launches = drafts
        .iter()
        .map(|id| app.graphql_as(&ann.token, LAUNCH, json!({ "id": id })));
    let answers = futures_util::future::join_all(launches).await;
    let accepted = answers
        .iter()
        .filter(|r| r.error_codes().is_empty())
        .count();
    for r in &answers {
        let codes = r.error_codes();
        assert!(
            codes.is_empty() || codes == ["BUDGET_POLICY_EXCEEDED"],
            "{}",
            r.body
        );
    }
    // Two of 20 USD fit under 50; a third would make 60.
    assert_eq!(accepted, 2, "accepted launches");
    let r = app.graphql_as(&ann.token, POLICY, json!({})).await;
    assert_eq!(
        r.data()["budgetPolicy"]["running"],
        json!([{ "currency": "USD", "dailyBudgetCents": 4000 }])
    );
}

async fn only_the_chief_architect_sets_a_policy_and_bad_limits_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;

    let r = set_limits(&app, &ann, &ann.tenant_id, "USD", Some(1), None).await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    // Another tenant's policy is not there for a member.
    let r = app
        .graphql_as(
            &ann.token,
            "query($t: ID) { budgetPolicy(tenantId: $t) { tenantId } }",
            json!({ "t": bob.tenant_id }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);

    for (currency, campaign, total, field) in [
        ("US", Some(10), None, "currency"),
        ("USD", Some(0), None, "maxCampaignDailyBudget"),
        ("USD", Some(-5), None, "maxCampaignDailyBudget"),
        ("USD", None, Some(1_000_000_000_001), "maxTenantDailyBudget"),
        ("USD", Some(100), Some(50), "maxCampaignDailyBudget"),
    ] {
        let r = set_limits(&app, &chief, &ann.tenant_id, currency, campaign, total).await;
        assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], field,
            "{}",
            r.body
        );
    }
    let r = set_limits(
        &app,
        &chief,
        "00000000-0000-0000-0000-000000000000",
        "USD",
        Some(10),
        None,
    )
    .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);

    // Both limits empty removes the currency from the policy.
    set_limits(&app, &chief, &ann.tenant_id, "EUR", Some(10), None)
        .await
        .data();
    let r = set_limits(&app, &chief, &ann.tenant_id, "EUR", None, None).await;
    assert_eq!(r.data()["setBudgetLimit"]["limits"], json!([]));
}
