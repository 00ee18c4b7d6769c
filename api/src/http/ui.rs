//! The admin UI: the built single-page app served at `/`.
//!
//! Hashed files under `assets/` never change, so they are cached for a year;
//! every other path that is not an API route answers `index.html` (the SPA's
//! own router takes it from there), which is never cached so a deploy shows
//! at once. Every UI response carries a strict Content-Security-Policy: the
//! app loads nothing from anywhere but this origin (and the S3 origin of the
//! presigned image links, when creatives live on S3).
//!
//! GraphiQL is the build's second page (`graphiql.html`), served at
//! `/graphiql` when switched on, with a policy of its own: like the app's, it
//! loads scripts from this origin only, so the IDE works with no network
//! beyond this server and no CDN can change what runs in it.
//!
//! When the UI was never built (no Node.js where the binary was built), `/`
//! says in plain words how to get it, and the API works as always.

use std::path::Path;

use axum::{
    body::Body,
    http::{HeaderValue, Request, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::config::Config;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// What `/` serves, decided once at start.
#[derive(Clone)]
pub enum Ui {
    Built {
        dir: std::path::PathBuf,
        csp: HeaderValue,
    },
    Missing {
        dir: std::path::PathBuf,
    },
}

impl Ui {
    pub fn from_config(config: &Config) -> Self {
        let dir = config.ui_dir.clone();
        if !dir.join("index.html").is_file() {
            return Self::Missing { dir };
        }
        let csp = content_security_policy(config);
        Self::Built { dir, csp }
    }

    pub fn is_built(&self) -> bool {
        matches!(self, Self::Built { .. })
    }

    /// Answers a request no route claims: a file of the UI, or its `index.html`.
    /// Paths under the API's own prefixes are never the app (a switched-off
    /// `/graphiql`, a mistyped `/graphql/…`), so they stay a plain 404.
    pub async fn serve(self, request: Request<Body>) -> Response {
        let path = request.uri().path();
        // GraphiQL's page is served at `/graphiql` (when switched on) with
        // its own policy, never as a file of the app.
        if is_api_path(path) || path == GRAPHIQL_PAGE {
            return not_found();
        }
        let (dir, csp) = match self {
            Self::Missing { dir } => return missing_page(&dir, request.uri().path()),
            Self::Built { dir, csp } => (dir, csp),
        };
        let is_asset = request.uri().path().starts_with("/assets/");
        let index = dir.join("index.html");
        // A missing asset is a 404, not the page: a stale page asking for
        // a script of an older build must not be handed HTML.
        let files = ServeDir::new(&dir).precompressed_gzip();
        let served = if is_asset {
            files.oneshot(request).await.map(|r| r.map(Body::new))
        } else {
            files
                .fallback(ServeFile::new(&index))
                .oneshot(request)
                .await
                .map(|r| r.map(Body::new))
        };
        let mut response = match served {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        };
        let ok = response.status() == StatusCode::OK;
        let headers = response.headers_mut();
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let cache = if is_asset && ok && !is_html {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        headers.insert(header::CACHE_CONTROL, cache);
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        response
    }
}

/// Only this origin, plus the S3 origin that presigned image links point at.
fn content_security_policy(config: &Config) -> HeaderValue {
    let images = match &config.s3 {
        None => String::new(),
        Some(s3) => match &s3.endpoint {
            Some(endpoint) => format!(" {}", endpoint.origin().ascii_serialization()),
            None => " https://*.amazonaws.com".to_owned(),
        },
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{images}; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

/// GraphiQL's page in the UI's build (its second entry, `admin-ui/graphiql.html`).
const GRAPHIQL_PAGE: &str = "/graphiql.html";

/// What the GraphiQL page may load and do: scripts, styles and fonts from
/// this origin only (the build's hashed assets), requests to this origin
/// (its WebSocket included), and never inside another site's frame.
pub const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     font-src 'self' data:; img-src 'self' data:; connect-src 'self'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `/graphiql`: the GraphiQL page the UI's build made, read at each request
/// (a rebuild shows at once), or plain words when it was never built.
pub async fn graphiql(dir: std::path::PathBuf) -> Response {
    let page = match tokio::fs::read(dir.join(GRAPHIQL_PAGE.trim_start_matches('/'))).await {
        Ok(page) => page,
        Err(_) => return graphiql_missing(&dir),
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, GRAPHIQL_CSP),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page,
    )
        .into_response()
}

fn graphiql_missing(dir: &Path) -> Response {
    let dir = html_escape(&dir.display().to_string());
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadforge GraphiQL</title></head>
<body>
<h1>GraphiQL is not built</h1>
<p>GraphiQL is part of the admin UI's build, which this machine does not have.
GraphQL itself is served at <code>/graphql</code>.</p>
<p>Install Node.js (20 or newer) with npm and build Leadforge again, or run
<code>npm ci &amp;&amp; npm run build</code> in <code>admin-ui/</code>.
The server looks for it in <code>{dir}</code> (setting <code>LEADFORGE_UI_DIR</code>).</p>
</body></html>
"#
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        page,
    )
        .into_response()
}

/// Prefixes that belong to the API, never to the app's own routes.
const API_PREFIXES: [&str; 6] = [
    "/graphql",
    "/graphiql",
    "/blobs",
    "/healthz",
    "/readyz",
    "/metrics",
];

fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"not found"}"#,
    )
        .into_response()
}

fn missing_page(dir: &Path, path: &str) -> Response {
    if path != "/" && path != "/index.html" {
        return not_found();
    }
    let dir = html_escape(&dir.display().to_string());
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadforge</title></head>
<body>
<h1>Leadforge is running</h1>
<p>The admin UI is not built on this machine, so only the API is served:
GraphQL at <a href="/graphql">/graphql</a>, the GraphiQL IDE at <a href="/graphiql">/graphiql</a>.</p>
<p>To get the UI, install Node.js (20 or newer) with npm and build Leadforge again
(<code>cargo run</code> builds the UI when npm is on the PATH), or build it yourself with
<code>npm ci &amp;&amp; npm run build</code> in <code>admin-ui/</code>.
The server looks for it in <code>{dir}</code> (setting <code>LEADFORGE_UI_DIR</code>).</p>
</body></html>
"#
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ),
        ],
        page,
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
