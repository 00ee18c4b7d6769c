//! Helpers shared by the adapters' test binaries.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use adapters::ad_platform::launch::LaunchRequest;
use adapters::ad_platform::meta::{MetaAds, MetaConfig, RetryPolicy};
use adapters::ad_platform::*;
use adapters::stand_in::{MetaFixture, MetaStandIn};

/// Fast retries so tests never wait long; a request timeout far above any normal answer.
pub fn meta_config(meta: &MetaStandIn) -> MetaConfig {
    let mut config = MetaConfig::new(meta.url().expect("stand-in URL"));
    config.request_timeout = Duration::from_secs(10);
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_wait: Duration::from_secs(2),
    };
    config
}

pub struct MetaEnv {
    pub meta: MetaStandIn,
    pub fixture: MetaFixture,
    pub adapter: Arc<MetaAds>,
    pub creds: Credentials,
}

pub async fn meta_env() -> MetaEnv {
    meta_env_with(|_| {}).await
}

pub async fn meta_env_with(tweak: impl FnOnce(&mut MetaConfig)) -> MetaEnv {
    let meta = MetaStandIn::start().await.expect("start stand-in");
    let fixture = MetaFixture::seed(&meta);
    let mut config = meta_config(&meta);
    tweak(&mut config);
    let adapter = Arc::new(MetaAds::new(config).expect("adapter"));
    let creds = Credentials::new(fixture.token.clone(), &fixture.account);
    MetaEnv {
        meta,
        fixture,
        adapter,
        creds,
    }
}

pub fn png(seed: u8) -> ImageUpload {
    // Not a real PNG: neither Meta's documented checks nor the stand-in decode pixels.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(std::iter::repeat_n(seed, 64));
    ImageUpload {
        name: format!("image-{seed}.png"),
        bytes,
    }
}

pub fn us_audience() -> Audience {
    Audience {
        countries: vec!["US".into()],
        regions: vec![],
        cities: vec![],
        age_min: 25,
        age_max: 54,
        interests: vec![NamedRef {
            id: "6003107902433".into(),
            name: "Yoga".into(),
        }],
    }
}

pub fn copy() -> AdCopy {
    AdCopy {
        headline: "Yoga that fits your day".into(),
        body: "Classes before work, at lunch or after dinner. Your first week is free.".into(),
        description: "First week free".into(),
        call_to_action: CallToAction::SignUp,
    }
}

pub fn launch_request(
    objective: Objective,
    conversion: Conversion,
    page_id: &str,
    images: usize,
) -> LaunchRequest {
    LaunchRequest {
        name: "Spring yoga".into(),
        tag: "lf-0001".into(),
        objective,
        conversion,
        page_id: page_id.into(),
        daily_budget: 2_000,
        audience: us_audience(),
        copy: copy(),
        link_url: "https://acme-yoga.example/trial?utm_source=meta&utm_campaign=spring".into(),
        images: (0..images).map(|i| png(i as u8 + 1)).collect(),
        dsa: None,
        special_ad_category: SpecialAdCategory::None,
    }
}

pub fn range_days(days: i64) -> DateRange {
    let until = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
    DateRange {
        since: until - chrono::Duration::days(days - 1),
        until,
    }
}
