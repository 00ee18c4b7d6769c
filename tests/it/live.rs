//! `campaignUpdated` over a real WebSocket: a dashboard sees a launch go
//! from `LAUNCHING` to `ACTIVE` without polling, and nobody sees a campaign
//! outside their scope.

use leadforge_e2e::{
    Account, Backend, TestApp,
    campaigns::{LAUNCH, create, creatives, traffic_input, verified_sandbox},
    ws::{Protocol, WsClient},
};
use serde_json::{Value, json};

/// A Sandbox TRAFFIC draft of `who` on ad account `account`, with one image.
async fn sandbox_draft(app: &TestApp, who: &Account, account: &str, seed: u32) -> String {
    let integration = verified_sandbox(app, who, account).await;
    let images = creatives(app, who, 1, seed).await;
    create(app, who, traffic_input(&integration, &images)).await
}

/// Launches `campaign` with idempotency key `key`; the status it answered.
async fn launch(app: &TestApp, who: &Account, campaign: &str, key: &str) -> Value {
    let r = app
        .graphql_as(&who.token, LAUNCH, json!({ "id": campaign, "k": key }))
        .await;
    r.data()["launchCampaign"]["status"].clone()
}

/// A graphql-transport-ws socket signed in as `who`.
async fn socket_of(app: &TestApp, who: &Account) -> WsClient {
    let url = format!("ws://{}/graphql/ws", app.addr);
    let auth = json!({ "authorization": format!("Bearer {}", who.token) });
    WsClient::connect(&url, Protocol::TransportWs, auth)
        .await
        .unwrap()
}

/// A new member's Sandbox draft on ad account `account`, and a socket
/// whose subscription to it has delivered its first (`DRAFT`) state:
/// (campaign id, socket, subscription id).
async fn watching_a_draft(
    app: &TestApp,
    email: &str,
    account: &str,
    seed: u32,
) -> (String, WsClient, String) {
    let who = app.sign_up(email, "Watch Co").await;
    let campaign = sandbox_draft(app, &who, account, seed).await;
    let mut socket = socket_of(app, &who).await;
    let sub = socket
        .start(WATCH, json!({ "id": campaign }))
        .await
        .unwrap();
    until_status(&mut socket, &sub, "DRAFT").await;
    (campaign, socket, sub)
}

const WATCH: &str =
    "subscription($id: ID) { campaignUpdated(id: $id) { id status campaignName errorMessage } }";

/// The payloads of the next messages of subscription `id` until `status`.
async fn until_status(socket: &mut WsClient, id: &str, status: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let message = socket.receive().await.expect("a subscription message");
        if message["id"] != id {
            continue;
        }
        assert_eq!(message["type"], "next", "{message}");
        let campaign = message["payload"]["data"]["campaignUpdated"].clone();
        let done = campaign["status"] == status;
        seen.push(campaign);
        if done {
            return seen;
        }
    }
}

async fn a_dashboard_sees_a_launch_go_live(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "20")]).await;
    let ann = app.sign_up("ann@live.test", "Ann Live").await;
    let bob = app.sign_up("bob@live.test", "Bob Live").await;
    let campaign = sandbox_draft(&app, &ann, "4001", 3).await;

    // Ann watches her campaign and all of hers; Bob watches everything he
    // may see, and tries hers by id.
    let mut one = socket_of(&app, &ann).await;
    let one_id = one.start(WATCH, json!({ "id": campaign })).await.unwrap();
    let first = until_status(&mut one, &one_id, "DRAFT").await;
    assert_eq!(
        first[0]["id"],
        campaign.as_str(),
        "the current state comes first"
    );

    let mut all = socket_of(&app, &ann).await;
    let all_id = all.start(WATCH, json!({})).await.unwrap();

    let mut other = socket_of(&app, &bob).await;
    let foreign = other
        .request(WATCH, json!({ "id": campaign }))
        .await
        .unwrap();
    assert_eq!(
        foreign["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{foreign}"
    );
    let bob_all = other.start(WATCH, json!({})).await.unwrap();

    assert_eq!(launch(&app, &ann, &campaign, "live-1").await, "LAUNCHING");

    // Without polling, both of Ann's subscriptions see it reach ACTIVE.
    let seen = until_status(&mut one, &one_id, "ACTIVE").await;
    assert!(seen.iter().all(|c| c["id"] == campaign.as_str()));
    let seen = until_status(&mut all, &all_id, "ACTIVE").await;
    assert!(seen.iter().all(|c| c["id"] == campaign.as_str()));

    // Bob's "everything" subscription got nothing of Ann's: the next message
    // on his socket is his own campaign's first update.
    let bobs = sandbox_draft(&app, &bob, "4002", 4).await;
    launch(&app, &bob, &bobs, "live-2").await;
    let seen = until_status(&mut other, &bob_all, "ACTIVE").await;
    assert!(
        seen.iter().all(|c| c["id"] == bobs.as_str()),
        "Bob received another member's campaign: {seen:?}"
    );
}

#[tokio::test]
async fn a_dashboard_sees_a_launch_go_live_sqlite() {
    a_dashboard_sees_a_launch_go_live(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_dashboard_sees_a_launch_go_live_postgres() {
    a_dashboard_sees_a_launch_go_live(Backend::Postgres).await;
}

#[tokio::test]
async fn subscribing_needs_a_signed_in_caller() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut socket = WsClient::connect(&url, Protocol::TransportWs, json!({}))
        .await
        .unwrap();
    let r = socket.request(WATCH, json!({})).await.unwrap();
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{r}"
    );
}

/// With a short sync interval, a live Sandbox campaign's numbers reach its
/// subscriber without a reload, and each change leaves a snapshot.
async fn numbers_change_live_after_a_sync(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LEADFORGE_SIGNUP_CREDITS", "20"),
            ("LEADFORGE_INSIGHTS_INTERVAL_SECS", "1"),
        ],
    )
    .await;
    let ann = app.sign_up("nums@live.test", "Numbers Co").await;
    let campaign = sandbox_draft(&app, &ann, "4101", 5).await;
    launch(&app, &ann, &campaign, "nums-1").await;

    let mut socket = socket_of(&app, &ann).await;
    let sub = socket
        .start(
            "subscription($id: ID) { campaignUpdated(id: $id) { status performance { impressions clicks spendCents ctr currency updatedAt } } }",
            json!({ "id": campaign }),
        )
        .await
        .unwrap();
    // Updates arrive until the numbers show delivery; no query is sent.
    let mut performance = Value::Null;
    for _ in 0..50 {
        let message = socket.receive().await.expect("an update");
        if message["id"] != sub.as_str() {
            continue;
        }
        performance = message["payload"]["data"]["campaignUpdated"]["performance"].clone();
        if performance["impressions"].as_i64().unwrap_or(0) > 0 {
            break;
        }
    }
    assert!(
        performance["impressions"].as_i64().unwrap() > 0,
        "{performance}"
    );
    assert!(performance["updatedAt"].is_string(), "{performance}");
    assert_eq!(performance["currency"].as_str().unwrap().len(), 3);

    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { snapshots(last: 10) { impressions capturedAt } } }",
            json!({ "id": campaign }),
        )
        .await;
    let snapshots = r.data()["campaign"]["snapshots"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!snapshots.is_empty(), "{}", r.body);
    assert!(
        snapshots
            .iter()
            .all(|s| s["impressions"].as_i64().unwrap() > 0)
    );
}

#[tokio::test]
async fn numbers_change_live_after_a_sync_sqlite() {
    numbers_change_live_after_a_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn numbers_change_live_after_a_sync_postgres() {
    numbers_change_live_after_a_sync(Backend::Postgres).await;
}

/// On PostgreSQL, events travel through NOTIFY, so a change announced by
/// another instance reaches this one's subscribers; and after the listener's
/// connection is lost, subscribers get the current state again instead of
/// missing what happened meanwhile.
#[tokio::test]
async fn events_cross_instances_and_survive_a_lost_listener_postgres() {
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn(Backend::Postgres).await;
    let (campaign, mut socket, sub) = watching_a_draft(&app, "bus@live.test", "4201", 6).await;
    // A dashboard of every campaign, on the same socket.
    let all = socket.start(WATCH, json!({ "id": null })).await.unwrap();
    let subs = [sub.as_str(), all.as_str()];

    // Another instance writes and notifies.
    let other = app.db.connect().await;
    other
        .execute_unprepared(&format!(
            "UPDATE ad_campaigns SET campaign_name = 'Renamed elsewhere' WHERE id = '{campaign}'"
        ))
        .await
        .unwrap();
    other
        .execute_unprepared(&format!(
            "SELECT pg_notify('leadforge_campaigns', '{campaign}')"
        ))
        .await
        .unwrap();
    both_see(&mut socket, &subs, "Renamed elsewhere").await;

    // The listener's connection dies; a change made meanwhile, with no
    // NOTIFY at all, still reaches the subscriber once it reconnects.
    other
        .execute_unprepared(&format!(
            "UPDATE ad_campaigns SET campaign_name = 'Changed while deaf' WHERE id = '{campaign}'"
        ))
        .await
        .unwrap();
    let killed = other
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        )
        .await
        .unwrap();
    assert!(killed.rows_affected() >= 1, "no listener connection found");
    // The single-campaign subscription re-reads its campaign; the "all"
    // one re-reads what changed since its last event.
    both_see(&mut socket, &subs, "Changed while deaf").await;
}

/// Reads updates until each of `subs` delivered the campaign named `name`.
async fn both_see(socket: &mut WsClient, subs: &[&str], name: &str) {
    let mut waiting: Vec<&str> = subs.to_vec();
    while !waiting.is_empty() {
        let message = socket.receive().await.expect("an update");
        let Some(id) = message["id"].as_str() else {
            continue;
        };
        if message["payload"]["data"]["campaignUpdated"]["campaignName"] == name {
            waiting.retain(|s| *s != id);
        }
    }
}

/// Two instances on one database sync each ad account once per cycle.
async fn one_instance_syncs_an_account_per_cycle(backend: Backend) {
    use leadforge::services::insights::InsightsSync;

    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "20")]).await;
    let ann = app.sign_up("cycle@live.test", "Cycle Co").await;
    let campaign = sandbox_draft(&app, &ann, "4301", 7).await;
    launch(&app, &ann, &campaign, "cycle-1").await;
    leadforge_e2e::campaigns::settled(&app, &ann, &campaign).await;

    let instance = |db| InsightsSync::of(&app.services, db, std::time::Duration::from_secs(3600));
    let a = instance(app.db.connect().await);
    let b = instance(app.db.connect().await);
    let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.accounts + rb.accounts, 2, "{ra:?} {rb:?}");
    assert_eq!(ra.elsewhere + rb.elsewhere, 1, "{ra:?} {rb:?}");
    // Later in the same cycle, nobody syncs it again.
    let again = a.run_once().await.unwrap();
    assert_eq!(again.elsewhere, 1, "{again:?}");
}

#[tokio::test]
async fn one_instance_syncs_an_account_per_cycle_sqlite() {
    one_instance_syncs_an_account_per_cycle(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_instance_syncs_an_account_per_cycle_postgres() {
    one_instance_syncs_an_account_per_cycle(Backend::Postgres).await;
}

/// On PostgreSQL a burst of one campaign's changes becomes one NOTIFY at
/// once and at most one more at the end of the coalescing window, so its
/// subscribers get one or two updates, not fifty.
#[tokio::test]
async fn a_burst_of_changes_reaches_subscribers_coalesced_postgres() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let (campaign, mut socket, sub) = watching_a_draft(&app, "burst@live.test", "4401", 8).await;

    use sea_orm::EntityTrait;
    let id: entities::CampaignId = campaign.parse().unwrap();
    let row = entities::ad_campaign::Entity::find_by_id(id)
        .one(&app.db.connect().await)
        .await
        .unwrap()
        .unwrap();
    let change = leadforge::events::CampaignChange::of(&row);
    for _ in 0..50 {
        app.services.events.send(change).unwrap();
    }
    let mut updates = 0;
    let quiet_after = std::time::Duration::from_millis(1500);
    while let Ok(message) = tokio::time::timeout(quiet_after, socket.receive()).await {
        if message.unwrap()["id"] == sub.as_str() {
            updates += 1;
        }
    }
    assert!(
        (1..=2).contains(&updates),
        "{updates} updates for a burst of 50"
    );
}

/// A change to one campaign costs one database read for all of its
/// subscribers in a process: 30 more subscribers add (next to) no
/// statements to a resume.
async fn one_read_serves_every_subscriber_of_a_change(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let who = app.sign_up("many@live.test", "Many Watchers").await;
    let campaign = sandbox_draft(&app, &who, "1001", 7).await;
    launch(&app, &who, &campaign, "k").await;
    let mut socket = socket_of(&app, &who).await;
    let first = socket
        .start(WATCH, json!({ "id": campaign }))
        .await
        .unwrap();
    until_status(&mut socket, &first, "ACTIVE").await;
    let switch = |verb: &'static str| {
        let (app, token, campaign) = (&app, who.token.clone(), campaign.clone());
        async move {
            app.graphql_as(
                &token,
                &format!("mutation($id: ID!) {{ {verb}(id: $id) {{ status }} }}"),
                json!({ "id": campaign }),
            )
            .await
            .data();
        }
    };

    // One subscriber: what a pause costs.
    let before = app.statements().await;
    switch("pauseCampaign").await;
    until_status(&mut socket, &first, "PAUSED").await;
    let one = app.statements().await - before;

    // Thirty-one subscribers: what a resume costs.
    let mut subs = vec![first];
    for _ in 0..30 {
        let sub = socket
            .start(WATCH, json!({ "id": campaign }))
            .await
            .unwrap();
        until_status(&mut socket, &sub, "PAUSED").await;
        subs.push(sub);
    }
    let before = app.statements().await;
    switch("resumeCampaign").await;
    let mut waiting: std::collections::HashSet<String> = subs.iter().cloned().collect();
    while !waiting.is_empty() {
        let message = socket.receive().await.expect("a subscription message");
        if message["payload"]["data"]["campaignUpdated"]["status"] == "ACTIVE"
            && let Some(id) = message["id"].as_str()
        {
            waiting.remove(id);
        }
    }
    let many = app.statements().await - before;
    assert!(
        many <= one + 3,
        "a change cost {one} statements with one subscriber and {many} with 31"
    );
}

#[tokio::test]
async fn one_read_serves_every_subscriber_of_a_change_sqlite() {
    one_read_serves_every_subscriber_of_a_change(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_read_serves_every_subscriber_of_a_change_postgres() {
    one_read_serves_every_subscriber_of_a_change(Backend::Postgres).await;
}

/// A counter of the server's own `/metrics` (0 when not yet counted).
async fn counter(app: &TestApp, name: &str) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

const WATCH_WITH_OWNER: &str =
    "subscription($id: ID) { campaignUpdated(id: $id) { id status campaignName owner { email } } }";

/// Waits until every one of `subs` on `sockets` delivered `status`.
async fn all_see(sockets: &mut [(WsClient, Vec<String>)], status: &str) {
    for (socket, subs) in sockets.iter_mut() {
        let mut waiting: std::collections::HashSet<String> = subs.iter().cloned().collect();
        while !waiting.is_empty() {
            let message = socket.receive().await.unwrap();
            let Some(id) = message["id"].as_str() else {
                continue;
            };
            assert_eq!(message["type"], "next", "{message}");
            let campaign = &message["payload"]["data"]["campaignUpdated"];
            if campaign["status"] == status {
                assert_eq!(campaign["owner"]["email"], "shared@live.test");
                waiting.remove(id);
            }
        }
    }
}

/// Identical subscriptions of callers who see the same rows share one
/// evaluation per change: fifty of one member's dashboards on a campaign
/// cost one, a chief architect's a second; another member of the same
/// tenant is a viewer of its own and never receives the campaign.
async fn identical_subscriptions_are_evaluated_once_per_change(backend: Backend) {
    const EVALUATIONS: &str = "leadforge_live_evaluations_total";
    const DELIVERIES: &str = "leadforge_live_deliveries_total";
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let who = app.sign_up("shared@live.test", "Shared Watchers").await;
    let campaign = sandbox_draft(&app, &who, "1001", 9).await;
    launch(&app, &who, &campaign, "k").await;
    let switch = |verb: &'static str| {
        let (app, token, campaign) = (&app, who.token.clone(), campaign.clone());
        async move {
            app.graphql_as(
                &token,
                &format!("mutation($id: ID!) {{ {verb}(id: $id) {{ status }} }}"),
                json!({ "id": campaign }),
            )
            .await
            .data();
        }
    };

    // Fifty identical subscriptions over five sockets, each with the
    // campaign's current state first (the later ones join a running group).
    let mut sockets = Vec::new();
    for _ in 0..5 {
        let mut socket = socket_of(&app, &who).await;
        let mut subs = Vec::new();
        for _ in 0..10 {
            let sub = socket
                .start(WATCH_WITH_OWNER, json!({ "id": campaign }))
                .await
                .unwrap();
            socket
                .campaign_until(&sub, |c| c["status"] == "ACTIVE")
                .await
                .unwrap();
            subs.push(sub);
        }
        sockets.push((socket, subs));
    }
    let (evaluated, delivered) = (
        counter(&app, EVALUATIONS).await,
        counter(&app, DELIVERIES).await,
    );
    let statements = app.statements().await;
    switch("pauseCampaign").await;
    all_see(&mut sockets, "PAUSED").await;
    let one_scope = counter(&app, EVALUATIONS).await - evaluated;
    let delivered_one = counter(&app, DELIVERIES).await - delivered;
    let statements_one = app.statements().await - statements;
    assert_eq!(
        one_scope, 1,
        "evaluations of one change for 50 identical subscribers"
    );
    assert_eq!(delivered_one, 50);

    // The chief architect sees every tenant: the same subscription is a
    // second group, whatever the number of its sockets.
    let chief = app.chief_architect("ops@live.test").await;
    let mut chief_socket = socket_of(&app, &chief).await;
    let mut chief_subs = Vec::new();
    for _ in 0..3 {
        let sub = chief_socket
            .start(WATCH_WITH_OWNER, json!({ "id": campaign }))
            .await
            .unwrap();
        chief_socket
            .campaign_until(&sub, |c| c["status"] == "PAUSED")
            .await
            .unwrap();
        chief_subs.push(sub);
    }
    sockets.push((chief_socket, chief_subs));
    let (evaluated, delivered) = (
        counter(&app, EVALUATIONS).await,
        counter(&app, DELIVERIES).await,
    );
    switch("resumeCampaign").await;
    all_see(&mut sockets, "ACTIVE").await;
    let two_scopes = counter(&app, EVALUATIONS).await - evaluated;
    assert_eq!(two_scopes, 2, "evaluations of one change for two viewers");
    assert_eq!(counter(&app, DELIVERIES).await - delivered, 53);
    eprintln!(
        "one change: {one_scope} evaluation and {statements_one} statements for 50 identical subscribers; {two_scopes} for 53 in two scopes"
    );

    // Another member of the same tenant, subscribed to every campaign it may
    // see with the owner's very operation: it is its own viewer, and the
    // owner's campaign never reaches it.
    chief_created_member(&app, &chief, &who, "other@live.test").await;
    let other = app.sign_in("other@live.test").await;
    let all = "subscription { campaignUpdated { id status campaignName owner { email } } }";
    let mut owner_all = socket_of(&app, &who).await;
    let owner_sub = owner_all.start(all, json!({})).await.unwrap();
    let mut other_all = socket_of(&app, &other).await;
    let other_sub = other_all.start(all, json!({})).await.unwrap();
    // Both subscriptions are running once a query on the same sockets answered.
    owner_all.request("{ me { id } }", json!({})).await.unwrap();
    other_all.request("{ me { id } }", json!({})).await.unwrap();
    // (An "all" subscription has no first state to wait for.)
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    switch("pauseCampaign").await;
    let seen = owner_all
        .campaign_until(&owner_sub, |c| c["status"] == "PAUSED")
        .await
        .unwrap();
    assert_eq!(seen["id"], campaign.as_str());
    // The same change went through the other member's group; a query sent
    // after it is answered before anything of the campaign arrives.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let id = other_all.start("{ me { id } }", json!({})).await.unwrap();
    loop {
        let message = other_all.receive().await.unwrap();
        assert_ne!(
            message["id"],
            other_sub.as_str(),
            "another member received {message}"
        );
        if message["id"] == id.as_str() && message["type"] == "complete" {
            break;
        }
    }
    // Watching the campaign by id is NOT_FOUND for them.
    let refused = other_all
        .first(WATCH_WITH_OWNER, json!({ "id": campaign }))
        .await
        .unwrap();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
}

/// A member the chief architect adds to `owner`'s tenant.
async fn chief_created_member(app: &TestApp, chief: &Account, owner: &Account, email: &str) {
    app.graphql_as(
        &chief.token,
        "mutation($t: ID!, $e: String!) { createUser(tenantId: $t, email: $e, password: \"correct horse battery staple\", role: MEMBER) { id } }",
        json!({ "t": owner.tenant_id, "e": email }),
    )
    .await
    .data();
}

#[tokio::test]
async fn identical_subscriptions_are_evaluated_once_per_change_sqlite() {
    identical_subscriptions_are_evaluated_once_per_change(Backend::Sqlite).await;
}

#[tokio::test]
async fn identical_subscriptions_are_evaluated_once_per_change_postgres() {
    identical_subscriptions_are_evaluated_once_per_change(Backend::Postgres).await;
}

/// A change to another member's campaign costs a subscriber no read: the
/// event says whose the campaign is, and it is outside the subscriber's
/// scope. A pause with such a subscriber runs as many statements as one
/// with no subscriber at all.
async fn a_change_outside_a_subscribers_scope_costs_it_no_read(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let who = app.sign_up("owner@scope.test", "Scope Co").await;
    let campaign = sandbox_draft(&app, &who, "1001", 11).await;
    launch(&app, &who, &campaign, "k").await;
    {
        let mut socket = socket_of(&app, &who).await;
        let sub = socket
            .start(WATCH, json!({ "id": campaign }))
            .await
            .unwrap();
        until_status(&mut socket, &sub, "ACTIVE").await;
    }
    let switch = |verb: &'static str| {
        let (app, token, campaign) = (&app, who.token.clone(), campaign.clone());
        async move {
            let before = app.statements().await;
            app.graphql_as(
                &token,
                &format!("mutation($id: ID!) {{ {verb}(id: $id) {{ status }} }}"),
                json!({ "id": campaign }),
            )
            .await
            .data();
            // Whatever subscribers do with the change is done by then.
            tokio::time::sleep(std::time::Duration::from_millis(700)).await;
            app.statements().await - before
        }
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let alone = switch("pauseCampaign").await;
    switch("resumeCampaign").await;

    let chief = app.chief_architect("ops@scope.test").await;
    chief_created_member(&app, &chief, &who, "neighbour@scope.test").await;
    let other = app.sign_in("neighbour@scope.test").await;
    let mut socket = socket_of(&app, &other).await;
    let sub = socket
        .start("subscription { campaignUpdated { id status } }", json!({}))
        .await
        .unwrap();
    socket.request("{ me { id } }", json!({})).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let watched = switch("pauseCampaign").await;
    assert_eq!(
        watched, alone,
        "a pause cost {alone} statements alone and {watched} with a subscriber outside its scope"
    );
    // And the subscriber received nothing of it.
    let id = socket.start("{ me { id } }", json!({})).await.unwrap();
    loop {
        let message = socket.receive().await.unwrap();
        assert_ne!(message["id"], sub.as_str(), "received {message}");
        if message["id"] == id.as_str() && message["type"] == "complete" {
            break;
        }
    }
}

#[tokio::test]
async fn a_change_outside_a_subscribers_scope_costs_it_no_read_sqlite() {
    a_change_outside_a_subscribers_scope_costs_it_no_read(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_change_outside_a_subscribers_scope_costs_it_no_read_postgres() {
    a_change_outside_a_subscribers_scope_costs_it_no_read(Backend::Postgres).await;
}

/// Sets the members' rules that grant `from` to `to` (the agent rule,
/// tenant-wide already, is left alone), and reloads the policy.
async fn members_scope(app: &TestApp, from: &str, to: &str) {
    use entities::casbin_rule;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let changed = casbin_rule::Entity::update_many()
        .col_expr(casbin_rule::Column::V4, Expr::value(to))
        .filter(casbin_rule::Column::V0.eq("member"))
        .filter(casbin_rule::Column::V2.ne("agent"))
        .filter(casbin_rule::Column::V4.eq(from))
        .exec(&app.db.connect().await)
        .await
        .unwrap();
    assert!(changed.rows_affected > 0);
    app.services.authz.reload().await.unwrap();
}

/// Members who shared a subscription while the policy let them see the
/// same rows are checked again after a reload: once their views differ, a
/// change reaches neither as data, but as FORBIDDEN (they subscribe again).
async fn a_policy_reload_ends_shared_subscriptions_whose_view_changed(backend: Backend) {
    const EVALUATIONS: &str = "leadforge_live_evaluations_total";
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let who = app.sign_up("owner@reload.test", "Reload Co").await;
    let campaign = sandbox_draft(&app, &who, "1001", 12).await;
    launch(&app, &who, &campaign, "k").await;
    {
        let mut socket = socket_of(&app, &who).await;
        let sub = socket
            .start(WATCH, json!({ "id": campaign }))
            .await
            .unwrap();
        until_status(&mut socket, &sub, "ACTIVE").await;
    }
    let chief = app.chief_architect("ops@reload.test").await;
    chief_created_member(&app, &chief, &who, "colleague@reload.test").await;
    let other = app.sign_in("colleague@reload.test").await;
    let switch = |verb: &'static str| {
        let (app, token, campaign) = (&app, who.token.clone(), campaign.clone());
        async move {
            app.graphql_as(
                &token,
                &format!("mutation($id: ID!) {{ {verb}(id: $id) {{ status }} }}"),
                json!({ "id": campaign }),
            )
            .await
            .data();
        }
    };

    // Members see their whole tenant: the two subscriptions are one group.
    members_scope(&app, "own", "tenant").await;
    let all = "subscription { campaignUpdated { id status } }";
    let mut owner_socket = socket_of(&app, &who).await;
    let owner_sub = owner_socket.start(all, json!({})).await.unwrap();
    owner_socket
        .request("{ me { id } }", json!({}))
        .await
        .unwrap();
    let mut other_socket = socket_of(&app, &other).await;
    let other_sub = other_socket.start(all, json!({})).await.unwrap();
    other_socket
        .request("{ me { id } }", json!({}))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let evaluated = counter(&app, EVALUATIONS).await;
    switch("pauseCampaign").await;
    for (socket, sub) in [
        (&mut owner_socket, &owner_sub),
        (&mut other_socket, &other_sub),
    ] {
        socket
            .campaign_until(sub, |c| c["status"] == "PAUSED")
            .await
            .unwrap();
    }
    assert_eq!(counter(&app, EVALUATIONS).await - evaluated, 1, "one group");

    // Back to their own rows: the colleague must not see the owner's
    // campaign through the group it shares.
    members_scope(&app, "tenant", "own").await;
    switch("resumeCampaign").await;
    for (socket, sub) in [
        (&mut owner_socket, &owner_sub),
        (&mut other_socket, &other_sub),
    ] {
        let message = loop {
            let message = socket.receive().await.unwrap();
            if message["id"] == sub.as_str() {
                break message;
            }
        };
        assert!(
            message["payload"]["data"]["campaignUpdated"].is_null(),
            "{message}"
        );
        let errors = match message["type"].as_str() {
            Some("error") => message["payload"].clone(),
            _ => message["payload"]["errors"].clone(),
        };
        assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{message}");
    }
}

#[tokio::test]
async fn a_policy_reload_ends_shared_subscriptions_whose_view_changed_sqlite() {
    a_policy_reload_ends_shared_subscriptions_whose_view_changed(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_policy_reload_ends_shared_subscriptions_whose_view_changed_postgres() {
    a_policy_reload_ends_shared_subscriptions_whose_view_changed(Backend::Postgres).await;
}
