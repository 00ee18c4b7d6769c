//! An attack corpus: requests built to exhaust the server (the OWASP GraphQL
//! set and what a hostile client tried here). Each must be refused with the
//! right status and code, quickly, and the server must still answer after
//! all of them. A hang fails the test through the client's timeout; nothing
//! here asserts on time.

use std::{fmt::Write, time::Duration};

use leadforge_e2e::{
    Backend, GqlResponse, TestApp,
    ws::{Protocol, WsClient},
};
use serde_json::{Value, json};

/// `F0 { __typename }`, then `F{i} { ...F{i-1} ×3 }`: 3^n selections from n lines.
fn fan_out(n: usize) -> String {
    let mut q = format!("query {{ ...F{n} }}\nfragment F0 on Query {{ __typename }}\n");
    for i in 1..=n {
        let p = i - 1;
        writeln!(q, "fragment F{i} on Query {{ ...F{p} ...F{p} ...F{p} }}").unwrap();
    }
    q
}

struct Attack {
    name: &'static str,
    body: Value,
    status: u16,
    code: &'static str,
}

fn attack(name: &'static str, query: String, status: u16, code: &'static str) -> Attack {
    Attack {
        name,
        body: json!({ "query": query }),
        status,
        code,
    }
}

fn corpus() -> Vec<Attack> {
    let n = 1000;
    let mut chain = format!("{{ ...F{n} }} fragment F0 on Query {{ __typename }} ");
    for i in 1..=n {
        write!(chain, "fragment F{i} on Query {{ ...F{} }} ", i - 1).unwrap();
    }
    let unused: String = (0..5000)
        .map(|i| format!("fragment U{i} on Query {{ __typename }} "))
        .collect();
    let operations: String = (0..500)
        .map(|i| format!("query Op{i} {{ __typename }} "))
        .collect();
    vec![
        attack("fragment fan-out 3^29", fan_out(29), 400, "LIMIT_EXCEEDED"),
        attack("fragment fan-out 3^8", fan_out(8), 400, "LIMIT_EXCEEDED"),
        attack(
            "circular fragments",
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }".into(),
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        attack(
            "a fragment spreading itself",
            "{ ...A } fragment A on Query { __typename ...A }".into(),
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        attack("a chain of 1000 fragments", chain, 400, "LIMIT_EXCEEDED"),
        attack(
            "5000 unused fragments",
            format!("{{ __typename }} {unused}"),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack("500 operations", operations, 400, "LIMIT_EXCEEDED"),
        attack(
            "deep nesting",
            format!(
                "{{ me {} }}",
                "{ tenant ".repeat(40) + "}".repeat(40).as_str()
            ),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "nesting past the parser's bound",
            format!("{{ a {}}}", "{ a ".repeat(5000) + "}".repeat(5000).as_str()),
            400,
            "GRAPHQL_PARSE_FAILED",
        ),
        attack(
            "3000 copies of one field",
            format!("{{ {} }}", "__typename ".repeat(3000)),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "alias flood",
            format!(
                "{{ {} }}",
                (0..1000)
                    .map(|i| format!("a{i}: __typename "))
                    .collect::<String>()
            ),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "directive flood",
            format!("{{ __typename {} }}", "@skip(if: false) ".repeat(500)),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "argument flood",
            format!(
                "{{ __typename({}) }}",
                (0..500)
                    .map(|i| format!("a{i}: 1"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "variable flood",
            format!(
                "query({}) {{ __typename }}",
                (0..500)
                    .map(|i| format!("$v{i}: Int"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            400,
            "LIMIT_EXCEEDED",
        ),
        attack(
            "deeply nested list literal",
            format!(
                "{{ __typename(x: {}{}) }}",
                "[".repeat(20_000),
                "]".repeat(20_000)
            ),
            400,
            "GRAPHQL_PARSE_FAILED",
        ),
        attack(
            "introspection nested to multiply its answer",
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
                .into(),
            400,
            "LIMIT_EXCEEDED",
        ),
        Attack {
            name: "deeply nested JSON variables",
            body: json!({ "query": "query($x: [Int]) { __typename }" }),
            status: 400,
            code: "BAD_REQUEST",
        },
        Attack {
            name: "a batch over the limit",
            body: Value::Array(vec![json!({ "query": "{ __typename }" }); 50]),
            status: 400,
            code: "LIMIT_EXCEEDED",
        },
    ]
}

async fn corpus_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A hang is a failure, not a stuck suite.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for attack in corpus() {
        let mut body = serde_json::to_string(&attack.body).unwrap();
        if attack.name == "deeply nested JSON variables" {
            // serde_json cannot build this value; write it by hand.
            body.pop();
            body.push_str(&format!(
                ",\"variables\":{{\"x\":{}{}}}}}",
                "[".repeat(20_000),
                "]".repeat(20_000)
            ));
        }
        let response = client
            .post(app.url("/graphql"))
            .header("accept", "application/graphql-response+json")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: no answer: {e}", attack.name));
        let r = GqlResponse::read(response).await;
        assert_eq!(r.status, attack.status, "{}: {}", attack.name, r.body);
        if attack.code.is_empty() {
            continue;
        }
        let codes = r.error_codes();
        assert!(!codes.is_empty(), "{}: {}", attack.name, r.body);
        assert!(
            codes.iter().all(|c| c == attack.code),
            "{}: expected {}, got {codes:?}",
            attack.name,
            attack.code
        );
        // The answer stays small: no echo of a megabyte document.
        assert!(
            r.body.to_string().len() < 8192,
            "{}: answer of {} bytes",
            attack.name,
            r.body.to_string().len()
        );
    }

    // Bodies and media types.
    let huge = json!({ "query": format!("{{ __typename(x: \"{}\") }}", "x".repeat(2 << 20)) });
    let r = client
        .post(app.url("/graphql"))
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    for (content_type, status) in [("text/plain", 415), ("application/xml", 415), ("", 415)] {
        let r = client
            .post(app.url("/graphql"))
            .header("content-type", content_type)
            .body("{ __typename }")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "content-type {content_type:?}");
    }
    for accept in [
        "text/html",
        "image/png",
        "application/xml;q=1, application/json;q=0",
    ] {
        let r = client
            .post(app.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 406, "accept {accept:?}");
    }

    // The same passes guard the socket.
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut socket = WsClient::connect(&url, Protocol::TransportWs, json!({}))
        .await
        .unwrap();
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        socket.request(&fan_out(29), json!({})),
    )
    .await
    .expect("the socket answers the fan-out")
    .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{answer}"
    );

    // And the server still serves.
    let health = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let r = app.query("{ __typename serverStatus { version } }").await;
    assert_eq!(r.data()["__typename"], "Query");
}

#[tokio::test]
async fn attack_corpus_is_refused_sqlite() {
    corpus_is_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn attack_corpus_is_refused_postgres() {
    corpus_is_refused(Backend::Postgres).await;
}

/// Values a schema cannot coerce are the client's mistake, never INTERNAL.
async fn coercion_failures_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = app.sign_up("coerce@example.com", "Coerce Co").await;
    for (query, variables) in [
        ("{ creatives(first: 2147483648) { totalCount } }", json!({})),
        (
            "query($n: Int) { creatives(first: $n) { totalCount } }",
            json!({ "n": 2147483648u64 }),
        ),
    ] {
        let r = app.graphql_as(&who.token, query, variables).await;
        assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
        assert!(r.first_message().contains("Int"), "{}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "creatives");
    }
    // An Upload sent as JSON instead of a multipart file part.
    let r = app
        .graphql_as(
            &who.token,
            "mutation($file: Upload!) { uploadCreative(file: $file) { id } }",
            json!({ "file": "not a file" }),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
    assert!(r.first_message().contains("multipart"), "{}", r.body);
}

#[tokio::test]
async fn coercion_failures_are_bad_user_input_sqlite() {
    coercion_failures_are_bad_user_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn coercion_failures_are_bad_user_input_postgres() {
    coercion_failures_are_bad_user_input(Backend::Postgres).await;
}

/// NUL and other control characters are refused in free text, naming the field.
async fn control_characters_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for name in ["Nul\u{0}Corp", "Bell\u{7}Corp", "Right\u{202E}Left"] {
        let r = app
            .graphql(
                "mutation($t: String!) { signUp(email: \"ctl@example.com\", password: \"a long passphrase\", tenantName: $t) { token } }",
                json!({ "t": name }),
            )
            .await;
        assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "tenantName");
    }
    // Surrounding whitespace is trimmed, not refused.
    let r = app
        .graphql(
            "mutation { signUp(email: \"  ctl@example.com \", password: \"a long passphrase\", tenantName: \"  Clean Corp  \") { user { tenant { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["signUp"]["user"]["tenant"]["name"], "Clean Corp");
}

#[tokio::test]
async fn control_characters_are_refused_sqlite() {
    control_characters_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn control_characters_are_refused_postgres() {
    control_characters_are_refused(Backend::Postgres).await;
}
