//! Slow clients cannot hold connections: headers, bodies and idle keep-alive
//! connections have deadlines, and open connections are bounded. Short
//! deadlines are configured; the assertions are about what the server does
//! (answers 408, closes), with generous client-side limits only so that a
//! regression fails instead of hanging.

use std::time::Duration;

use leadforge_e2e::{Backend, TestApp};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const CLIENT_PATIENCE: Duration = Duration::from_secs(20);

async fn slow_app(extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![
        ("LEADFORGE_HEADER_TIMEOUT_SECS", "1"),
        ("LEADFORGE_BODY_TIMEOUT_SECS", "1"),
    ];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(Backend::Sqlite, &settings).await
}

/// Everything the server sends until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(CLIENT_PATIENCE, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_off() {
    let app = slow_app(&[]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: leadforge\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_promised_body_that_never_comes_gets_408() {
    let app = slow_app(&[]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: leadforge\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\"",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("stopped arriving"), "{answer}");
}

#[tokio::test]
async fn a_stalled_chunked_body_gets_408() {
    let app = slow_app(&[]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: leadforge\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"que\r\n",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let app = slow_app(&[]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: leadforge\r\n\r\n")
        .await
        .unwrap();
    // The answer arrives, then the idle connection is closed.
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn open_connections_are_bounded() {
    let app = slow_app(&[("LEADFORGE_MAX_CONNECTIONS", "2")]).await;
    // Two clients that send nothing hold both slots until their header
    // deadline closes them.
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A third is accepted only once a slot is free: when its answer
    // arrives, the server has already closed a stalled connection.
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: leadforge\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let freed = stalled.iter().filter(|s| closed_by_server(s)).count();
    assert!(
        freed >= 1,
        "the third connection was served while both slots were held"
    );
}

/// Whether the server has closed `stream` (its end-of-stream is already
/// here), reading whatever it sent before.
fn closed_by_server(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match stream.try_read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// A client connection from `ip` (another loopback address than the test's
/// own 127.0.0.1), which sends nothing.
async fn silent_from(ip: [u8; 4], app: &TestApp) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(std::net::SocketAddr::from((ip, 0))).unwrap();
    socket.connect(app.addr).await.unwrap()
}

#[tokio::test]
async fn a_connection_that_never_sends_a_byte_is_closed() {
    let app = slow_app(&[]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.is_empty(), "{answer}");
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_refused_unless_switched_on() {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    // An empty SETTINGS frame: length 0, type 4, flags 0, stream 0.
    const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(PREFACE).await.unwrap();
    stream.write_all(SETTINGS).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.is_empty(), "an h2c server answered: {answer:?}");

    // Switched on, the same client gets the server's SETTINGS frame.
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_HEADER_TIMEOUT_SECS", "1"),
            ("LEADFORGE_H2C", "true"),
        ],
    )
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(PREFACE).await.unwrap();
    stream.write_all(SETTINGS).await.unwrap();
    let mut head = [0u8; 9];
    tokio::time::timeout(CLIENT_PATIENCE, stream.read_exact(&mut head))
        .await
        .expect("the server answers")
        .unwrap();
    assert_eq!(head[3], 4, "a SETTINGS frame: {head:?}");
}

#[tokio::test]
async fn a_body_dripped_under_the_pause_timeout_still_ends_at_the_deadline() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_BODY_TIMEOUT_SECS", "2"),
            ("LEADFORGE_BODY_DEADLINE_SECS", "2"),
        ],
    )
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: leadforge\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    // One byte every 300 ms: never a pause the pause timeout sees. The
    // answer is read meanwhile.
    let (mut reader, mut writer) = stream.into_split();
    let read = tokio::spawn(async move {
        let mut received = Vec::new();
        let _ = tokio::time::timeout(CLIENT_PATIENCE, reader.read_to_end(&mut received)).await;
        String::from_utf8_lossy(&received).into_owned()
    });
    for _ in 0..60 {
        if read.is_finished() || writer.write_all(b" ").await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let answer = read.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            // Silent connections would be closed in 30 s: long after this
            // test has its answer.
            ("LEADFORGE_HEADER_TIMEOUT_SECS", "30"),
            ("LEADFORGE_MAX_CONNECTIONS", "20"),
            ("LEADFORGE_MAX_CONNECTIONS_PER_ADDRESS", "5"),
        ],
    )
    .await;
    let mut silent = Vec::new();
    for _ in 0..22 {
        silent.push(silent_from([127, 0, 0, 2], &app).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = silent.iter().filter(|s| closed_by_server(s)).count();
    assert!(refused >= 17, "only {refused} of 22 were closed at once");
    // Another client is served at once.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: leadforge\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
