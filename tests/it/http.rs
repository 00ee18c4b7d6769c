//! GraphQL over HTTP: content negotiation, status codes, methods, bodies.

use leadforge_e2e::{Backend, GqlResponse, TestApp};
use serde_json::json;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

async fn post(app: &TestApp, accept: Option<&str>, body: serde_json::Value) -> GqlResponse {
    // A plain client, without the suite's default `Accept`.
    let mut request = reqwest::Client::new().post(app.url("/graphql")).json(&body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    GqlResponse::read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn accept_header_chooses_the_media_type() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ok = json!({ "query": "{ serverStatus { __typename database } }" });

    // No preference (reqwest sends `*/*`): plain JSON, as the spec advises.
    let r = post(&app, None, ok.clone()).await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("application/json"),
        "{}",
        r.content_type
    );
    assert_eq!(r.data()["serverStatus"]["__typename"], "ServerStatus");

    let r = post(&app, Some(GRAPHQL_RESPONSE_JSON), ok.clone()).await;
    assert!(
        r.content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{}",
        r.content_type
    );

    let r = post(&app, Some("application/json"), ok.clone()).await;
    assert!(
        r.content_type.starts_with("application/json"),
        "{}",
        r.content_type
    );

    let r = post(
        &app,
        Some("application/graphql-response+json, application/json;q=0.9"),
        ok.clone(),
    )
    .await;
    assert!(r.content_type.starts_with(GRAPHQL_RESPONSE_JSON));

    let r = app
        .http
        .post(app.url("/graphql"))
        .header("accept", "text/html")
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 406);
}

#[tokio::test]
async fn request_errors_are_4xx_under_graphql_response_json_and_200_under_json() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let unparsable = json!({ "query": "{ serverStatus { " });
    let invalid = json!({ "query": "{ serverStatus { noSuchField } }" });

    for (body, code) in [
        (unparsable, "GRAPHQL_PARSE_FAILED"),
        (invalid, "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let r = post(&app, Some(GRAPHQL_RESPONSE_JSON), body.clone()).await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.error_codes(), vec![code]);
        assert!(
            r.body.get("data").is_none(),
            "a request error has no data: {}",
            r.body
        );

        let r = post(&app, Some("application/json"), body).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.error_codes(), vec![code]);
    }
}

#[tokio::test]
async fn malformed_bodies_and_media_types_are_refused_clearly() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);

    let r = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body("{ serverStatus { version } }")
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 415);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);

    // Multipart from an anonymous caller: refused before the body is read.
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "multipart/form-data; boundary=x")
        .header("apollo-require-preflight", "true")
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"]);

    // Multipart without a CSRF-preventing header.
    let who = app.sign_up("csrf@example.com", "Csrf Co").await;
    let r = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&who.token)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 400);
    assert!(r.first_message().contains("apollo-require-preflight"));
}

#[tokio::test]
async fn get_runs_queries_but_not_mutations() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "{ serverStatus { __typename database } }")])
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.data()["serverStatus"]["__typename"], "ServerStatus");

    let r = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "mutation { anything }")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
}

#[tokio::test]
async fn batches_are_answered_in_order() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // The status details are the chief architect's.
    let chief = app.chief_architect("chief@batch.test").await;
    let r = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&chief.token)
        .json(&json!([
            { "query": "{ serverStatus { __typename database } }" },
            { "query": "{ serverStatus { version } }" },
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body[0]["data"]["serverStatus"]["database"], "sqlite");
    assert!(body[1]["data"]["serverStatus"]["version"].is_string());
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(r.headers().get("x-request-id").is_some());
    let r = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");
}
