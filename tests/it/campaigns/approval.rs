//! Approval mode per tenant: a launch reserves its credits and waits with
//! its plan's digest frozen; the chief architect approves (it launches, one
//! charge) or rejects (one refund); an edit after submission voids the
//! approval; members cannot decide; the budget policy counts waiting
//! launches; with the mode off, launches go on as before.

use entities::{NotificationKind, notification};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, ledger, settled, traffic_input, verified_sandbox},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

both_backends!(
    a_waiting_launch_reserves_creates_nothing_and_launches_once_approved,
    an_edit_voids_the_approval_and_a_rejection_refunds_once,
    a_withdrawn_launch_is_a_draft_again_and_with_the_mode_off_launches_go_on
);

const CREDITS: &[(&str, &str)] = &[("LEADFORGE_SIGNUP_CREDITS", "50")];

const MODE: &str = "mutation($t: ID!, $on: Boolean!) { setApprovalMode(tenantId: $t, required: $on) { tenantId launchApprovalRequired } }";
const APPROVE: &str = "mutation($id: ID!) { approveLaunch(id: $id) { id status } }";
const REJECT: &str =
    "mutation($id: ID!, $r: String!) { rejectLaunch(id: $id, reason: $r) { status errorMessage } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawLaunch(id: $id) { status } }";
const QUEUE: &str = "query($t: ID) { launchesAwaitingApproval(tenantId: $t) { campaign { id status dailyBudgetCents } planDigest planChanged } }";
const UPDATE: &str = "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { status campaignName } }";

async fn set_mode(app: &TestApp, chief: &Account, tenant: &str, on: bool) {
    let r = app
        .graphql_as(&chief.token, MODE, json!({ "t": tenant, "on": on }))
        .await;
    assert_eq!(r.data()["setApprovalMode"]["launchApprovalRequired"], on);
}

async fn campaign(app: &TestApp, who: &Account, id: &str) -> Value {
    app.graphql_as(
        &who.token,
        "query($id: ID!) { campaign(id: $id) { status errorMessage metaCampaignId } }",
        json!({ "id": id }),
    )
    .await
    .data()["campaign"]
        .clone()
}

async fn queue(app: &TestApp, who: &Account, tenant: Option<&str>) -> Vec<Value> {
    let r = app
        .graphql_as(&who.token, QUEUE, json!({ "t": tenant }))
        .await;
    r.data()["launchesAwaitingApproval"]
        .as_array()
        .unwrap()
        .clone()
}

async fn notifications_of(app: &TestApp, who: &Account, kind: NotificationKind) -> u64 {
    let db = app.db.connect().await;
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(who.user_id.parse::<entities::UserId>().unwrap()))
        .filter(notification::Column::Kind.eq(kind))
        .count(&db)
        .await
        .unwrap()
}

/// Ann's tenant with approval on, and one draft of hers ready to launch.
async fn setup(app: &TestApp) -> (Account, Account, String, String) {
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(app, &ann, "1001").await;
    set_mode(app, &chief, &ann.tenant_id, true).await;
    let images = creatives(app, &ann, 1, 3).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(2500);
    let id = create(app, &ann, input).await;
    (chief, ann, integration, id)
}

async fn a_waiting_launch_reserves_creates_nothing_and_launches_once_approved(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let (chief, ann, integration, id) = setup(&app).await;
    // Members read the mode.
    let r = app
        .graphql_as(
            &ann.token,
            "{ budgetPolicy { launchApprovalRequired } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["budgetPolicy"]["launchApprovalRequired"], true);

    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["launchCampaign"]["status"], "AWAITING_APPROVAL");
    // Credits reserved, nothing created, no job.
    assert_eq!(
        ledger(&app, &ann).await,
        (45, vec!["RESERVE".into(), "GRANT".into()])
    );
    assert_eq!(
        campaign(&app, &ann, &id).await["metaCampaignId"],
        Value::Null
    );
    let db = app.db.connect().await;
    assert_eq!(entities::job::Entity::find().count(&db).await.unwrap(), 0);
    let platform_calls = entities::audit_event::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(entities::audit_event::Column::Action.starts_with("platform.create"))
                .add(entities::audit_event::Column::Action.eq("platform.upload_image")),
        )
        .count(&db)
        .await
        .unwrap();
    assert_eq!(platform_calls, 0, "nothing was sent to the platform");
    // Launching again while it waits moves nothing.
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["launchCampaign"]["status"], "AWAITING_APPROVAL");
    assert_eq!(ledger(&app, &ann).await.0, 45);

    // The budget policy counts the waiting launch.
    let r = app
        .graphql_as(
            &ann.token,
            "{ budgetPolicy { running { currency dailyBudgetCents } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["budgetPolicy"]["running"],
        json!([{ "currency": "USD", "dailyBudgetCents": 2500 }])
    );
    // So a second launch that would pass the tenant's total with it is refused.
    let r = app
        .graphql_as(
            &chief.token,
            "mutation($t: ID!) { setBudgetLimit(input: { tenantId: $t, currency: \"USD\", maxTenantDailyBudget: 40 }) { tenantId } }",
            json!({ "t": ann.tenant_id }),
        )
        .await;
    r.data();
    let images = creatives(&app, &ann, 1, 4).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(2000);
    let second = create(&app, &ann, input).await;
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": second }))
        .await;
    assert_eq!(r.error_codes(), ["BUDGET_POLICY_EXCEEDED"], "{}", r.body);
    assert_eq!(ledger(&app, &ann).await.0, 45, "nothing more reserved");
    // Nor may the waiting launch's own budget be edited past the total.
    let images = creatives(&app, &ann, 1, 5).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(4100);
    let r = app
        .graphql_as(&ann.token, UPDATE, json!({ "id": id, "input": input }))
        .await;
    assert_eq!(r.error_codes(), ["BUDGET_POLICY_EXCEEDED"], "{}", r.body);
    assert_eq!(
        campaign(&app, &ann, &id).await["status"],
        "AWAITING_APPROVAL"
    );

    // The approver is told; the member sees their own launch waiting, the
    // chief architect sees it in the queue.
    assert_eq!(
        notifications_of(&app, &chief, NotificationKind::ApprovalNeeded).await,
        1
    );
    let mine = queue(&app, &ann, None).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["campaign"]["id"], id.as_str());
    let all = queue(&app, &chief, Some(&ann.tenant_id)).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["planChanged"], false);
    assert_eq!(all[0]["planDigest"].as_str().unwrap().len(), 64);
    let bob = app.sign_up("bob@b.test", "Bob Builds").await;
    assert!(queue(&app, &bob, None).await.is_empty(), "another tenant's");

    // Members cannot decide, not even on their own launch.
    for (doc, vars) in [
        (APPROVE, json!({ "id": id })),
        (REJECT, json!({ "id": id, "r": "no" })),
    ] {
        let r = app.graphql_as(&ann.token, doc, vars).await;
        assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    }
    let r = app
        .graphql_as(&ann.token, MODE, json!({ "t": ann.tenant_id, "on": false }))
        .await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);

    // Approved: it launches and is charged once.
    let r = app
        .graphql_as(&chief.token, APPROVE, json!({ "id": id }))
        .await;
    // The launch may already have finished by the time it answers.
    let answered = r.data()["approveLaunch"]["status"].clone();
    assert!(
        answered == "LAUNCHING" || answered == "ACTIVE",
        "{answered}"
    );
    let live = settled(&app, &ann, &id).await;
    assert_eq!(live["status"], "ACTIVE", "{live}");
    assert!(live["metaCampaignId"].is_string());
    assert_eq!(
        ledger(&app, &ann).await,
        (45, vec!["COMMIT".into(), "RESERVE".into(), "GRANT".into()])
    );
    assert_eq!(
        notifications_of(&app, &ann, NotificationKind::ApprovalDecided).await,
        1
    );
    // Deciding again is a conflict and moves nothing.
    let r = app
        .graphql_as(&chief.token, APPROVE, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    assert!(queue(&app, &chief, None).await.is_empty());
}

async fn an_edit_voids_the_approval_and_a_rejection_refunds_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let (chief, ann, integration, id) = setup(&app).await;
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["launchCampaign"]["status"], "AWAITING_APPROVAL");

    // An edit after submission is allowed and keeps it waiting…
    let images = creatives(&app, &ann, 1, 9).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(2500);
    input["campaignName"] = json!("Renamed after submission");
    let r = app
        .graphql_as(&ann.token, UPDATE, json!({ "id": id, "input": input }))
        .await;
    assert_eq!(r.data()["updateCampaign"]["status"], "AWAITING_APPROVAL");
    // …but the approver sees it changed, and an approval is void.
    assert_eq!(queue(&app, &chief, None).await[0]["planChanged"], true);
    let r = app
        .graphql_as(&chief.token, APPROVE, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    assert!(
        r.first_message().contains("changed"),
        "{}",
        r.first_message()
    );
    let now = campaign(&app, &ann, &id).await;
    assert_eq!(now["status"], "AWAITING_APPROVAL");
    assert_eq!(now["metaCampaignId"], Value::Null);
    let db = app.db.connect().await;
    assert_eq!(entities::job::Entity::find().count(&db).await.unwrap(), 0);

    // A rejection needs a reason, then refunds exactly once.
    let r = app
        .graphql_as(&chief.token, REJECT, json!({ "id": id, "r": "  " }))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    let r = app
        .graphql_as(
            &chief.token,
            REJECT,
            json!({ "id": id, "r": "Budget too high for a test" }),
        )
        .await;
    let rejected = &r.data()["rejectLaunch"];
    assert_eq!(rejected["status"], "ERROR");
    assert!(
        rejected["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Budget too high for a test")
    );
    let refunded = (50, vec!["REFUND".into(), "RESERVE".into(), "GRANT".into()]);
    assert_eq!(ledger(&app, &ann).await, refunded);
    let r = app
        .graphql_as(&chief.token, REJECT, json!({ "id": id, "r": "again" }))
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    assert_eq!(ledger(&app, &ann).await, refunded, "refunded once");
    assert_eq!(
        notifications_of(&app, &ann, NotificationKind::ApprovalDecided).await,
        1
    );
}

async fn a_withdrawn_launch_is_a_draft_again_and_with_the_mode_off_launches_go_on(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let (chief, ann, _, id) = setup(&app).await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    // Deleting a waiting launch is refused: it holds credits.
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { deleteCampaign(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    let r = app
        .graphql_as(&ann.token, WITHDRAW, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["withdrawLaunch"]["status"], "DRAFT");
    assert_eq!(ledger(&app, &ann).await.0, 50);
    let r = app
        .graphql_as(&ann.token, WITHDRAW, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    assert_eq!(ledger(&app, &ann).await.0, 50, "refunded once");

    // Mode off: the same draft launches straight away.
    set_mode(&app, &chief, &ann.tenant_id, false).await;
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    let answered = r.data()["launchCampaign"]["status"].clone();
    assert!(
        answered == "LAUNCHING" || answered == "ACTIVE",
        "{answered}"
    );
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");
    assert_eq!(ledger(&app, &ann).await.0, 45);
}
