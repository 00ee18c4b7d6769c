//! Campaign drafts through the API, for the tests that need one.

use serde_json::{Value, json};

use crate::{Account, TestApp, images};

/// `createCampaign` selecting the fields most tests look at.
pub const CREATE: &str = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { \
    id status campaignName objective dailyBudgetCents provider destinationUrl leadFormId pixelId \
    targetAudience { countries ageMin ageMax regions { id name } cities { id name } interests { id name } } \
    adCopy { headline body description callToAction } \
    creatives { id } remoteAds { creativeId remoteCreativeId remoteAdId } \
    integration { id } owner { id } performance { currency impressions spendCents ctr } \
    snapshots { capturedAt } metaCampaignId errorMessage } }";

/// A TRAFFIC draft's input on `integration` with `creatives`, which tests
/// adjust field by field.
pub fn traffic_input(integration: &str, creatives: &[String]) -> Value {
    json!({
        "campaignName": "Spring open day",
        "objective": "TRAFFIC",
        "dailyBudgetCents": 2000,
        "targetAudience": { "countries": ["US"], "ageMin": 25, "ageMax": 54 },
        "destinationUrl": "https://example.com/open-day",
        "creativeIds": creatives,
        "integrationId": integration,
        "niche": "yoga studio",
    })
}

/// Runs "Test connection" on integration `id`, asserting it passed; the id.
async fn tested(app: &TestApp, who: &Account, id: String) -> String {
    let r = app
        .graphql_as(
            &who.token,
            "mutation($i: ID!) { testIntegration(id: $i) { ok message } }",
            json!({ "i": id }),
        )
        .await;
    assert_eq!(r.data()["testIntegration"]["ok"], true, "{}", r.body);
    id
}

/// A Sandbox integration of `who` on `account`, tested (so `VERIFIED`).
pub async fn verified_sandbox(app: &TestApp, who: &Account, account: &str) -> String {
    let r = app
        .graphql_as(
            &who.token,
            "mutation($a: String!) { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: $a) { id } }",
            json!({ "a": account }),
        )
        .await;
    let id = r.data()["saveIntegration"]["id"]
        .as_str()
        .expect("integration id")
        .to_owned();
    tested(app, who, id).await
}

/// A Meta integration of `who` on the stand-in fixture's USD account,
/// tested (so `VERIFIED`).
pub async fn verified_meta(
    app: &TestApp,
    who: &Account,
    f: &adapters::stand_in::MetaFixture,
) -> String {
    let r = app
        .graphql_as(
            &who.token,
            "mutation($t: String!, $a: String!, $p: String) { saveIntegration(provider: META_ADS, accessToken: $t, adAccountId: $a, pageId: $p) { id } }",
            json!({ "t": f.token, "a": f.account, "p": f.page_id }),
        )
        .await;
    let id = r.data()["saveIntegration"]["id"]
        .as_str()
        .expect("integration id")
        .to_owned();
    tested(app, who, id).await
}

/// `n` fresh creatives of `who`.
pub async fn creatives(app: &TestApp, who: &Account, n: u32, seed: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = app
            .upload_creative(&who.token, "ad.png", images::png(32, 32, seed + i))
            .await;
        ids.push(
            r.data()["uploadCreative"]["id"]
                .as_str()
                .expect("creative id")
                .to_owned(),
        );
    }
    ids
}

/// Creates a draft from `input`, asserting it was accepted; its id.
pub async fn create(app: &TestApp, who: &Account, input: Value) -> String {
    let r = app
        .graphql_as(&who.token, CREATE, json!({ "input": input }))
        .await;
    r.data()["createCampaign"]["id"]
        .as_str()
        .expect("campaign id")
        .to_owned()
}

/// `launchCampaign` selecting what launch tests look at.
pub const LAUNCH: &str = "mutation($id: ID!, $k: String) { launchCampaign(id: $id, idempotencyKey: $k) { id status errorMessage } }";

/// Polls the campaign until its launch settled (not `LAUNCHING`); its
/// final state. The wait is bounded only to fail a hung launch, never to
/// assert a speed.
pub async fn settled(app: &TestApp, who: &Account, id: &str) -> Value {
    let query = "query($id: ID!) { campaign(id: $id) { id status errorMessage metaCampaignId metaAdsetId metaAdId \
        adCopy { headline body callToAction } remoteAds { creativeId remoteCreativeId remoteAdId } } }";
    for _ in 0..4000 {
        let r = app.graphql_as(&who.token, query, json!({ "id": id })).await;
        let campaign = r.data()["campaign"].clone();
        if campaign["status"] != "LAUNCHING" {
            return campaign;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the launch of {id} did not settle");
}

/// The caller's balance and ledger kinds, newest first.
pub async fn ledger(app: &TestApp, who: &Account) -> (i64, Vec<String>) {
    let r = app
        .graphql_as(
            &who.token,
            "{ creditBalance creditLedger(first: 100) { edges { node { kind delta } } } }",
            json!({}),
        )
        .await;
    let data = r.data();
    let kinds = data["creditLedger"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["kind"].as_str().expect("kind").to_owned())
        .collect();
    (data["creditBalance"].as_i64().expect("balance"), kinds)
}
