//! A local lead webhook receiver for trying lead delivery by hand (see the
//! README, "Try lead delivery locally"): checks each `Leadforge-Signature`
//! with the destination's secret and prints what arrives.
//!
//! `lead-receiver --secret whsec_… [--port 9000]`

use leadforge_e2e::receiver::{Receiver, Seen};

fn print(seen: &Seen) {
    println!(
        "{} delivery {} signature {} -> {}\n{}",
        seen.body["event"].as_str().unwrap_or("?"),
        seen.delivery_id,
        if seen.signature_ok {
            "valid"
        } else {
            "INVALID"
        },
        seen.status,
        serde_json::to_string_pretty(&seen.body).unwrap_or_default()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut port = 9000;
    let mut secret = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or(port),
            "--secret" => secret = args.next(),
            _ => {
                eprintln!("usage: lead-receiver --secret whsec_… [--port 9000]");
                std::process::exit(2);
            }
        }
    }
    let Some(secret) = secret else {
        eprintln!("usage: lead-receiver --secret whsec_… [--port 9000]");
        std::process::exit(2);
    };
    let receiver = Receiver::start_on(port).await;
    receiver.set_secret(&secret);
    receiver.on_request(print);
    println!("listening on {}", receiver.url());
    let _ = tokio::signal::ctrl_c().await;
}
