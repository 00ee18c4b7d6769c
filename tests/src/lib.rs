//! The end-to-end test harness: the real server on port 0, against a fresh
//! database per test (a SQLite temp file, or a PostgreSQL database cloned
//! from a migrated template), with GraphQL clients over HTTP and WebSocket.

pub mod campaigns;
pub mod contract;
pub mod fixtures;
pub mod images;
pub mod logs;
pub mod postgres;
pub mod receiver;
pub mod smtp;
pub mod ws;

use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

use leadforge::{
    App, Config,
    config::{DatabaseBackend, EnvSource},
    services::Services,
};
use sea_orm::{Database, DatabaseConnection};
use serde_json::{Value, json};

/// The two database engines every suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test per backend: `name::sqlite` and `name::postgres`, each
/// calling `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )+
    };
}

/// A map standing in for the process environment.
#[derive(Debug, Default, Clone)]
pub struct TestEnv(pub HashMap<String, String>);

impl EnvSource for TestEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// A database for one test, on either engine; removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    _dir: tempfile::TempDir,
    _pg: Option<postgres::TestDatabase>,
}

impl TestDb {
    /// A migrated database.
    pub async fn migrated(backend: Backend) -> Self {
        Self::new(backend, true).await
    }

    /// An empty database, for migration tests.
    pub async fn empty(backend: Backend) -> Self {
        Self::new(backend, false).await
    }

    async fn new(backend: Backend, migrated: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Self {
                backend,
                // The app migrates SQLite on start; a migrated copy is only
                // needed for PostgreSQL, where cloning a template is faster.
                url: format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                _dir: dir,
                _pg: None,
            },
            Backend::Postgres => {
                let pg = if migrated {
                    postgres::TestDatabase::create().await
                } else {
                    postgres::TestDatabase::create_empty().await
                };
                Self {
                    backend,
                    url: pg.url.clone(),
                    _dir: dir,
                    _pg: Some(pg),
                }
            }
        }
    }

    /// An empty stand-in left behind when a database moves to a new server.
    fn placeholder() -> Self {
        Self {
            backend: Backend::Sqlite,
            url: String::new(),
            _dir: tempfile::tempdir().expect("temp dir"),
            _pg: None,
        }
    }

    /// A directory that lives as long as this database.
    pub fn dir(&self) -> PathBuf {
        self._dir.path().to_path_buf()
    }

    pub fn database_backend(&self) -> DatabaseBackend {
        match self.backend {
            Backend::Sqlite => DatabaseBackend::Sqlite,
            Backend::Postgres => DatabaseBackend::Postgres,
        }
    }

    /// A connection of the test's own, outside the app.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(&self.url)
            .await
            .expect("connect to the test database")
    }
}

/// A running Leadforge server.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub db: TestDb,
    /// The server's own services, for fixtures a client cannot make.
    pub services: Services,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// An HTTP client that asks for `application/graphql-response+json`, as
/// current GraphQL clients do (so request errors answer 4xx).
pub fn graphql_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static(
            "application/graphql-response+json, application/json;q=0.9",
        ),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

impl TestApp {
    /// The server on `backend` with the test defaults.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// The server with extra settings, given as environment variables.
    pub async fn spawn_with(backend: Backend, settings: &[(&str, &str)]) -> Self {
        let db = TestDb::migrated(backend).await;
        Self::spawn_on(db, settings).await
    }

    /// Stops this server and starts another on the same database and data
    /// directory with `settings` (a redeploy, or a restart after a crash).
    pub async fn restart_with(mut self, settings: &[(&str, &str)]) -> Self {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        // `self` has nothing left to stop; move its database out.
        let db = std::mem::replace(&mut self.db, TestDb::placeholder());
        Self::spawn_on(db, settings).await
    }

    async fn spawn_on(db: TestDb, settings: &[(&str, &str)]) -> Self {
        let mut env = TestEnv::default();
        let data_dir = db.dir().join("data");
        for (k, v) in [
            ("LEADFORGE_ADDR", "127.0.0.1:0"),
            ("LEADFORGE_DATA_DIR", data_dir.to_str().expect("utf-8 path")),
            ("DATABASE_URL", db.url.as_str()),
            ("LEADFORGE_SHUTDOWN_GRACE_SECS", "2"),
            // The stand-ins' listings trail writes by less than this.
            ("LEADFORGE_LAUNCH_LOOKUP_DELAY_SECS", "1"),
            ("LEADFORGE_METRICS_TOKEN", METRICS_TOKEN),
            // Receivers the tests start listen on 127.0.0.1; retries come
            // quickly.
            ("LEADFORGE_ALLOW_PRIVATE_DESTINATIONS", "true"),
            ("LEADFORGE_DELIVERY_BACKOFF_MS", "50"),
        ] {
            env.0.insert(k.to_owned(), v.to_owned());
        }
        for (k, v) in settings {
            env.0.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::load_from(None, &env).expect("test configuration is valid");
        logs::install();
        let app = App::build(config).await.expect("the app starts");
        let addr = app.local_addr().expect("bound address");
        let services = app.services().clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stop_rx.await;
        }));
        Self {
            addr,
            http: graphql_client(),
            db,
            services,
            stop: Some(stop_tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The server's `/metrics` text, read with the test token.
    pub async fn metrics(&self) -> String {
        let response = self
            .http
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(response.status(), 200, "GET /metrics");
        response.text().await.expect("metrics text")
    }

    /// SQL statements the server has run so far, from its own
    /// `leadforge_db_statements_total` metric.
    pub async fn statements(&self) -> u64 {
        let text = self.metrics().await;
        text.lines()
            .filter(|l| l.starts_with("leadforge_db_statements_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// POSTs a GraphQL request and returns the status and the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> GqlResponse {
        let response = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        GqlResponse::read(response).await
    }

    /// POSTs a GraphQL request with a bearer token.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> GqlResponse {
        let response = self
            .http
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        GqlResponse::read(response).await
    }

    /// Sends `document` as a GraphQL multipart request (the upload spec)
    /// with `bytes` as the file in variable `$file`, and the CSRF header
    /// unless `csrf` is false.
    pub async fn upload(
        &self,
        token: Option<&str>,
        document: &str,
        file_name: &str,
        bytes: Vec<u8>,
        csrf: bool,
    ) -> GqlResponse {
        let operations = json!({ "query": document, "variables": { "file": null } });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(file_name.to_owned())
                    .mime_str("application/octet-stream")
                    .expect("a MIME type"),
            );
        let mut request = self.http.post(self.url("/graphql")).multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if csrf {
            request = request.header("apollo-require-preflight", "true");
        }
        GqlResponse::read(request.send().await.expect("POST /graphql (multipart)")).await
    }

    /// `uploadCreative` as `token`, returning the answer.
    pub async fn upload_creative(
        &self,
        token: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> GqlResponse {
        self.upload(Some(token), UPLOAD_CREATIVE, file_name, bytes, true)
            .await
    }

    /// Signs up a new tenant and its first member.
    pub async fn sign_up(&self, email: &str, tenant: &str) -> Account {
        let r = self
            .graphql(
                "mutation($e: String!, $p: String!, $t: String!) { signUp(email: $e, password: $p, tenantName: $t) { token user { id tenant { id } } } }",
                json!({ "e": email, "p": PASSWORD, "t": tenant }),
            )
            .await;
        Account::from_payload(email, &r.data()["signUp"])
    }

    /// Signs in with the shared test password.
    pub async fn sign_in(&self, email: &str) -> Account {
        let r = self
            .graphql(
                "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token user { id tenant { id } } } }",
                json!({ "e": email, "p": PASSWORD }),
            )
            .await;
        Account::from_payload(email, &r.data()["signIn"])
    }

    /// A chief architect, created the way the bootstrap command does, signed in.
    pub async fn chief_architect(&self, email: &str) -> Account {
        self.services
            .identity
            .create_account(leadforge::services::identity::NewUser {
                tenant_id: entities::PLATFORM_TENANT_ID,
                email: email.to_owned(),
                password: PASSWORD.to_owned().into(),
                role: entities::Role::ChiefArchitect,
            })
            .await
            .expect("create a chief architect");
        self.sign_in(email).await
    }

    /// Shorthand for a query without variables.
    pub async fn query(&self, query: &str) -> GqlResponse {
        self.graphql(query, json!({})).await
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("server task"),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The `uploadCreative` document the upload helpers send, selecting every
/// field of `Creative`.
pub const UPLOAD_CREATIVE: &str = "mutation($file: Upload!) { uploadCreative(file: $file) { id fileName contentType byteSize width height sha256 url thumbnailUrl createdAt } }";

/// The `/metrics` bearer token of every test server.
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in test account.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub token: String,
    pub user_id: String,
    pub tenant_id: String,
}

impl Account {
    fn from_payload(email: &str, payload: &Value) -> Self {
        Self {
            email: email.to_owned(),
            token: payload["token"].as_str().expect("token").to_owned(),
            user_id: payload["user"]["id"].as_str().expect("user id").to_owned(),
            tenant_id: payload["user"]["tenant"]["id"]
                .as_str()
                .expect("tenant id")
                .to_owned(),
        }
    }
}

/// A GraphQL answer over HTTP.
#[derive(Debug)]
pub struct GqlResponse {
    pub status: reqwest::StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl GqlResponse {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Self {
            status,
            content_type,
            body,
        }
    }

    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of every error.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<none>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first error's message.
    pub fn first_message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}
