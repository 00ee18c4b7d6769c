//! Depth, complexity, aliases, batch size and body size are bounded, each
//! with a clear LIMIT_EXCEEDED; the standard introspection query still works.

use leadforge_e2e::{Backend, GqlResponse, TestApp};
use serde_json::json;

/// The introspection query GraphiQL and code generators send.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_works_under_tight_limits() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_MAX_QUERY_DEPTH", "3"),
            ("LEADFORGE_MAX_QUERY_COMPLEXITY", "5"),
        ],
    )
    .await;
    let r = app.query(INTROSPECTION).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_INTROSPECTION", "false")]).await;
    let r = app.query("{ __schema { queryType { name } } }").await;
    assert_eq!(r.error_codes(), vec!["FORBIDDEN"], "{}", r.body);
    assert!(r.first_message().contains("Introspection is disabled"));
    // `__typename` is not introspection of the schema and stays available.
    let r = app.query("{ __typename }").await;
    assert_eq!(r.data()["__typename"], "Query");
    // Ordinary queries are unaffected.
    app.query("{ serverStatus { version } }").await.data();
}

#[tokio::test]
async fn depth_and_complexity_are_limited() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_MAX_QUERY_DEPTH", "1"),
            ("LEADFORGE_MAX_QUERY_COMPLEXITY", "100"),
        ],
    )
    .await;
    let r = app.query("{ serverStatus { version } }").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
    assert!(
        r.first_message().contains("at most 1"),
        "{}",
        r.first_message()
    );

    let app =
        TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_MAX_QUERY_COMPLEXITY", "2")]).await;
    let r = app
        .query("{ serverStatus { version database pendingMigrations } }")
        .await;
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
    assert!(r.first_message().contains("complexity"));
}

#[tokio::test]
async fn aliases_are_limited() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_MAX_ALIASES", "3")]).await;
    let ok = app
        .query("{ a: serverStatus { version } b: serverStatus { version } }")
        .await;
    assert_eq!(ok.data()["b"]["version"], ok.data()["a"]["version"]);
    let many: String = (0..5)
        .map(|i| format!("a{i}: serverStatus {{ version }} "))
        .collect();
    let r = app.query(&format!("{{ {many} }}")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
    assert!(r.first_message().contains("aliases"));
}

#[tokio::test]
async fn batch_and_body_sizes_are_limited() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_MAX_BATCH", "2"),
            ("LEADFORGE_MAX_BODY_BYTES", "2048"),
        ],
    )
    .await;
    let op = json!({ "query": "{ serverStatus { version } }" });
    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&json!([op, op, op]))
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);

    let padding = " ".repeat(4096);
    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": format!("{{ serverStatus {{ version }} }}{padding}") }))
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
}

#[tokio::test]
async fn introspection_cannot_be_nested_to_multiply_its_answer() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .query("{ __schema { types { fields { type { ofType { fields { type { fields { name } } } } } } } } }")
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
    assert!(
        r.first_message().contains("introspection"),
        "{}",
        r.first_message()
    );
    // The shapes tools send still work.
    app.query(INTROSPECTION).await.data();
    app.query("{ __type(name: \"Query\") { fields { name args { name type { name } } } } }")
        .await
        .data();
}
