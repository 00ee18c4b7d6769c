//! Regional rules on the Meta stand-in: a special ad category's targeting
//! limits and the countries it is declared for, audiences that need an
//! advertiser verified in their region (Taiwan, Singapore), and the EU's
//! beneficiary and payor, taken from the integration, else the ad account's
//! defaults, else Meta's recommendations.

use adapters::stand_in::{MetaFixture, MetaStandIn};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, ledger, settled, traffic_input, verified_meta},
};
use serde_json::{Value, json};

both_backends!(
    housing_with_narrowed_ages_fails_the_dry_run_and_its_launch_creates_nothing,
    a_special_category_launch_sends_its_category_and_countries,
    a_taiwan_draft_fails_the_dry_run_and_is_not_launched,
    dsa_parties_come_from_the_integration_then_the_account_then_recommendations
);

const PREVIEW: &str =
    "mutation($id: ID!) { previewLaunch(id: $id) { ok checks { name ok message } } }";

async fn meta_app(backend: Backend) -> (MetaStandIn, MetaFixture, TestApp) {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LEADFORGE_SIGNUP_CREDITS", "100"),
            ("META_GRAPH_URL", meta.base_url()),
        ],
    )
    .await;
    (meta, fixture, app)
}

/// The dry run's check called `name`.
async fn preview_check(app: &TestApp, who: &Account, id: &str, name: &str) -> (bool, Value) {
    let r = app
        .graphql_as(&who.token, PREVIEW, json!({ "id": id }))
        .await;
    let preview = r.data()["previewLaunch"].clone();
    let check = preview["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {preview}"))
        .clone();
    (preview["ok"].as_bool().unwrap(), check)
}

fn created(meta: &MetaStandIn) -> usize {
    ["campaign", "adset", "adcreative", "ad"]
        .iter()
        .map(|k| meta.object_ids(k).len())
        .sum()
}

async fn housing_with_narrowed_ages_fails_the_dry_run_and_its_launch_creates_nothing(
    backend: Backend,
) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["specialAdCategory"] = json!("HOUSING");
    let id = create(&app, &ann, input).await;

    let (ok, check) = preview_check(&app, &ann, &id, "audience").await;
    assert!(!ok);
    assert_eq!(check["ok"], false, "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("housing") && message.contains("18–65+") && message.contains("25–54"),
        "{message}"
    );

    let (balance, _) = ledger(&app, &ann).await;
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
    assert!(r.body.to_string().contains("18–65+"), "{}", r.body);
    assert_eq!(created(&meta), 0, "nothing was created");
    assert!(
        !meta
            .call_lines()
            .iter()
            .any(|l| l.ends_with("/adimages") || l.ends_with("/adsets")),
        "nothing was sent"
    );
    assert_eq!(ledger(&app, &ann).await.0, balance, "no credit moved");
    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { status specialAdCategory } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["campaign"],
        json!({ "status": "DRAFT", "specialAdCategory": "HOUSING" })
    );
}

async fn a_special_category_launch_sends_its_category_and_countries(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["specialAdCategory"] = json!("EMPLOYMENT");
    input["targetAudience"] = json!({ "countries": ["US", "CA"], "ageMin": 18, "ageMax": 65 });
    let id = create(&app, &ann, input).await;

    let (ok, check) = preview_check(&app, &ann, &id, "audience").await;
    assert!(ok, "{check}");
    assert_eq!(check["ok"], true);

    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let live = settled(&app, &ann, &id).await;
    assert_eq!(live["status"], "ACTIVE", "{live}");
    let campaign = meta
        .object(live["metaCampaignId"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        campaign.fields["special_ad_categories"],
        json!(["EMPLOYMENT"])
    );
    assert_eq!(
        campaign.fields["special_ad_category_country"],
        json!(["CA", "US"])
    );
    let ad_set = meta.object(live["metaAdsetId"].as_str().unwrap()).unwrap();
    assert_eq!(ad_set.fields["targeting"]["age_min"], 18);
    assert_eq!(ad_set.fields["targeting"]["age_max"], 65);
}

async fn a_taiwan_draft_fails_the_dry_run_and_is_not_launched(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["targetAudience"]["countries"] = json!(["TW"]);
    let id = create(&app, &ann, input).await;

    let (ok, check) = preview_check(&app, &ann, &id, "audience").await;
    assert!(!ok);
    assert_eq!(check["ok"], false);
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("Taiwan") && message.contains("remove Taiwan"),
        "{message}"
    );
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(created(&meta), 0);
}

const SET_DSA: &str = "mutation($i: ID!, $b: String, $p: String) { \
    setIntegrationDsa(id: $i, dsaBeneficiary: $b, dsaPayor: $p) { id status dsaBeneficiary dsaPayor } }";

/// Names the integration's DSA parties; it stays verified.
async fn set_dsa(app: &TestApp, who: &Account, integration: &str, b: &str, p: &str) {
    let r = app
        .graphql_as(
            &who.token,
            SET_DSA,
            json!({ "i": integration, "b": b, "p": p }),
        )
        .await;
    let saved = &r.data()["setIntegrationDsa"];
    assert_eq!(saved["dsaBeneficiary"], b.trim(), "trimmed");
    assert_eq!(saved["dsaPayor"], p);
    assert_eq!(saved["status"], "VERIFIED");
}

async fn launch_eu(
    app: &TestApp,
    who: &Account,
    integration: &str,
    images: &[String],
    name: &str,
) -> Value {
    let mut input = traffic_input(integration, images);
    input["campaignName"] = json!(name);
    input["targetAudience"]["countries"] = json!(["US", "FR"]);
    let id = create(app, who, input).await;
    app.graphql_as(&who.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    settled(app, who, &id).await
}

async fn dsa_parties_come_from_the_integration_then_the_account_then_recommendations(
    backend: Backend,
) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let sent = |end: &Value| {
        let ad_set = meta.object(end["metaAdsetId"].as_str().unwrap()).unwrap();
        (
            ad_set.str("dsa_beneficiary").unwrap_or_default().to_owned(),
            ad_set.str("dsa_payor").unwrap_or_default().to_owned(),
        )
    };

    // Nobody names them: the dry run says so, and the launch creates nothing.
    let mut input = traffic_input(&integration, &images);
    input["targetAudience"]["countries"] = json!(["FR"]);
    let id = create(&app, &ann, input).await;
    let (ok, check) = preview_check(&app, &ann, &id, "dsa").await;
    assert!(!ok);
    assert_eq!(check["ok"], false, "{check}");
    assert!(check["message"].as_str().unwrap().contains("integration"));
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ERROR", "{end}");
    let message = end["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("Nothing was created:")
            && message.contains("beneficiary")
            && message.contains("integration"),
        "{end}"
    );
    assert_eq!(created(&meta), 0);

    // Meta's recommendation, when the account has no defaults.
    meta.set_dsa_recommendations(&f.account, &["Acme Predicted"]);
    let end = launch_eu(&app, &ann, &integration, &images, "Recommended").await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(
        sent(&end),
        ("Acme Predicted".to_owned(), "Acme Predicted".to_owned())
    );

    // The account's defaults come before the recommendation.
    meta.set_dsa_defaults(&f.account, Some("Acme Yoga GmbH"), Some("Acme Agency"));
    let end = launch_eu(&app, &ann, &integration, &images, "Defaults").await;
    assert_eq!(
        sent(&end),
        ("Acme Yoga GmbH".to_owned(), "Acme Agency".to_owned())
    );

    // The integration's own names come first; the dry run says whose they are.
    set_dsa(&app, &ann, &integration, " Yoga Client SA ", "Agency SARL").await;
    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!("Named");
    input["targetAudience"]["countries"] = json!(["RE"]);
    let id = create(&app, &ann, input).await;
    let (_, check) = preview_check(&app, &ann, &id, "dsa").await;
    assert_eq!(check["ok"], true, "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("Yoga Client SA") && message.contains("set on the integration"),
        "{message}"
    );
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(
        sent(&end),
        ("Yoga Client SA".to_owned(), "Agency SARL".to_owned())
    );

    // Half a pair is refused, naming the missing field.
    let r = app
        .graphql_as(
            &ann.token,
            SET_DSA,
            json!({ "i": integration, "b": "Only me" }),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"]);
    assert!(r.body.to_string().contains("dsaPayor"), "{}", r.body);
    // Another member cannot name them on Ann's integration.
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let r = app
        .graphql_as(
            &bob.token,
            SET_DSA,
            json!({ "i": integration, "b": "Bob", "p": "Bob" }),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["NOT_FOUND"], "{}", r.body);
}
