//! `createCampaign`, `updateCampaign`, `deleteCampaign`, `generateAdCopy`.

use entities::{CampaignStatus, ad_campaign};
use leadforge_e2e::{
    Backend, TestApp, both_backends,
    campaigns::{CREATE, create, creatives, traffic_input, verified_sandbox},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

both_backends!(
    a_draft_is_saved_with_every_field_and_its_nested_rows,
    every_problem_of_a_draft_comes_back_at_once_with_its_field,
    foreign_rows_are_not_found_and_unverified_integrations_are_refused,
    only_drafts_and_failed_campaigns_can_be_edited_or_deleted,
    a_failed_campaign_moves_to_another_integration_only_when_confirmed,
    ad_copy_comes_from_the_offline_copywriter,
    only_countries_on_the_platforms_list_are_accepted
);

fn fields(r: &leadforge_e2e::GqlResponse) -> Vec<String> {
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    let ext = &r.body["errors"][0]["extensions"];
    match ext["problems"].as_array() {
        Some(list) => list
            .iter()
            .map(|p| p["field"].as_str().unwrap().to_owned())
            .collect(),
        None => vec![ext["field"].as_str().unwrap().to_owned()],
    }
}

async fn assets(app: &TestApp, token: &str, integration: &str) -> (String, String) {
    let r = app
        .graphql_as(
            token,
            "query($i: ID!) { platformAssets(integrationId: $i) { pixels { id } leadForms { id } } }",
            json!({ "i": integration }),
        )
        .await;
    let a = &r.data()["platformAssets"];
    (
        a["leadForms"][0]["id"].as_str().unwrap().to_owned(),
        a["pixels"][0]["id"].as_str().unwrap().to_owned(),
    )
}

async fn a_draft_is_saved_with_every_field_and_its_nested_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 2, 1).await;
    let (form, _) = assets(&app, &ann.token, &integration).await;

    let mut input = traffic_input(&integration, &[images[1].clone(), images[0].clone()]);
    input["campaignName"] = json!("  Lead week  ");
    input["objective"] = json!("LEADS");
    input["leadFormId"] = json!(form);
    input["targetAudience"] = json!({
        "countries": ["us", "CA"], "ageMin": 18, "ageMax": 65,
        "interests": [{ "id": "6003139266461", "name": "Yoga" }],
    });
    input["adCopy"] = json!({ "headline": "Stretch more", "body": "Morning classes.", "callToAction": "SIGN_UP" });
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    let c = r.data()["createCampaign"].clone();
    assert_eq!(c["status"], "DRAFT");
    assert_eq!(c["campaignName"], "Lead week");
    assert_eq!(c["objective"], "LEADS");
    assert_eq!(c["provider"], "SANDBOX");
    assert_eq!(c["leadFormId"], form.as_str());
    assert_eq!(c["targetAudience"]["countries"], json!(["US", "CA"]));
    assert_eq!(c["targetAudience"]["interests"][0]["name"], "Yoga");
    assert_eq!(c["adCopy"]["description"], Value::Null);
    assert_eq!(c["adCopy"]["callToAction"], "SIGN_UP");
    // Creatives keep the chosen order; nothing exists remotely yet.
    let chosen: Vec<&str> = c["creatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(chosen, [images[1].as_str(), images[0].as_str()]);
    assert_eq!(
        c["remoteAds"][0],
        json!({ "creativeId": images[1], "remoteCreativeId": null, "remoteAdId": null })
    );
    assert_eq!(c["integration"]["id"], integration.as_str());
    assert_eq!(c["owner"]["id"], ann.user_id.as_str());
    assert_eq!(
        c["performance"],
        json!({ "currency": "USD", "impressions": 0, "spendCents": 0, "ctr": 0.0 })
    );
    assert_eq!(c["snapshots"], json!([]));
    assert_eq!(c["metaCampaignId"], Value::Null);

    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { id status } }",
            json!({ "id": c["id"] }),
        )
        .await;
    assert_eq!(r.data()["campaign"]["status"], "DRAFT");
}

async fn every_problem_of_a_draft_comes_back_at_once_with_its_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;

    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!(" ");
    input["dailyBudgetCents"] = json!(50);
    input["destinationUrl"] = json!("http://example.com");
    input["targetAudience"] = json!({ "countries": ["USA"], "ageMin": 13, "ageMax": 66 });
    input["adCopy"] =
        json!({ "headline": "x".repeat(41), "body": "ok", "callToAction": "LEARN_MORE" });
    input["pixelId"] = json!("123");
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(
        fields(&r),
        [
            "campaignName",
            "destinationUrl",
            "targetAudience.countries",
            "targetAudience.ageMin",
            "targetAudience.ageMax",
            "adCopy.headline",
            "pixelId",
            "dailyBudgetCents",
            "pixelId",
        ]
    );
    assert!(
        r.first_message().contains("at least"),
        "{}",
        r.first_message()
    );

    // One field at a time, each rule.
    let cases: Vec<(&str, Value, &str)> = vec![
        ("campaignName", json!("a\u{0}b"), "campaignName"),
        ("campaignName", json!("n".repeat(201)), "campaignName"),
        ("dailyBudgetCents", json!(0), "dailyBudgetCents"),
        ("dailyBudgetCents", json!(1_000_001), "dailyBudgetCents"),
        ("destinationUrl", json!("/relative"), "destinationUrl"),
        ("creativeIds", json!([]), "creativeIds"),
        ("creativeIds", json!([images[0], images[0]]), "creativeIds"),
        ("niche", json!("two\nlines"), "niche"),
    ];
    for (field, value, expected) in cases {
        let mut input = traffic_input(&integration, &images);
        input[field] = value.clone();
        let r = app
            .graphql_as(&ann.token, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(fields(&r), [expected], "{field} = {value}");
    }
    let mut input = traffic_input(&integration, &images);
    input["objective"] = json!("CONVERSIONS");
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(fields(&r), ["pixelId"]);
    let mut input = traffic_input(&integration, &images);
    input["objective"] = json!("LEADS");
    input["leadFormId"] = json!("1");
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(fields(&r), ["leadFormId"], "a form of another Page");
    let mut input = traffic_input(&integration, &images);
    input["objective"] = json!("CONVERSIONS");
    input["pixelId"] = json!("999999");
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(fields(&r), ["pixelId"], "a pixel of another account");

    let r = app
        .graphql_as(&ann.token, "{ campaigns { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["campaigns"]["totalCount"], 0, "nothing was saved");
}

async fn foreign_rows_are_not_found_and_unverified_integrations_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let mine = creatives(&app, &ann, 1, 1).await;
    let bobs = creatives(&app, &bob, 1, 2).await;
    let bobs_integration = verified_sandbox(&app, &bob, "2002").await;

    for input in [
        traffic_input(&integration, &bobs),
        traffic_input(&bobs_integration, &mine),
        traffic_input("not-an-id", &mine),
    ] {
        let r = app
            .graphql_as(&ann.token, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
    }
    let r = app
        .graphql_as(
            &ann.token,
            "mutation { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: \"3003\") { id } }",
            json!({}),
        )
        .await;
    let untested = r.data()["saveIntegration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .graphql_as(
            &ann.token,
            CREATE,
            json!({ "input": traffic_input(&untested, &mine) }),
        )
        .await;
    assert_eq!(fields(&r), ["integrationId"]);
}

const UPDATE: &str = "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id status campaignName creatives { id } } }";
const DELETE: &str = "mutation($id: ID!) { deleteCampaign(id: $id) }";

async fn only_drafts_and_failed_campaigns_can_be_edited_or_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 3, 1).await;
    let id = create(&app, &ann, traffic_input(&integration, &images[..1])).await;

    let mut input = traffic_input(&integration, &images[1..]);
    input["campaignName"] = json!("Renamed");
    let r = app
        .graphql_as(
            &ann.token,
            UPDATE,
            json!({ "id": id, "input": input.clone() }),
        )
        .await;
    let updated = &r.data()["updateCampaign"];
    assert_eq!(updated["campaignName"], "Renamed");
    assert_eq!(updated["creatives"].as_array().unwrap().len(), 2);
    let mut bad = input.clone();
    bad["dailyBudgetCents"] = json!(-1);
    let r = app
        .graphql_as(&ann.token, UPDATE, json!({ "id": id, "input": bad }))
        .await;
    assert_eq!(fields(&r), ["dailyBudgetCents"]);

    // Another member: not found, whatever the state.
    let r = app
        .graphql_as(
            &bob.token,
            UPDATE,
            json!({ "id": id, "input": input.clone() }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
    let r = app
        .graphql_as(&bob.token, DELETE, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);

    let db = app.db.connect().await;
    let set = |status: CampaignStatus| {
        let db = db.clone();
        let id = id.clone();
        async move {
            ad_campaign::ActiveModel {
                id: Set(id.parse().unwrap()),
                status: Set(status),
                ..Default::default()
            }
            .update(&db)
            .await
            .unwrap();
        }
    };
    for status in [
        CampaignStatus::Launching,
        CampaignStatus::Active,
        CampaignStatus::Paused,
    ] {
        set(status).await;
        let r = app
            .graphql_as(
                &ann.token,
                UPDATE,
                json!({ "id": id, "input": input.clone() }),
            )
            .await;
        assert_eq!(r.error_codes(), ["CONFLICT"], "{status:?}: {}", r.body);
        let r = app
            .graphql_as(&ann.token, DELETE, json!({ "id": id }))
            .await;
        assert_eq!(r.error_codes(), ["CONFLICT"], "{status:?}: {}", r.body);
    }
    set(CampaignStatus::Error).await;
    let r = app
        .graphql_as(&ann.token, UPDATE, json!({ "id": id, "input": input }))
        .await;
    assert_eq!(
        r.data()["updateCampaign"]["status"],
        "ERROR",
        "editing keeps the status"
    );
    let r = app
        .graphql_as(&ann.token, DELETE, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["deleteCampaign"], true);
    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
}

const MOVE: &str = "mutation($id: ID!, $input: CreateCampaignInput!, $confirm: Boolean) { \
    updateCampaign(id: $id, input: $input, confirmIntegrationChange: $confirm) { id status campaignName integration { id } } }";

async fn a_failed_campaign_moves_to_another_integration_only_when_confirmed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let older = verified_sandbox(&app, &ann, "1001").await;
    let newer = verified_sandbox(&app, &ann, "2002").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = create(&app, &ann, traffic_input(&older, &images)).await;
    let update = |integration: &str, confirm: Value| {
        let vars =
            json!({ "id": id, "input": traffic_input(integration, &images), "confirm": confirm });
        app.graphql_as(&ann.token, MOVE, vars)
    };

    // A draft moves freely, with or without the flag.
    let r = update(&newer, Value::Null).await;
    assert_eq!(
        r.data()["updateCampaign"]["integration"]["id"],
        newer.as_str()
    );
    let r = update(&older, json!(true)).await;
    assert_eq!(
        r.data()["updateCampaign"]["integration"]["id"],
        older.as_str()
    );

    // A failed launch: the integration stays unless the move is confirmed.
    let db = app.db.connect().await;
    ad_campaign::ActiveModel {
        id: Set(id.parse().unwrap()),
        status: Set(CampaignStatus::Error),
        ..Default::default()
    }
    .update(&db)
    .await
    .unwrap();
    for confirm in [Value::Null, json!(false)] {
        let r = update(&newer, confirm.clone()).await;
        assert_eq!(fields(&r), ["integrationId"], "{confirm}");
        assert!(
            r.first_message().contains("confirmIntegrationChange"),
            "{}",
            r.first_message()
        );
        assert_eq!(
            stored_integration(&app, &ann, &id).await,
            older,
            "a refused move changes nothing"
        );
    }
    // Its other settings change as usual on its own integration.
    let mut renamed = traffic_input(&older, &images);
    renamed["campaignName"] = json!("Fixed name");
    let r = app
        .graphql_as(&ann.token, MOVE, json!({ "id": id, "input": renamed }))
        .await;
    assert_eq!(r.data()["updateCampaign"]["campaignName"], "Fixed name");
    // Confirmed, it moves and stays failed (it launches again from there).
    let r = update(&newer, json!(true)).await;
    let moved = &r.data()["updateCampaign"];
    assert_eq!(moved["integration"]["id"], newer.as_str());
    assert_eq!(moved["status"], "ERROR");
    assert_eq!(stored_integration(&app, &ann, &id).await, newer);

    // A running campaign is not edited at all, confirmed or not.
    ad_campaign::ActiveModel {
        id: Set(id.parse().unwrap()),
        status: Set(CampaignStatus::Active),
        ..Default::default()
    }
    .update(&db)
    .await
    .unwrap();
    let r = update(&older, json!(true)).await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    assert_eq!(stored_integration(&app, &ann, &id).await, newer);
}

/// The id of the integration campaign `id` is stored on.
async fn stored_integration(app: &TestApp, who: &leadforge_e2e::Account, id: &str) -> String {
    let r = app
        .graphql_as(
            &who.token,
            "query($id: ID!) { campaign(id: $id) { integration { id } } }",
            json!({ "id": id }),
        )
        .await;
    r.data()["campaign"]["integration"]["id"]
        .as_str()
        .expect("integration id")
        .to_owned()
}

const COPY: &str = "mutation($n: String!, $v: Int) { generateAdCopy(input: { niche: $n, objective: LEADS, variants: $v, audience: { countries: [\"PT\"], ageMin: 25 } }) { headline body description callToAction } }";

async fn ad_copy_comes_from_the_offline_copywriter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let r = app
        .graphql_as(
            &ann.token,
            COPY,
            json!({ "n": "yoga studio in Lisbon", "v": 2 }),
        )
        .await;
    let variants = r.data()["generateAdCopy"].as_array().unwrap().clone();
    assert_eq!(variants.len(), 2);
    for v in &variants {
        assert!(!v["headline"].as_str().unwrap().is_empty());
        assert!(v["headline"].as_str().unwrap().chars().count() <= 40);
        assert!(v["body"].as_str().unwrap().chars().count() <= 125);
        assert!(
            ["SIGN_UP", "GET_QUOTE", "CONTACT_US"].contains(&v["callToAction"].as_str().unwrap())
        );
    }
    let r = app
        .graphql_as(&ann.token, COPY, json!({ "n": "yoga" }))
        .await;
    assert_eq!(
        r.data()["generateAdCopy"].as_array().unwrap().len(),
        3,
        "three by default"
    );
    for (niche, variants, field) in [
        ("yoga", 6, "variants"),
        ("yoga", 0, "variants"),
        (" ", 1, "niche"),
    ] {
        let r = app
            .graphql_as(&ann.token, COPY, json!({ "n": niche, "v": variants }))
            .await;
        assert_eq!(fields(&r), [field], "{niche:?} × {variants}");
    }
}

/// "ZZ" is two letters but no country: refused at its field by
/// createCampaign, updateCampaign and generateAdCopy; the list the editor
/// offers is the list the server accepts.
async fn only_countries_on_the_platforms_list_are_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["targetAudience"]["countries"] = json!(["ZZ", "DE"]);
    let r = app
        .graphql_as(&ann.token, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(fields(&r), ["targetAudience.countries"]);
    assert!(
        r.first_message().starts_with("ZZ is not a country"),
        "{}",
        r.first_message()
    );

    let id = create(&app, &ann, traffic_input(&integration, &images)).await;
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }",
            json!({ "id": id, "input": input }),
        )
        .await;
    assert_eq!(fields(&r), ["targetAudience.countries"], "{}", r.body);
    let r = app
        .graphql_as(
            &ann.token,
            "mutation { generateAdCopy(input: { niche: \"yoga\", objective: LEADS, audience: { countries: [\"ZZ\"] } }) { headline } }",
            json!({}),
        )
        .await;
    assert_eq!(fields(&r), ["audience.countries"], "{}", r.body);

    let r = app
        .graphql_as(&ann.token, "{ countries { code name } }", json!({}))
        .await;
    let list = r.data()["countries"].as_array().unwrap().clone();
    assert!(list.len() > 200, "{}", list.len());
    assert!(list.contains(&json!({ "code": "PT", "name": "Portugal" })));
    assert!(!list.iter().any(|c| c["code"] == "ZZ"));
}
