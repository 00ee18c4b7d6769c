//! Deleting a creative that campaigns use: refused while a launched one
//! does; a draft just loses it.

use entities::{
    CampaignId, CampaignStatus, CreativeId, IntegrationId, IntegrationStatus, Provider,
    ad_campaign, campaign_creative, creative, user_integration,
};
use leadforge_e2e::{Account, Backend, TestApp, both_backends, images};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::json;

use super::{DELETE, blob_path, upload};

both_backends!(a_launched_campaign_keeps_its_creative_and_a_draft_lets_go);

/// Campaign rows as the campaigns work will write them (there is no
/// mutation for them yet), under an integration of the owner's.
struct Fixture {
    db: DatabaseConnection,
    integration: IntegrationId,
    owner: Account,
}

impl Fixture {
    async fn new(app: &TestApp, owner: Account) -> Self {
        let db = app.db.connect().await;
        let now = chrono::Utc::now();
        let integration = IntegrationId::generate();
        user_integration::ActiveModel {
            id: Set(integration),
            tenant_id: Set(owner.tenant_id.parse().unwrap()),
            user_id: Set(owner.user_id.parse().unwrap()),
            provider: Set(Provider::Sandbox),
            credentials: Set(vec![1; 32]),
            credentials_nonce: Set(vec![2; 12]),
            wrapped_key: Set(vec![3; 48]),
            wrapped_key_nonce: Set(vec![4; 12]),
            key_id: Set("test".into()),
            ad_account_id: Set("act_1".into()),
            token_last4: Set("abcd".into()),
            status: Set(IntegrationStatus::Unverified),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        Self {
            db,
            integration,
            owner,
        }
    }

    async fn campaign(&self, name: &str, status: CampaignStatus, creative: &str) -> CampaignId {
        let id = leadforge_e2e::fixtures::insert_campaign(
            &self.db,
            &self.owner,
            self.integration,
            name,
            status,
        )
        .await;
        campaign_creative::ActiveModel {
            campaign_id: Set(id),
            creative_id: Set(creative.parse().unwrap()),
            tenant_id: Set(self.owner.tenant_id.parse().unwrap()),
            user_id: Set(self.owner.user_id.parse().unwrap()),
            position: Set(0),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
        id
    }
}

async fn a_launched_campaign_keeps_its_creative_and_a_draft_lets_go(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let fx = Fixture::new(&app, ada.clone()).await;
    let used = upload(&app, &ada, "live.png", images::png(100, 100, 1)).await;
    let drafted = upload(&app, &ada, "draft.png", images::png(100, 100, 2)).await;
    let id = |c: &serde_json::Value| c["id"].as_str().unwrap().to_owned();

    let live = fx
        .campaign("Spring sale", CampaignStatus::Active, &id(&used))
        .await;
    let draft = fx
        .campaign("Summer idea", CampaignStatus::Draft, &id(&drafted))
        .await;
    // The used creative is also in a draft: the launched campaign still wins.
    campaign_creative::ActiveModel {
        campaign_id: Set(draft),
        creative_id: Set(id(&used).parse().unwrap()),
        tenant_id: Set(ada.tenant_id.parse().unwrap()),
        user_id: Set(ada.user_id.parse().unwrap()),
        position: Set(1),
        ..Default::default()
    }
    .insert(&fx.db)
    .await
    .unwrap();

    let r = app
        .graphql_as(&ada.token, DELETE, json!({ "id": id(&used) }))
        .await;
    assert_eq!(r.error_codes(), vec!["CONFLICT"], "{}", r.body);
    assert!(
        r.first_message().contains("Spring sale"),
        "{}",
        r.first_message()
    );
    let still: CreativeId = id(&used).parse().unwrap();
    assert!(
        creative::Entity::find_by_id(still)
            .one(&fx.db)
            .await
            .unwrap()
            .is_some()
    );
    assert!(blob_path(&app, used["url"].as_str().unwrap()).exists());
    let links = campaign_creative::Entity::find().all(&fx.db).await.unwrap();
    assert_eq!(links.len(), 3, "nothing unlinked by a refused delete");

    // Only in a draft: deleted, and the draft keeps its other creative.
    let r = app
        .graphql_as(&ada.token, DELETE, json!({ "id": id(&drafted) }))
        .await;
    assert_eq!(r.data()["deleteCreative"], true);
    let mut left: Vec<(CampaignId, String)> = campaign_creative::Entity::find()
        .all(&fx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.campaign_id, l.creative_id.to_string()))
        .collect();
    left.sort();
    let mut expected = vec![(live, id(&used)), (draft, id(&used))];
    expected.sort();
    assert_eq!(left, expected);
    assert!(
        ad_campaign::Entity::find_by_id(draft)
            .one(&fx.db)
            .await
            .unwrap()
            .is_some()
    );
    assert!(!blob_path(&app, drafted["url"].as_str().unwrap()).exists());
}
