//! The Meta adapter on the wire, against the strict stand-in: every error class, usage
//! headers, paging, zero-decimal currency, appsecret_proof, timeouts and the retry policy.

// This whole crate is test code; helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use adapters::ad_platform::meta::MetaAds;
use adapters::ad_platform::*;
use adapters::stand_in::{Fault, FaultAction, InsightsSeed, Match};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn campaign_spec(tag: &str) -> CampaignSpec {
    CampaignSpec {
        name: "Wire test".into(),
        tag: tag.into(),
        objective: Objective::Leads,
        campaign_daily_budget: None,
        special_ad_category: SpecialAdCategory::None,
        category_countries: Vec::new(),
    }
}

fn count(lines: &[String], line: &str) -> usize {
    lines.iter().filter(|l| *l == line).count()
}

#[tokio::test]
async fn oauth_errors_map_to_auth_and_blocked() {
    let env = common::meta_env().await;
    let unknown = Credentials::new("EAAnot-a-token", &env.fixture.account);
    let err = env
        .adapter
        .verify(&unknown)
        .await
        .expect_err("unknown token");
    assert!(
        matches!(
            err,
            PlatformError::Auth {
                code: Some(190),
                subcode: None,
                ..
            }
        ),
        "{err:?}"
    );

    env.meta.fail_token(
        &env.fixture.token,
        190,
        Some(463),
        "Error validating access token: Session has expired on Friday, 26-Jun-26 15:48:19 PDT.",
    );
    let err = env.adapter.verify(&env.creds).await.expect_err("expired");
    assert!(
        matches!(
            err,
            PlatformError::Auth {
                subcode: Some(463),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.user_message().contains("Session has expired"));

    env.meta.fail_token(&env.fixture.token, 190, Some(459), "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.");
    let err = env
        .adapter
        .verify(&env.creds)
        .await
        .expect_err("checkpoint");
    assert_eq!(err.class(), "blocked");
    // The user-facing text is preferred over the developer message.
    assert_eq!(
        err.user_message(),
        "You must log in to Facebook and follow the instructions given."
    );
    assert_eq!(
        count(&env.meta.call_lines(), "GET /me"),
        3,
        "auth errors are never retried"
    );
}

#[tokio::test]
async fn policy_block_and_permissions() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        Fault::graph_error(
            368,
            Some(1_404_078),
            "The action attempted has been deemed abusive or is otherwise disallowed",
        ),
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("b1"), CreateMode::Create)
        .await
        .expect_err("368");
    assert_eq!(err.class(), "blocked");

    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        Fault::graph_error(
            10,
            None,
            "(#10) The ad account and app id must be whitelisted",
        ),
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("b2"), CreateMode::Create)
        .await
        .expect_err("10");
    assert!(
        matches!(err, PlatformError::Permission { code: Some(10), .. }),
        "{err:?}"
    );

    // A token without ads_management may read but not write.
    env.meta.add_token(
        "EAAreadonly",
        adapters::stand_in::TokenSeed {
            user_id: "2".into(),
            user_name: "Reader".into(),
            scopes: vec!["ads_read".into()],
            accounts: vec!["1001".into()],
            pages: vec![],
            failure: None,
        },
    );
    let reader = Credentials::new("EAAreadonly", &env.fixture.account);
    let check = env.adapter.verify(&reader).await.expect("read works");
    assert_eq!(check.missing_permissions, vec!["ads_management".to_owned()]);
    let err = env
        .adapter
        .create_campaign(&reader, &campaign_spec("b3"), CreateMode::Create)
        .await
        .expect_err("write");
    assert!(
        matches!(
            err,
            PlatformError::Permission {
                code: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(env.meta.object_ids("campaign").is_empty());
}

#[tokio::test]
async fn rate_limit_with_long_regain_is_handed_back_with_usage() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("GET", "/act_1001"),
        FaultAction::RateLimit {
            code: 80004,
            regain_minutes: 19,
        },
    ));
    let err = env
        .adapter
        .verify(&env.creds)
        .await
        .expect_err("rate limited");
    assert!(
        matches!(
            err,
            PlatformError::RateLimited {
                code: Some(80004),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(19 * 60)));
    assert!(err.is_retryable());
    assert_eq!(
        count(&env.meta.call_lines(), "GET /act_1001"),
        1,
        "a 19-minute wait is not slept through"
    );
    let usage = env
        .adapter
        .usage("act_1001")
        .expect("usage filed from the failing answer");
    assert!(usage.should_slow_down());
    assert_eq!(
        usage.regain_access_after(),
        Some(Duration::from_secs(19 * 60))
    );
    assert_eq!(usage.business[0].use_case, "ads_management");
}

#[tokio::test]
async fn short_rate_limits_and_transient_errors_are_retried() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("GET", "/me"),
        FaultAction::RateLimit {
            code: 17,
            regain_minutes: 0,
        },
    ));
    env.meta.inject(Fault::once(
        Match::on("GET", "/act_1001"),
        FaultAction::Error {
            http_status: 500,
            code: 2,
            subcode: None,
            message: "An unexpected error has occurred. Please retry your request later.".into(),
            user_message: None,
            is_transient: Some(true),
            retry_delay_secs: None,
        },
    ));
    env.meta.inject(Fault::once(
        Match::on("GET", "/minimum_budgets"),
        FaultAction::Http500,
    ));
    env.adapter
        .verify(&env.creds)
        .await
        .expect("verify survives");
    let lines = env.meta.call_lines();
    assert_eq!(count(&lines, "GET /me"), 2);
    assert_eq!(count(&lines, "GET /act_1001"), 2);
    assert_eq!(count(&lines, "GET /act_1001/minimum_budgets"), 2);
}

#[tokio::test]
async fn transient_errors_stop_after_the_attempt_budget() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::times(
        Match::on("GET", "/me"),
        Fault::graph_error(1, Some(99), "An unknown error occurred"),
        10,
    ));
    let err = env
        .adapter
        .verify(&env.creds)
        .await
        .expect_err("still failing");
    assert_eq!(err.class(), "transient");
    assert!(!err.outcome_unknown());
    assert_eq!(count(&env.meta.call_lines(), "GET /me"), 4);
}

#[tokio::test]
async fn invalid_parameter_is_never_retried_even_if_flagged_transient() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        FaultAction::Error {
            http_status: 400,
            code: 100,
            subcode: Some(1_885_272),
            message: "(#100) Budget too low".into(),
            user_message: Some(
                "Your ad set budget must be more than MYR4.12 or your ads may not be delivered."
                    .into(),
            ),
            is_transient: Some(true),
            retry_delay_secs: None,
        },
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("i1"), CreateMode::Create)
        .await
        .expect_err("invalid");
    let PlatformError::Invalid(inv) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((inv.code, inv.subcode), (Some(100), Some(1_885_272)));
    assert!(inv.trace_id.is_some());
    assert!(err.user_message().contains("MYR4.12"));
    assert_eq!(count(&env.meta.call_lines(), "POST /act_1001/campaigns"), 1);
}

#[tokio::test]
async fn create_after_http_500_is_not_resent() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        FaultAction::Http500,
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("h1"), CreateMode::Create)
        .await
        .expect_err("500");
    assert!(err.outcome_unknown() && err.is_retryable(), "{err:?}");
    assert_eq!(count(&env.meta.call_lines(), "POST /act_1001/campaigns"), 1);
}

#[tokio::test]
async fn dropped_connection_after_apply_is_unknown_and_found_by_tag() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        FaultAction::Drop { apply: true },
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("d1"), CreateMode::Create)
        .await
        .expect_err("dropped");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(count(&env.meta.call_lines(), "POST /act_1001/campaigns"), 1);
    let created = env.meta.object_ids("campaign");
    assert_eq!(created.len(), 1, "the stand-in applied the create");
    let found = env
        .adapter
        .find_by_tag(&env.creds, ObjectKind::Campaign, "d1")
        .await
        .expect("find")
        .expect("adoptable");
    assert_eq!(found.id.as_str(), created[0]);
}

#[tokio::test]
async fn dropped_reads_are_retried() {
    let env = common::meta_env().await;
    env.meta.inject(Fault::once(
        Match::on("GET", "/me"),
        FaultAction::Drop { apply: false },
    ));
    env.adapter.verify(&env.creds).await.expect("verify");
    assert_eq!(count(&env.meta.call_lines(), "GET /me"), 2);
}

#[tokio::test]
async fn slow_answers_time_out_and_creates_are_not_resent() {
    let env = common::meta_env_with(|c| c.request_timeout = Duration::from_millis(700)).await;
    env.meta.inject(Fault::once(
        Match::on("POST", "/campaigns"),
        FaultAction::Slow(Duration::from_secs(5)),
    ));
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("s1"), CreateMode::Create)
        .await
        .expect_err("timeout");
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(
        !format!("{err:?}").contains(&env.fixture.token),
        "no token in errors"
    );
    assert_eq!(count(&env.meta.call_lines(), "POST /act_1001/campaigns"), 1);

    env.meta.inject(Fault::once(
        Match::on("GET", "/me"),
        FaultAction::Slow(Duration::from_secs(5)),
    ));
    env.adapter
        .verify(&env.creds)
        .await
        .expect("a slow read is retried");
    assert_eq!(count(&env.meta.call_lines(), "GET /me"), 2);
}

#[tokio::test]
async fn expired_version_is_upgraded_for_reads_refused_for_creates() {
    let env = common::meta_env_with(|c| c.api_version = "v25.0".into()).await;
    env.meta.set_min_version(26, 0);
    // Reads did not change: Meta answers them on v26.0 and says so.
    env.adapter
        .verify(&env.creds)
        .await
        .expect("auto-upgraded read");
    let notice = env.adapter.version_notice().expect("notice");
    assert_eq!(notice.requested, "v25.0");
    assert_eq!(notice.served.as_deref(), Some("v26.0"));
    assert!(notice.upgraded());
    assert!(notice.warning.is_some_and(|w| w.contains("v26.0")));
    // Creates changed: the expired version is refused.
    let err = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("v1"), CreateMode::Create)
        .await
        .expect_err("2635");
    assert_eq!(err.class(), "unavailable");
    assert!(err.user_message().contains("deprecated"), "{err:?}");
    assert!(
        env.meta.calls().iter().all(|c| c.version == "v25.0"),
        "the configured version is on every call"
    );
    let mut config = common::meta_config(&env.meta);
    config.api_version = "25".into();
    assert!(MetaAds::new(config).is_err());
}

#[tokio::test]
async fn default_version_is_v27_and_served_as_such() {
    let env = common::meta_env().await;
    env.adapter.verify(&env.creds).await.expect("verify");
    assert!(env.meta.calls().iter().all(|c| c.version == "v27.0"));
    let notice = env.adapter.version_notice().expect("notice");
    assert_eq!(notice.served.as_deref(), Some("v27.0"));
    assert!(!notice.upgraded());
    assert_eq!(notice.warning, None);
}

fn proof(secret: &str, token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn appsecret_proof_on_every_call_including_paging() {
    let env = common::meta_env_with(|c| {
        c.app_secret = Some("app-s3cret".to_owned().into());
        c.page_limit = 2;
    })
    .await;
    env.meta.require_app_secret("app-s3cret");
    env.meta.set_empty_first_page(true);
    // Five objects carrying the same tag make the filtered listing span several pages.
    for _ in 0..5 {
        env.adapter
            .create_campaign(&env.creds, &campaign_spec("pg"), CreateMode::Create)
            .await
            .expect("create");
    }
    // Creates carry the proof in the query string (the stand-in, like some Graph
    // endpoints, ignores a proof in the form body); the token and parameters stay in the
    // body.
    let posts: Vec<_> = env
        .meta
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .collect();
    assert_eq!(posts.len(), 5);
    for post in &posts {
        assert!(post.query.contains("appsecret_proof="), "{}", post.query);
        assert!(!post.query.contains("access_token="), "{}", post.query);
        assert!(
            !post.query.contains("objective="),
            "parameters stay in the body"
        );
    }
    env.meta.clear_calls();
    let found = env
        .adapter
        .find_by_tag(&env.creds, ObjectKind::Campaign, "pg")
        .await
        .expect("find")
        .expect("found");
    assert!(found.name.ends_with("[pg]"));
    let calls = env.meta.calls();
    assert_eq!(
        calls.len(),
        4,
        "an empty first page, then pages of 2, 2 and 1 were followed: {:?}",
        env.meta.call_lines()
    );
    let expected = proof("app-s3cret", &env.fixture.token);
    for call in &calls {
        assert_eq!(
            call.params.get("appsecret_proof"),
            Some(&expected),
            "{}",
            call.query
        );
        assert_eq!(
            call.query.matches("access_token=").count(),
            1,
            "token sent once: {}",
            call.query
        );
    }
    assert!(!format!("{:?}", env.adapter).contains("app-s3cret"));
    assert!(!format!("{:?}", env.creds).contains(&env.fixture.token));

    // Without the secret, or with a wrong one, the stand-in refuses like Graph does.
    let bare = MetaAds::new(common::meta_config(&env.meta)).expect("adapter");
    let err = bare.verify(&env.creds).await.expect_err("no proof");
    assert!(
        err.user_message().contains("require an appsecret_proof"),
        "{err:?}"
    );
    let mut wrong = common::meta_config(&env.meta);
    wrong.app_secret = Some("other".to_owned().into());
    let err = MetaAds::new(wrong)
        .expect("adapter")
        .verify(&env.creds)
        .await
        .expect_err("bad proof");
    assert!(
        err.user_message().contains("Invalid appsecret_proof"),
        "{err:?}"
    );
}

#[tokio::test]
async fn usage_headers_are_exposed_per_account() {
    let env = common::meta_env().await;
    assert!(env.adapter.usage("act_1001").is_none());
    env.adapter.verify(&env.creds).await.expect("verify");
    let usage = env.adapter.usage("act_1001").expect("usage");
    assert!(usage.app.is_some());
    assert!(usage.ad_account.is_some());
    assert!(usage.business.iter().all(|b| b.account == "1001"));
    assert!(!usage.should_slow_down());
    assert!(
        env.adapter.usage("act_2392").is_none(),
        "usage is filed per account"
    );
}

#[tokio::test]
async fn insights_page_to_the_end_parse_strings_and_take_lead_total() {
    let env = common::meta_env_with(|c| c.page_limit = 1).await;
    env.adapter.verify(&env.creds).await.expect("verify");
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = env
            .adapter
            .create_campaign(
                &env.creds,
                &campaign_spec(&format!("n{i}")),
                CreateMode::Create,
            )
            .await
            .expect("create");
        env.meta.set_insights(
            id.as_str(),
            InsightsSeed {
                impressions: 1000 + i,
                clicks: 50,
                inline_link_clicks: 40,
                spend: "53.4".into(),
                leads: 12,
                lead_subtypes: vec![
                    ("onsite_conversion.lead_grouped".into(), 12),
                    ("offsite_conversion.fb_pixel_lead".into(), 0),
                ],
                day: None,
            },
        );
        ids.push(id);
    }
    env.meta.clear_calls();
    let rows = env
        .adapter
        .insights(&env.creds, &ids, common::range_days(30))
        .await
        .expect("insights");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        env.meta.call_lines().len(),
        3,
        "one call per page of one row"
    );
    for row in &rows {
        assert_eq!(row.leads, 12, "lead is the total; sub-types are not added");
        assert_eq!(row.spend_minor, 5340);
        assert_eq!(row.clicks, 40, "link clicks");
    }
    let first = &env.meta.calls()[0];
    assert_eq!(
        first.params.get("level").map(String::as_str),
        Some("campaign")
    );
    assert!(
        first
            .params
            .get("fields")
            .is_some_and(|f| f.contains("actions") && f.contains("spend"))
    );
    let filtering: serde_json::Value =
        serde_json::from_str(&first.params["filtering"]).expect("json");
    assert_eq!(filtering[0]["field"], "campaign.id");
    assert_eq!(filtering[0]["value"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn insights_timeout_is_retried_with_a_smaller_range() {
    let env = common::meta_env().await;
    let id = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("r1"), CreateMode::Create)
        .await
        .expect("create");
    let range = common::range_days(30);
    env.meta.set_insights(
        id.as_str(),
        InsightsSeed {
            impressions: 500,
            clicks: 10,
            inline_link_clicks: 9,
            spend: "4.99".into(),
            leads: 1,
            day: Some(range.until),
            ..InsightsSeed::default()
        },
    );
    env.meta.inject(Fault::once(
        Match::on("GET", "/insights"),
        Fault::graph_error(
            100,
            Some(1_504_018),
            "(#100) Your request timed out. Please retry with a smaller date range",
        ),
    ));
    env.meta.clear_calls();
    let rows = env
        .adapter
        .insights(&env.creds, std::slice::from_ref(&id), range)
        .await
        .expect("insights");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].impressions, rows[0].spend_minor), (500, 499));
    let ranges: Vec<String> = env
        .meta
        .calls()
        .iter()
        .filter_map(|c| c.params.get("time_range").cloned())
        .collect();
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    assert_ne!(ranges[0], ranges[1], "never retried unchanged");
    assert!(
        ranges[1].contains("2026-03-02") && ranges[1].contains("2026-03-16"),
        "{ranges:?}"
    );
    assert!(
        ranges[2].contains("2026-03-17") && ranges[2].contains("2026-03-31"),
        "{ranges:?}"
    );
}

#[tokio::test]
async fn zero_decimal_currency_budgets_and_spend() {
    let env = common::meta_env().await;
    let jpy = Credentials::new(env.fixture.token.clone(), &env.fixture.jpy_account);
    let check = env.adapter.verify(&jpy).await.expect("verify");
    assert_eq!(
        (check.currency.as_str(), check.min_daily_budget),
        ("JPY", Some(150))
    );
    let mut req = common::launch_request(
        Objective::Conversions,
        Conversion::Pixel {
            pixel_id: env.fixture.jpy_pixel_id.clone(),
        },
        &env.fixture.page_id,
        1,
    );
    req.daily_budget = 1500; // ¥1,500: yen are the minor unit
    let mut progress = adapters::ad_platform::launch::LaunchProgress::default();
    adapters::ad_platform::launch::run(
        env.adapter.as_ref(),
        &jpy,
        &req,
        &mut progress,
        &mut adapters::ad_platform::launch::NoJournal,
    )
    .await
    .expect("launch");
    let ad_set = env
        .meta
        .object(progress.ad_set_id.as_ref().expect("ad set").as_str())
        .expect("stored");
    assert_eq!(ad_set.fields["daily_budget"], serde_json::json!(1500));
    let campaign = progress.campaign_id.expect("campaign");
    env.meta.set_insights(
        campaign.as_str(),
        InsightsSeed {
            impressions: 10,
            spend: "5340".into(),
            ..InsightsSeed::default()
        },
    );
    let rows = env
        .adapter
        .insights(&jpy, &[campaign], common::range_days(1))
        .await
        .expect("insights");
    assert_eq!(rows[0].spend_minor, 5340);

    req.daily_budget = 100; // below ¥150
    req.tag = "lf-0002".into();
    let err = adapters::ad_platform::launch::run(
        env.adapter.as_ref(),
        &jpy,
        &req,
        &mut Default::default(),
        &mut adapters::ad_platform::launch::NoJournal,
    )
    .await
    .expect_err("too low");
    assert!(
        err.platform()
            .expect("platform")
            .user_message()
            .contains("150 JPY"),
        "{err}"
    );
}

#[tokio::test]
async fn page_edges_use_page_tokens_and_their_refusals_stay_on_the_page() {
    let env = common::meta_env().await;
    let assets = env.adapter.assets(&env.creds).await.expect("assets");
    let page = &assets.pages[0];
    assert_eq!(page.lead_forms[0].id, env.fixture.form_id);
    assert!(page.can_advertise());
    assert_eq!(page.lead_forms_problem, None);
    let calls = env.meta.calls();
    let accounts = calls
        .iter()
        .find(|c| c.path == "/me/accounts")
        .expect("me/accounts");
    assert_eq!(
        accounts.params.get("fields").map(String::as_str),
        Some("id,name,access_token,tasks")
    );
    let forms = calls
        .iter()
        .find(|c| c.path.ends_with("/leadgen_forms"))
        .expect("forms read");
    let used = forms.params.get("access_token").expect("token");
    assert_ne!(
        used, &env.fixture.token,
        "a Page edge never gets the user token"
    );
    // The Page token is never kept where it could leak.
    assert!(!format!("{assets:?}").contains(used.as_str()));
    assert!(
        !serde_json::to_string(&assets)
            .unwrap()
            .contains(used.as_str())
    );

    // Meta refusing the Page's token (190 from a Page edge) is the Page's problem: the
    // user's token is fine and the rest of the assets are listed.
    env.meta.inject(Fault::once(
        Match::on("GET", "/leadgen_forms"),
        Fault::graph_error(
            190,
            None,
            "(#190) This method must be called with a Page Access Token",
        ),
    ));
    let assets = env
        .adapter
        .assets(&env.creds)
        .await
        .expect("not an auth failure");
    let page = &assets.pages[0];
    assert!(page.lead_forms.is_empty());
    assert!(
        page.lead_forms_problem
            .as_deref()
            .is_some_and(|p| p.contains("Page Access Token")),
        "{page:?}"
    );
    assert!(!assets.pixels.is_empty());

    // A person without the ADVERTISE task: the Page is listed, its forms are not.
    env.meta
        .set_page_tasks(&env.fixture.token, &env.fixture.page_id, &["ANALYZE"]);
    let assets = env.adapter.assets(&env.creds).await.expect("assets");
    assert!(!assets.pages[0].can_advertise());
    assert!(assets.pages[0].lead_forms_problem.is_some());
}

#[tokio::test]
async fn missing_page_permissions_are_named_with_what_they_block() {
    let env = common::meta_env().await;
    env.meta.add_token(
        "EAAtrafficonly",
        adapters::stand_in::TokenSeed {
            user_id: "9200".into(),
            user_name: "Traffic only".into(),
            scopes: vec![
                "ads_management".into(),
                "ads_read".into(),
                "pages_show_list".into(),
            ],
            accounts: vec!["1001".into()],
            pages: vec![env.fixture.page_id.clone()],
            failure: None,
        },
    );
    let creds = Credentials::new("EAAtrafficonly", &env.fixture.account);
    let check = env.adapter.verify(&creds).await.expect("verify");
    assert!(check.missing_permissions.is_empty(), "campaigns still work");
    let gaps: Vec<&str> = check
        .permission_gaps
        .iter()
        .map(|g| g.permission.as_str())
        .collect();
    assert_eq!(
        gaps,
        [
            "pages_read_engagement",
            "pages_manage_ads",
            "leads_retrieval"
        ]
    );
    let manage_ads = &check.permission_gaps[1];
    assert!(manage_ads.blocks.contains(&Capability::InstantForms));
    assert!(!manage_ads.blocks.contains(&Capability::Campaigns));
    assert_eq!(
        check.permission_gaps[2].blocks,
        vec![Capability::LeadRetrieval]
    );
    // The Page is listed; its forms are refused for the missing permission.
    let assets = env.adapter.assets(&creds).await.expect("assets");
    assert!(
        assets.pages[0]
            .lead_forms_problem
            .as_deref()
            .is_some_and(|p| p.contains("pages_manage_ads")),
        "{assets:?}"
    );
}

fn server_side(code: i64, subcode: Option<i64>, message: &str) -> FaultAction {
    let mut fault = Fault::graph_error(code, subcode, message);
    if let FaultAction::Error {
        http_status,
        is_transient,
        ..
    } = &mut fault
    {
        *http_status = 500;
        *is_transient = Some(true);
    }
    fault
}

#[tokio::test]
async fn insights_asked_for_less_data_split_instead_of_retrying_unchanged() {
    for fault in [
        server_side(
            2,
            Some(1_504_038),
            "(#2) The request timed out. Please try a smaller date range.",
        ),
        server_side(
            1,
            None,
            "Please reduce the amount of data you're asking for, then retry your request",
        ),
    ] {
        let env = common::meta_env().await;
        let id = env
            .adapter
            .create_campaign(&env.creds, &campaign_spec("s1"), CreateMode::Create)
            .await
            .expect("create");
        let range = common::range_days(30);
        env.meta.set_insights(
            id.as_str(),
            InsightsSeed {
                impressions: 70,
                spend: "1.00".into(),
                day: Some(range.since),
                ..InsightsSeed::default()
            },
        );
        env.meta
            .inject(Fault::once(Match::on("GET", "/insights"), fault));
        env.meta.clear_calls();
        let rows = env
            .adapter
            .insights(&env.creds, std::slice::from_ref(&id), range)
            .await
            .expect("insights");
        assert_eq!(rows[0].impressions, 70);
        let ranges: Vec<String> = env
            .meta
            .calls()
            .iter()
            .filter_map(|c| c.params.get("time_range").cloned())
            .collect();
        assert_eq!(
            ranges.len(),
            3,
            "one refused call, then two halves: {ranges:?}"
        );
        assert!(!ranges[1..].contains(&ranges[0]), "never retried unchanged");
        // The insights answer's throttle header is read and filed for the account.
        let usage = env.adapter.usage(&env.fixture.account).expect("usage");
        assert!(usage.insights.is_some_and(|i| i.acc_id_util_pct > 0.0));
    }

    // A single day cannot be split: it is asked for in smaller pages.
    let env = common::meta_env().await;
    let id = env
        .adapter
        .create_campaign(&env.creds, &campaign_spec("s2"), CreateMode::Create)
        .await
        .expect("create");
    env.meta.inject(Fault::once(
        Match::on("GET", "/insights"),
        server_side(2, Some(1_504_038), "(#2) The request timed out."),
    ));
    env.meta.clear_calls();
    env.adapter
        .insights(&env.creds, std::slice::from_ref(&id), common::range_days(1))
        .await
        .expect("insights");
    let limits: Vec<String> = env
        .meta
        .calls()
        .iter()
        .filter_map(|c| c.params.get("limit").cloned())
        .collect();
    assert_eq!(limits, ["100", "50"]);
}
