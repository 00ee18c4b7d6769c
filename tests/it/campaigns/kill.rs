//! The kill test: the server process is killed with SIGKILL while the Meta
//! stand-in holds a create call, started again on the same database, and
//! the launch completes with exactly one set of remote objects and one
//! charge.
//!
//! The server runs in a child process: this very test binary, re-run with
//! only `child_server` selected, which serves until it is killed.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use adapters::stand_in::{Fault, FaultAction, Match, MetaFixture, MetaStandIn};
use entities::{JobStatus, job};
use leadforge_e2e::{Backend, TestDb, both_backends, images};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

both_backends!(a_server_killed_mid_create_finishes_the_launch_after_a_restart);

const CHILD: &str = "LEADFORGE_TEST_KILL_CHILD";

/// Serves with the settings of the environment until killed; does nothing
/// unless started by the kill test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by the kill test"]
async fn child_server() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let config = leadforge::Config::load(None).expect("child configuration");
    let app = leadforge::App::build(config).await.expect("child starts");
    let _ = app.run_until_stopped(std::future::pending()).await;
}

/// A child server, killed when dropped.
struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(db: &TestDb, meta: &MetaStandIn) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = db.dir().join("data");
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "campaigns::kill::child_server",
                "--ignored",
                "--nocapture",
            ])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(CHILD, "1")
            .env("DATABASE_URL", &db.url)
            .env("LEADFORGE_DATA_DIR", data)
            .env("LEADFORGE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEADFORGE_SIGNUP_CREDITS", "50")
            .env("LEADFORGE_LOG", "warn")
            .env("META_GRAPH_URL", meta.base_url())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..600 {
            if let Ok(r) = server
                .http
                .get(format!("{}/readyz", server.base))
                .send()
                .await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the child server did not become ready");
    }

    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("accept", "application/json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let body: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        body["data"].clone()
    }

    async fn upload(&self, token: &str) -> String {
        let query = "mutation($file: Upload!) { uploadCreative(file: $file) { id } }";
        let operations = json!({ "query": query, "variables": { "file": null } });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(images::png(32, 32, 7)).file_name("ad.png"),
            );
        let body: Value = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("accept", "application/json")
            .header("apollo-require-preflight", "true")
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["data"]["uploadCreative"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

async fn a_server_killed_mid_create_finishes_the_launch_after_a_restart(backend: Backend) {
    let meta = MetaStandIn::start().await.unwrap();
    let f = MetaFixture::seed(&meta);
    let db = TestDb::migrated(backend).await;
    let first = Server::start(&db, &meta).await;

    let signed = first
        .gql(
            None,
            "mutation { signUp(email: \"kim@k.test\", password: \"correct horse battery staple\", tenantName: \"Kim Ads\") { token } }",
            json!({}),
        )
        .await;
    let token = signed["signUp"]["token"].as_str().unwrap().to_owned();
    let saved = first
        .gql(
            Some(&token),
            "mutation($t: String!, $a: String!, $p: String) { saveIntegration(provider: META_ADS, accessToken: $t, adAccountId: $a, pageId: $p) { id } }",
            json!({ "t": f.token, "a": f.account, "p": f.page_id }),
        )
        .await;
    let integration = saved["saveIntegration"]["id"].as_str().unwrap().to_owned();
    first
        .gql(
            Some(&token),
            "mutation($i: ID!) { testIntegration(id: $i) { ok } }",
            json!({ "i": integration }),
        )
        .await;
    let creative = first.upload(&token).await;
    let input = leadforge_e2e::campaigns::traffic_input(&integration, &[creative]);
    let created = first
        .gql(
            Some(&token),
            "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    let id = created["createCampaign"]["id"].as_str().unwrap().to_owned();

    // Meta applies the ad-set create and holds its answer; meanwhile the
    // server is killed.
    meta.inject(Fault::once(
        Match::on("POST", "/adsets"),
        FaultAction::Slow(Duration::from_secs(20)),
    ));
    first
        .gql(
            Some(&token),
            "mutation($id: ID!) { launchCampaign(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    let mut held = false;
    for _ in 0..600 {
        if meta
            .call_lines()
            .iter()
            .any(|l| l.starts_with("POST") && l.ends_with("/adsets"))
        {
            held = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(held, "the ad-set create never reached the stand-in");
    drop(first); // SIGKILL

    // The dead worker's lease would run out in a minute; let it.
    let conn = db.connect().await;
    let expired = job::Entity::update_many()
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))),
        )
        .filter(job::Column::Status.eq(JobStatus::Running))
        .exec(&conn)
        .await
        .unwrap();
    assert_eq!(expired.rows_affected, 1, "the launch was not in flight");

    let second = Server::start(&db, &meta).await;
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
