//! Scale-out on one PostgreSQL database: two `leadforge serve` processes
//! (child processes, different ports) share events and jobs. A subscriber
//! on one instance sees the launch and the numbers the other produced; each
//! launch runs once across both (counted on the Meta stand-in); an instance
//! that dies mid-launch leaves the job to the other once its lease runs out;
//! and each ad account is synced by one instance per cycle.

use std::time::Duration;

use adapters::stand_in::{Fault, FaultAction, InsightsSeed, Match, MetaFixture, MetaStandIn};
use leadforge_e2e::{
    Backend, TestDb,
    ws::{Protocol, WsClient},
};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::servers::{Server, expire_leases, wait_for_calls};

const WATCH: &str = "subscription($id: ID) { campaignUpdated(id: $id) { id status errorMessage performance { impressions } } }";

async fn watch(server: &Server, token: &str, id: &str) -> (WsClient, String) {
    let auth = json!({ "authorization": format!("Bearer {token}") });
    let mut socket = WsClient::connect(&server.ws_url(), Protocol::TransportWs, auth)
        .await
        .unwrap();
    let sub = socket.start(WATCH, json!({ "id": id })).await.unwrap();
    (socket, sub)
}

fn settled(c: &Value) -> bool {
    c["status"] != "DRAFT" && c["status"] != "LAUNCHING"
}

fn calls(meta: &MetaStandIn, method: &str, path: &str) -> usize {
    meta.call_lines()
        .iter()
        .filter(|l| l.starts_with(method) && l.ends_with(path))
        .count()
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let conn = db.connect().await;
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_events_and_jobs_postgres() {
    let meta = MetaStandIn::start().await.unwrap();
    let f = MetaFixture::seed(&meta);
    let db = TestDb::migrated(Backend::Postgres).await;
    let every_second = ("LEADFORGE_INSIGHTS_INTERVAL_SECS", "1");

    // A runs jobs and syncs; B only serves requests.
    let a = Server::start(&db, &meta, &[every_second]).await;
    let b = Server::start(
        &db,
        &meta,
        &[
            ("LEADFORGE_JOB_WORKERS", "0"),
            ("LEADFORGE_INSIGHTS_INTERVAL_SECS", "86400"),
        ],
    )
    .await;
    let token = b.sign_up("sam@scale.test", "Scale Co").await;
    let integration = b.meta_integration(&token, &f).await;
    let first = b.draft(&token, &integration, "Scale one").await;
    let (mut socket, sub) = watch(&b, &token, &first).await;

    // Launched through B, run by A's worker (B has none): B's subscriber
    // sees it go live, and the launch ran once.
    b.launch(&token, &first).await;
    let c = socket.campaign_until(&sub, settled).await.unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");
    for kind in ["campaign", "adset", "adcreative", "ad"] {
        assert_eq!(meta.object_ids(kind).len(), 1, "{kind}");
    }
    assert_eq!(calls(&meta, "POST", "/campaigns"), 1);

    // A's sync reads new numbers; B's subscriber gets them.
    let remote = meta.object_ids("campaign").remove(0);
    meta.set_insights(
        &remote,
        InsightsSeed {
            impressions: 3000,
            clicks: 90,
            inline_link_clicks: 80,
            spend: "9.00".to_owned(),
            leads: 2,
            ..InsightsSeed::default()
        },
    );
    socket
        .campaign_until(&sub, |c| c["performance"]["impressions"] == 3000)
        .await
        .unwrap();
    drop(socket);
    drop(b);

    // A dies holding a launch; B, now with workers, takes the job over once
    // the lease runs out, and its subscriber sees it finish.
    let second = a.draft(&token, &integration, "Scale two").await;
    meta.inject(Fault::once(
        Match::on("POST", "/adsets"),
        FaultAction::Slow(Duration::from_secs(20)),
    ));
    a.launch(&token, &second).await;
    wait_for_calls(&meta, "POST", "/adsets", 2).await;
    let b = Server::start(&db, &meta, &[every_second]).await;
    let (mut socket, sub) = watch(&b, &token, &second).await;
    drop(a); // SIGKILL, mid-create
    assert_eq!(expire_leases(&db).await, 1, "the launch was not in flight");
    let c = socket.campaign_until(&sub, settled).await.unwrap();
    assert_eq!(c["status"], "ACTIVE", "{c}");
    for kind in ["campaign", "adset", "adcreative", "ad"] {
        assert_eq!(meta.object_ids(kind).len(), 2, "one set per launch: {kind}");
    }
    drop(socket);

    // Both instances sync every second; each cycle's call for the account
    // is made by one of them only: never more insights calls than claims
    // (a claim without its call only where an instance was killed between).
    let a = Server::start(&db, &meta, &[every_second]).await;
    let before = calls(&meta, "GET", "/insights");
    wait_for_calls(&meta, "GET", "/insights", before + 5).await;
    drop(a);
    drop(b);
    let insights_calls = calls(&meta, "GET", "/insights") as i64;
    let claims = scalar(
        &db,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'insights-claim'",
    )
    .await;
    assert!(
        insights_calls <= claims && claims <= insights_calls + 3,
        "{insights_calls} insights calls for {claims} claimed cycles"
    );
    let per_cycle = scalar(
        &db,
        "SELECT COUNT(*) FROM (SELECT dedupe_key FROM jobs WHERE kind = 'insights-claim' \
         GROUP BY dedupe_key HAVING COUNT(*) > 1) twice",
    )
    .await;
    assert_eq!(per_cycle, 0, "a cycle of the account was claimed twice");
}
