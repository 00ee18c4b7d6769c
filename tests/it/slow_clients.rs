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

/// A hand-written HTTP/2 client: frames go out as written; the server's
/// SETTINGS and PINGs are acknowledged as they arrive, as a real client
/// would (so a connection kept open by PING acks alone is what is tested).
struct H2Peer {
    frames: tokio::sync::mpsc::UnboundedReceiver<H2Frame>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

#[derive(Debug)]
struct H2Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

const H2_DATA: u8 = 0;
const H2_HEADERS: u8 = 1;
const H2_SETTINGS: u8 = 4;
const H2_PING: u8 = 6;
const H2_GOAWAY: u8 = 7;
const H2_ACK: u8 = 1;
const H2_END_STREAM: u8 = 1;
const H2_END_HEADERS: u8 = 4;

impl H2Peer {
    /// Connects, sends the preface and an empty SETTINGS frame.
    async fn connect(app: &TestApp) -> Self {
        let (mut reader, writer) = TcpStream::connect(app.addr).await.unwrap().into_split();
        let (sent, frames) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let mut head = [0u8; 9];
                if reader.read_exact(&mut head).await.is_err() {
                    break;
                }
                let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
                let mut payload = vec![0; len];
                if reader.read_exact(&mut payload).await.is_err() {
                    break;
                }
                let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
                let frame = H2Frame {
                    kind: head[3],
                    flags: head[4],
                    stream,
                    payload,
                };
                if sent.send(frame).is_err() {
                    break;
                }
            }
        });
        let mut peer = Self { frames, writer };
        peer.write_raw(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
        peer.send(H2_SETTINGS, 0, 0, &[]).await;
        peer
    }

    async fn write_raw(&mut self, bytes: &[u8]) {
        // The server may have closed already; what it did is what is asserted.
        let _ = self.writer.write_all(bytes).await;
    }

    async fn send(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let len = (payload.len() as u32).to_be_bytes();
        let mut frame = vec![len[1], len[2], len[3], kind, flags];
        frame.extend_from_slice(&stream.to_be_bytes());
        frame.extend_from_slice(payload);
        self.write_raw(&frame).await;
    }

    /// The server's next frame (SETTINGS and PINGs acknowledged on the way),
    /// or `None` once it closed the connection.
    async fn next(&mut self) -> Option<H2Frame> {
        let frame = self.frames.recv().await?;
        if frame.kind == H2_SETTINGS && frame.flags & H2_ACK == 0 {
            self.send(H2_SETTINGS, H2_ACK, 0, &[]).await;
        }
        if frame.kind == H2_PING && frame.flags & H2_ACK == 0 {
            let payload = frame.payload.clone();
            self.send(H2_PING, H2_ACK, 0, &payload).await;
        }
        Some(frame)
    }
}

/// A POST /graphql request's header block (HPACK, no Huffman coding).
fn graphql_post_headers() -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    for (index, value) in [(4u8, "/graphql"), (1, "leadforge")] {
        // A literal with an indexed name (:path, :authority), not indexed.
        block.push(index);
        block.push(value.len() as u8);
        block.extend_from_slice(value.as_bytes());
    }
    // A literal with a new name, not indexed.
    let (name, value) = ("content-type", "application/json");
    block.push(0);
    block.push(name.len() as u8);
    block.extend_from_slice(name.as_bytes());
    block.push(value.len() as u8);
    block.extend_from_slice(value.as_bytes());
    block
}

#[tokio::test]
async fn an_http2_connection_that_only_answers_pings_is_closed_when_idle() {
    let app = slow_app(&[
        ("LEADFORGE_H2C", "true"),
        ("LEADFORGE_H2_IDLE_TIMEOUT_SECS", "2"),
    ])
    .await;
    let started = std::time::Instant::now();
    let mut peer = H2Peer::connect(&app).await;
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    let mut goaway = false;
    let closed = tokio::time::timeout(CLIENT_PATIENCE, async {
        loop {
            tokio::select! {
                frame = peer.next() => match frame {
                    Some(frame) => goaway |= frame.kind == H2_GOAWAY,
                    None => break,
                },
                // The client keeps talking (PINGs), but opens no stream.
                _ = tick.tick() => peer.send(H2_PING, 0, 0, &[7; 8]).await,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an idle HTTP/2 connection was kept open");
    let after = started.elapsed();
    assert!(goaway, "the server said GOAWAY before closing");
    assert!(
        after >= Duration::from_millis(1800),
        "closed before the idle timeout: {after:?}"
    );
}

#[tokio::test]
async fn an_http2_connection_with_an_open_stream_is_not_idle() {
    let app = slow_app(&[
        ("LEADFORGE_H2C", "true"),
        ("LEADFORGE_H2_IDLE_TIMEOUT_SECS", "1"),
    ])
    .await;
    let mut peer = H2Peer::connect(&app).await;
    peer.send(H2_HEADERS, H2_END_HEADERS, 1, &graphql_post_headers())
        .await;
    // The body arrives in 13 pieces, 250 ms apart: the stream stays open
    // for three times the idle timeout (each pause under the body timeout).
    let body = br#"{"query":"{ __typename }"}"#;
    let mut pieces = body.chunks(2).peekable();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut status = None;
    let answered = tokio::time::timeout(CLIENT_PATIENCE, async {
        loop {
            tokio::select! {
                frame = peer.next() => {
                    let frame = frame.expect("the connection was closed with a stream open");
                    assert_ne!(frame.kind, H2_GOAWAY, "GOAWAY with a stream open: {frame:?}");
                    if frame.kind == H2_HEADERS && frame.stream == 1 {
                        status = frame.payload.first().copied();
                        break;
                    }
                },
                _ = tick.tick(), if pieces.peek().is_some() => {
                    let piece = pieces.next().unwrap_or_default();
                    let flags = if pieces.peek().is_none() { H2_END_STREAM } else { 0 };
                    peer.send(H2_DATA, flags, 1, piece).await;
                }
            }
        }
    })
    .await;
    assert!(answered.is_ok(), "no answer to the slow request");
    // 0x88: the static table's `:status 200`.
    assert_eq!(status, Some(0x88), "the request was answered with 200");
    // Once its only stream is over, the connection is idle and closed.
    let closed = tokio::time::timeout(CLIENT_PATIENCE, async {
        while peer.next().await.is_some() {}
    })
    .await;
    assert!(closed.is_ok(), "the connection stayed open once idle");
}
