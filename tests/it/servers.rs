//! Leadforge servers in child processes, for the tests that kill one or run
//! several on one database: this very test binary, re-run with only
//! `child_server` selected, which serves with the settings of its
//! environment until it is killed.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use adapters::stand_in::{MetaFixture, MetaStandIn};
use leadforge_e2e::{TestDb, images};
use serde_json::{Value, json};

const CHILD: &str = "LEADFORGE_TEST_CHILD_SERVER";

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
pub struct Server {
    child: Child,
    port: u16,
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
    /// Starts a server on `db` using `meta`, with extra `settings`, and
    /// waits until it is ready.
    pub async fn start(db: &TestDb, meta: &MetaStandIn, settings: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = db.dir().join("data");
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "servers::child_server",
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
            .env("LEADFORGE_LAUNCH_LOOKUP_DELAY_SECS", "1")
            .env("META_GRAPH_URL", meta.base_url())
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            port,
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

    /// Freezes the process (SIGSTOP), as a long GC-free stall, a swapped-out
    /// VM or a debugger would: alive, holding its sockets, doing nothing.
    pub fn pause(&self) {
        signal(&self.child, "-STOP");
    }

    /// Lets a paused process go on (SIGCONT).
    pub fn resume(&self) {
        signal(&self.child, "-CONT");
    }

    /// The GraphQL WebSocket endpoint.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/graphql/ws", self.port)
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
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

    /// Signs a new member up; their token.
    pub async fn sign_up(&self, email: &str, tenant: &str) -> String {
        let signed = self
            .gql(
                None,
                "mutation($e: String!, $t: String!) { signUp(email: $e, password: \"correct horse battery staple\", tenantName: $t) { token } }",
                json!({ "e": email, "t": tenant }),
            )
            .await;
        signed["signUp"]["token"].as_str().unwrap().to_owned()
    }

    /// A tested Meta integration on the fixture's USD account; its id.
    pub async fn meta_integration(&self, token: &str, f: &MetaFixture) -> String {
        let saved = self
            .gql(
                Some(token),
                "mutation($t: String!, $a: String!, $p: String) { saveIntegration(provider: META_ADS, accessToken: $t, adAccountId: $a, pageId: $p) { id } }",
                json!({ "t": f.token, "a": f.account, "p": f.page_id }),
            )
            .await;
        let integration = saved["saveIntegration"]["id"].as_str().unwrap().to_owned();
        let tested = self
            .gql(
                Some(token),
                "mutation($i: ID!) { testIntegration(id: $i) { ok } }",
                json!({ "i": integration }),
            )
            .await;
        assert_eq!(tested["testIntegration"]["ok"], true);
        integration
    }

    /// A TRAFFIC draft on `integration` with one fresh creative; its id.
    pub async fn draft(&self, token: &str, integration: &str, name: &str) -> String {
        let creative = self.upload(token).await;
        let mut input = leadforge_e2e::campaigns::traffic_input(integration, &[creative]);
        input["campaignName"] = json!(name);
        let created = self
            .gql(
                Some(token),
                "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        created["createCampaign"]["id"].as_str().unwrap().to_owned()
    }

    /// Starts the launch of `campaign`.
    pub async fn launch(&self, token: &str, campaign: &str) {
        self.gql(
            Some(token),
            "mutation($id: ID!) { launchCampaign(id: $id) { status } }",
            json!({ "id": campaign }),
        )
        .await;
    }

    pub async fn upload(&self, token: &str) -> String {
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

fn signal(child: &Child, which: &str) {
    let status = std::process::Command::new("kill")
        .args([which, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {which} failed");
}

/// Makes every running job's lease run out now, as it would a minute after
/// its worker died.
pub async fn expire_leases(db: &TestDb) -> u64 {
    use entities::{JobStatus, job};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let conn = db.connect().await;
    job::Entity::update_many()
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))),
        )
        .filter(job::Column::Status.eq(JobStatus::Running))
        .exec(&conn)
        .await
        .unwrap()
        .rows_affected
}

/// Waits (bounded, to fail a hang) until the stand-in has received `n`
/// calls ending in `path`.
pub async fn wait_for_calls(meta: &MetaStandIn, method: &str, path: &str, n: usize) {
    for _ in 0..1500 {
        let seen = meta
            .call_lines()
            .iter()
            .filter(|l| l.starts_with(method) && l.ends_with(path))
            .count();
        if seen >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the stand-in never received {n} × {method} …{path}");
}
