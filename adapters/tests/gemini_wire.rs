//! The Gemini copywriter against the Gemini stand-in, and the offline Template writer.

// This whole crate is test code; helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use adapters::copywriter::*;
use adapters::stand_in::{
    Fault, FaultAction, GeminiAnswer, GeminiStandIn, Match, STAND_IN_KEY, STAND_IN_MODEL,
};
use secrecy::SecretString;

fn brief(variants: u8) -> CopyBrief {
    CopyBrief {
        niche: "yoga studio".into(),
        audience: "busy parents".into(),
        objective: Objective::Leads,
        offer: Some("first week free".into()),
        tone: None,
        variants,
    }
}

fn writer(gemini: &GeminiStandIn, key: &str, model: &str) -> GeminiCopywriter {
    let mut config = GeminiConfig::new(
        url::Url::parse(gemini.base_url()).expect("url"),
        SecretString::from(key.to_owned()),
    );
    config.model = model.into();
    config.base_delay = Duration::from_millis(1);
    config.max_delay = Duration::from_secs(1);
    config.request_timeout = Duration::from_secs(10);
    GeminiCopywriter::new(config).expect("writer")
}

fn status_error(http_status: u16, message: &str, retry_delay_secs: Option<f64>) -> FaultAction {
    FaultAction::Error {
        http_status,
        code: 0,
        subcode: None,
        message: message.into(),
        user_message: None,
        is_transient: None,
        retry_delay_secs,
    }
}

#[tokio::test]
async fn returns_validated_copy_with_a_structured_request() {
    let gemini = GeminiStandIn::start().await.expect("start");
    let copies = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(3))
        .await
        .expect("copy");
    assert_eq!(copies.len(), 3);
    assert!(copies.iter().all(|c| c.validate().is_ok()));
    let calls = gemini.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert!(call.key_ok, "key sent in x-goog-api-key");
    assert!(call.query.is_none(), "the key never goes into the URL");
    assert_eq!(
        call.path,
        format!("/v1beta/models/{STAND_IN_MODEL}:generateContent")
    );
    let gc = &call.body["generationConfig"];
    assert_eq!(gc["responseMimeType"], "application/json");
    assert_eq!(gc["responseSchema"]["type"], "ARRAY");
    let ctas = gc["responseSchema"]["items"]["properties"]["callToAction"]["enum"]
        .as_array()
        .expect("enum");
    assert!(ctas.iter().any(|c| c == "SIGN_UP") && ctas.len() == CallToAction::ALL.len());
    assert_eq!(gc["thinkingConfig"]["thinkingBudget"], 0);
    let prompt = call.body["contents"][0]["parts"][0]["text"]
        .as_str()
        .expect("prompt");
    assert!(
        prompt.contains("yoga studio")
            && prompt.contains("busy parents")
            && prompt.contains("first week free")
    );
}

#[tokio::test]
async fn bad_key_and_unknown_model_are_clear_and_not_retried() {
    let gemini = GeminiStandIn::start().await.expect("start");
    let err = writer(&gemini, "AIzaWrong", STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("bad key");
    assert!(
        matches!(&err, CopyError::BadKey { message } if message.contains("API key not valid")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("AIzaWrong"));
    let err = writer(&gemini, STAND_IN_KEY, "gemini-1.0-pro")
        .write(&brief(1))
        .await
        .expect_err("model");
    assert!(
        matches!(&err, CopyError::UnknownModel { model, .. } if model == "gemini-1.0-pro"),
        "{err:?}"
    );
    assert!(err.to_string().contains("gemini-1.0-pro"));
    assert_eq!(gemini.calls().len(), 2);
    assert!(!format!("{:?}", writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)).contains(STAND_IN_KEY));
}

#[tokio::test]
async fn rate_limit_honours_retry_delay_then_succeeds() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.inject(Fault::once(
        Match::any(),
        status_error(
            429,
            "Resource has been exhausted (e.g. check quota).",
            Some(0.02),
        ),
    ));
    let copies = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect("copy");
    assert_eq!(copies.len(), 1);
    assert_eq!(gemini.calls().len(), 2);
}

#[tokio::test]
async fn a_retry_delay_beyond_the_limit_ends_the_retries() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.inject(Fault::once(
        Match::any(),
        status_error(429, "quota", Some(120.0)),
    ));
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("quota");
    assert!(
        matches!(err, CopyError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(120)),
        "{err:?}"
    );
    assert_eq!(gemini.calls().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.inject(Fault::once(
        Match::any(),
        status_error(500, "Internal error", None),
    ));
    gemini.inject(Fault::once(
        Match::any(),
        FaultAction::Drop { apply: false },
    ));
    writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect("third try works");
    assert_eq!(gemini.calls().len(), 3);

    gemini.inject(Fault::times(
        Match::any(),
        status_error(
            503,
            "The model is overloaded. Please try again later.",
            None,
        ),
        3,
    ));
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("overloaded");
    assert!(
        matches!(&err, CopyError::Unavailable { message } if message.contains("503")),
        "{err:?}"
    );
    assert_eq!(gemini.calls().len(), 6, "three attempts, then the error");

    gemini.inject(Fault::once(
        Match::any(),
        status_error(400, "Request contains an invalid argument.", None),
    ));
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("400");
    assert!(matches!(err, CopyError::Refused { .. }), "{err:?}");
    assert_eq!(gemini.calls().len(), 7);
}

#[tokio::test]
async fn blocked_and_cut_off_answers_are_reported() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.push_answer(GeminiAnswer::Blocked("SAFETY".into()));
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("blocked");
    assert_eq!(
        err,
        CopyError::Blocked {
            reason: "SAFETY".into()
        }
    );
    gemini.push_answer(GeminiAnswer::CutOff("MAX_TOKENS".into()));
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("cut");
    assert_eq!(
        err,
        CopyError::CutOff {
            finish_reason: "MAX_TOKENS".into()
        }
    );
    assert_eq!(gemini.calls().len(), 2, "neither is retried");
}

#[tokio::test]
async fn invalid_output_is_retried_then_filtered() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.push_answer(GeminiAnswer::Text("Sure! Here are your ads:".into()));
    gemini.push_answer(GeminiAnswer::Text(serde_json::json!([
        {"headline": "A headline that is far too long to ever fit in a Meta ad slot", "body": "b", "callToAction": "SIGN_UP"},
        {"headline": "Good one", "body": "Short body.", "description": "", "callToAction": "GET_QUOTE"},
        {"headline": "Bad CTA", "body": "Body", "callToAction": "CLICK_HERE"},
        {"headline": " ", "body": "Empty headline", "callToAction": "SIGN_UP"}
    ]).to_string()));
    let copies = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(3))
        .await
        .expect("copy");
    assert_eq!(
        copies,
        vec![AdCopy {
            headline: "Good one".into(),
            body: "Short body.".into(),
            description: String::new(),
            call_to_action: CallToAction::GetQuote
        }]
    );
    assert_eq!(gemini.calls().len(), 2);

    for _ in 0..3 {
        gemini.push_answer(GeminiAnswer::Text(
            r#"[{"headline":"h","body":"b","callToAction":"CLICK_HERE"}]"#.into(),
        ));
    }
    let err = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL)
        .write(&brief(1))
        .await
        .expect_err("invalid");
    assert!(
        matches!(&err, CopyError::InvalidOutput { detail } if detail.contains("CLICK_HERE")),
        "{err:?}"
    );
}

#[tokio::test]
async fn briefs_are_checked_before_any_call() {
    let gemini = GeminiStandIn::start().await.expect("start");
    let w = writer(&gemini, STAND_IN_KEY, STAND_IN_MODEL);
    assert!(matches!(
        w.write(&brief(0)).await,
        Err(CopyError::BadBrief(_))
    ));
    assert!(matches!(
        w.write(&brief(6)).await,
        Err(CopyError::BadBrief(_))
    ));
    assert!(gemini.calls().is_empty());
}

#[tokio::test]
async fn template_is_deterministic_valid_and_uses_the_brief() {
    let t = TemplateCopywriter;
    for objective in [Objective::Leads, Objective::Conversions, Objective::Traffic] {
        let b = CopyBrief {
            objective,
            ..brief(5)
        };
        let a = t.write(&b).await.expect("copy");
        assert_eq!(a, t.write(&b).await.expect("copy"), "deterministic");
        assert_eq!(a.len(), 5);
        for c in &a {
            c.validate().expect("valid");
        }
        assert!(a.iter().any(|c| c.headline.to_lowercase().contains("yoga")));
        // The offer is used; the targeting is never recited (the platform
        // already shows the ad to that audience).
        let text =
            |c: &AdCopy| format!("{} {} {}", c.headline, c.body, c.description).to_lowercase();
        assert!(a.iter().any(|c| text(c).contains("first week free")));
        assert!(a.iter().all(|c| !text(c).contains("busy parents")));
        let distinct: std::collections::BTreeSet<_> = a.iter().map(|c| &c.headline).collect();
        assert_eq!(distinct.len(), 5);
    }
    let long = CopyBrief {
        niche: "artisanal sourdough bakery and coffee roastery with weekend workshops".into(),
        ..brief(5)
    };
    for c in t.write(&long).await.expect("copy") {
        c.validate().expect("long niches are cut to fit");
    }
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let gemini = GeminiStandIn::start().await.expect("start");
    gemini.inject(Fault::once(
        Match::any(),
        FaultAction::Slow(Duration::from_secs(5)),
    ));
    let mut config = GeminiConfig::new(
        url::Url::parse(gemini.base_url()).expect("url"),
        SecretString::from(STAND_IN_KEY.to_owned()),
    );
    config.base_delay = Duration::from_millis(1);
    config.request_timeout = Duration::from_millis(700);
    let copies = GeminiCopywriter::new(config)
        .expect("writer")
        .write(&brief(1))
        .await
        .expect("second attempt");
    assert_eq!(copies.len(), 1);
    assert_eq!(gemini.calls().len(), 2);
}
