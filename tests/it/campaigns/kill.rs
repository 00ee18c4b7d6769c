//! The kill test: the server process is killed with SIGKILL while the Meta
//! stand-in holds a create call, started again on the same database, and
//! the launch completes with exactly one set of remote objects and one
//! charge.
//!
//! The server runs in a child process (see `servers`).

use std::time::Duration;

use adapters::stand_in::{Fault, FaultAction, Match, MetaFixture, MetaStandIn};
use leadforge_e2e::{Backend, TestDb, both_backends};
use serde_json::{Value, json};

use crate::servers::{Server, expire_leases, wait_for_calls};

both_backends!(a_server_killed_mid_create_finishes_the_launch_after_a_restart);

/// PostgreSQL only: instances share a database there. Two processes on one
/// SQLite file are no deployment, and a frozen one can hold SQLite's single
/// write lock, which no lease can take over.
#[tokio::test]
async fn a_paused_worker_that_lost_its_lease_sends_and_writes_nothing_more_postgres() {
    a_paused_worker_that_lost_its_lease_sends_and_writes_nothing_more(Backend::Postgres).await;
}

/// A server in a child process whose launch is mid-way: Meta has applied
/// the ad-set create and holds its answer for `hold`. (stand-in, database,
/// the server, a member's token, the campaign id.)
async fn launch_held_at_the_ad_set(
    backend: Backend,
    hold: Duration,
) -> (MetaStandIn, TestDb, Server, String, String) {
    let meta = MetaStandIn::start().await.unwrap();
    let f = MetaFixture::seed(&meta);
    let db = TestDb::migrated(backend).await;
    let server = Server::start(&db, &meta, &[]).await;
    let token = server.sign_up("kim@k.test", "Kim Ads").await;
    let integration = server.meta_integration(&token, &f).await;
    let id = server.draft(&token, &integration, "Spring open day").await;
    meta.inject(Fault::once(
        Match::on("POST", "/adsets"),
        FaultAction::Slow(hold),
    ));
    server.launch(&token, &id).await;
    wait_for_calls(&meta, "POST", "/adsets", 1).await;
    (meta, db, server, token, id)
}

async fn a_server_killed_mid_create_finishes_the_launch_after_a_restart(backend: Backend) {
    let (meta, db, first, token, id) =
        launch_held_at_the_ad_set(backend, Duration::from_secs(20)).await;
    drop(first); // SIGKILL

    // The dead worker's lease would run out in a minute; let it.
    let expired = expire_leases(&db).await;
    assert_eq!(expired, 1, "the launch was not in flight");

    let second = Server::start(&db, &meta, &[]).await;
    let query = "query($id: ID!) { campaign(id: $id) { status errorMessage } creditBalance creditLedger { edges { node { kind } } } }";
    let mut last = Value::Null;
    for _ in 0..1200 {
        last = second.gql(Some(&token), query, json!({ "id": id })).await;
        if last["campaign"]["status"] != "LAUNCHING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last["campaign"]["status"], "ACTIVE", "{last}");
    for kind in ["campaign", "adset", "adcreative", "ad"] {
        assert_eq!(meta.object_ids(kind).len(), 1, "{kind}");
    }
    assert_eq!(last["creditBalance"], 45);
    let kinds: Vec<&str> = last["creditLedger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["COMMIT", "RESERVE", "GRANT"]);
}

/// A worker frozen mid-create (its process paused) loses its lease; another
/// instance takes the launch over and finishes it. When the frozen one wakes
/// up and gets its answer, its next write is refused by the lease fence: it
/// sends nothing more and settles nothing.
async fn a_paused_worker_that_lost_its_lease_sends_and_writes_nothing_more(backend: Backend) {
    // The process that sent the ad-set create freezes while Meta holds
    // the answer.
    let (meta, db, first, token, id) =
        launch_held_at_the_ad_set(backend, Duration::from_secs(3)).await;
    first.pause();
    assert_eq!(expire_leases(&db).await, 1, "the launch was in flight");

    // Another instance takes the launch over and finishes it.
    let second = Server::start(&db, &meta, &[]).await;
    let query = "query($id: ID!) { campaign(id: $id) { status } creditBalance }";
    let mut last = Value::Null;
    for _ in 0..1200 {
        last = second.gql(Some(&token), query, json!({ "id": id })).await;
        if last["campaign"]["status"] != "LAUNCHING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last["campaign"]["status"], "ACTIVE", "{last}");
    let sent_before = meta.call_lines().len();

    // The frozen worker wakes up with the ad set's answer in its socket.
    first.resume();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after: Vec<String> = meta.call_lines()[sent_before..].to_vec();
    assert!(
        !after
            .iter()
            .any(|l| l.starts_with("POST") || l.starts_with("DELETE")),
        "the worker that lost its lease sent {after:?}"
    );
    for kind in ["campaign", "adset", "adcreative", "ad"] {
        assert_eq!(meta.object_ids(kind).len(), 1, "{kind}");
    }
    let end = second.gql(Some(&token), query, json!({ "id": id })).await;
    assert_eq!(end["campaign"]["status"], "ACTIVE", "{end}");
    assert_eq!(end["creditBalance"], 45, "charged once");
}
