//! The multipart request is read in the spec's order and bounded: parts the
//! `map` does not name are refused unread (no descriptor, no temporary
//! file), `operations` is bounded like a JSON body, one request carries at
//! most `LEADFORGE_MAX_UPLOAD_FILES` files, and an upload still works.

use std::time::Duration;

use leadforge_e2e::{Backend, TestApp, images};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const UPLOAD: &str = "mutation($file: Upload!) { uploadCreative(file: $file) { id } }";
const BOUNDARY: &str = "leadforgeboundary";

/// The process's open descriptors (the server runs in this process).
fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn part(name: &str, file: Option<&str>, body: &str) -> String {
    let disposition = match file {
        Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
        None => format!("form-data; name=\"{name}\""),
    };
    format!("--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n{body}\r\n")
}

/// Sends a multipart head and `body` on a raw connection, without ever
/// finishing the body (the attack), and answers the response's head line
/// and JSON.
async fn send_unfinished(app: &TestApp, token: &str, body: &str) -> (String, Value) {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: leadforge\r\nAuthorization: Bearer {token}\r\n\
         apollo-require-preflight: true\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len() + 1_000_000
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (and stop reading) before all of it is sent.
    let _ = stream.write_all(body.as_bytes()).await;
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got);
            if let Some((_, rest)) = text.split_once("\r\n\r\n")
                && serde_json::from_str::<Value>(rest).is_ok()
            {
                break;
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer while the body was unfinished; got {:?}; logs {}",
        String::from_utf8_lossy(&got),
        leadforge_e2e::logs::captured()
    );
    let text = String::from_utf8_lossy(&got).into_owned();
    let (head, json) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or_default().to_owned(),
        serde_json::from_str(json).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn parts_the_map_does_not_name_are_refused_unread() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let operations = json!({ "query": UPLOAD, "variables": { "file": null } }).to_string();
    let mut body = part("operations", None, &operations);
    body.push_str(&part(
        "map",
        None,
        &json!({ "0": ["variables.file"] }).to_string(),
    ));
    // 2,000 one-byte file parts nobody mapped, before the one that is.
    for i in 0..2_000 {
        body.push_str(&part(&format!("x{i}"), Some("a.png"), "a"));
    }
    let before = open_descriptors();
    let (status, answer) = send_unfinished(&app, &ann.token, &body).await;
    assert!(status.contains(" 400 "), "{status} {answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Unexpected part `x0`"),
        "{answer}"
    );
    let after = open_descriptors();
    assert!(
        after < before + 20,
        "{before} descriptors before, {after} after"
    );
}

#[tokio::test]
async fn operations_are_bounded_like_a_json_body_and_files_by_the_setting() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_MAX_BODY_BYTES", "4096")]).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    // A 64 KiB `operations` part.
    let padding = " ".repeat(64 * 1024);
    let operations =
        format!("{{\"query\": \"{UPLOAD}\",{padding} \"variables\": {{ \"file\": null }} }}");
    let body = part("operations", None, &operations);
    let (status, answer) = send_unfinished(&app, &ann.token, &body).await;
    assert!(status.contains(" 413 "), "{status} {answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");

    // Two files mapped where one is allowed.
    let operations = json!({ "query": UPLOAD, "variables": { "file": null } }).to_string();
    let mut body = part("operations", None, &operations);
    body.push_str(&part(
        "map",
        None,
        &json!({ "0": ["variables.file"], "1": ["variables.file"] }).to_string(),
    ));
    // The next part's boundary: the map is complete.
    body.push_str(&format!("--{BOUNDARY}\r\n"));
    let (status, answer) = send_unfinished(&app, &ann.token, &body).await;
    assert!(status.contains(" 413 "), "{status} {answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 1 are allowed"),
        "{answer}"
    );

    // `map` before `operations` breaks the spec's order.
    let body = part("map", None, &json!({ "0": ["variables.file"] }).to_string());
    let (status, answer) = send_unfinished(&app, &ann.token, &body).await;
    assert!(status.contains(" 400 "), "{status} {answer}");

    // A well-formed upload still works.
    let r = app
        .upload(
            Some(&ann.token),
            UPLOAD,
            "ad.png",
            images::png(640, 640, 1),
            true,
        )
        .await;
    assert!(r.data()["uploadCreative"]["id"].is_string(), "{}", r.body);
}
