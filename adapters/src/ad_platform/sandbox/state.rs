//! The Sandbox's in-memory objects.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::delivery::{DeliveryInput, totals};
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::types::{
    AdDelivery, AdSpec, AdState, CampaignState, InsightsRow, ObjectKind, Objective, RemoteDelivery,
    RemoteId, RemoteObject, RemoteStatus,
};
use crate::ad_platform::validate::invalid;

/// One remote object.
#[derive(Debug, Clone)]
pub struct Obj {
    kind: ObjectKind,
    name: String,
    status: &'static str,
    objective: Option<Objective>,
    daily_budget: Option<i64>,
    parent: Option<RemoteId>,
    lead_form: bool,
    active_since: Option<Duration>,
    active_total: Duration,
}

impl Obj {
    fn new(kind: ObjectKind, name: String) -> Self {
        Self {
            kind,
            name,
            status: "PAUSED",
            objective: None,
            daily_budget: None,
            parent: None,
            lead_form: false,
            active_since: None,
            active_total: Duration::ZERO,
        }
    }

    /// A campaign.
    pub fn campaign(name: String, objective: Objective, budget: Option<i64>) -> Self {
        Self {
            objective: Some(objective),
            daily_budget: budget,
            ..Self::new(ObjectKind::Campaign, name)
        }
    }

    /// An ad set of `campaign`.
    pub fn ad_set(name: String, campaign: &RemoteId, budget: Option<i64>, lead_form: bool) -> Self {
        Self {
            daily_budget: budget,
            parent: Some(campaign.clone()),
            lead_form,
            ..Self::new(ObjectKind::AdSet, name)
        }
    }

    /// A creative.
    pub fn creative(name: String, lead_form: bool) -> Self {
        Self {
            lead_form,
            ..Self::new(ObjectKind::Creative, name)
        }
    }

    /// An ad of `ad_set`.
    pub fn ad(name: String, ad_set: &RemoteId) -> Self {
        Self {
            parent: Some(ad_set.clone()),
            ..Self::new(ObjectKind::Ad, name)
        }
    }
}

/// What an ad set needs to know of its campaign.
#[derive(Debug, Clone, Copy)]
pub struct CampaignFacts {
    /// The campaign's goal.
    pub objective: Objective,
    /// Whether the budget sits on the campaign.
    pub has_budget: bool,
}

/// Everything the Sandbox remembers.
#[derive(Debug, Default)]
pub struct State {
    next_id: u64,
    objects: BTreeMap<(String, RemoteId), Obj>,
    images: BTreeSet<(String, String)>,
    seen: BTreeSet<String>,
    calls: HashMap<String, u64>,
}

fn missing(id: &RemoteId) -> PlatformError {
    invalid(
        "id",
        Some(33),
        &format!(
            "Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        ),
        None,
    )
}

impl State {
    /// Counts a call on an account.
    pub fn count_call(&mut self, account: &str) {
        *self.calls.entry(account.to_owned()).or_default() += 1;
    }

    /// Calls made on an account.
    pub fn calls(&self, account: &str) -> u64 {
        self.calls.get(account).copied().unwrap_or(0)
    }

    /// True the first time `key` is seen.
    pub fn first_time(&mut self, key: &str) -> bool {
        self.seen.insert(key.to_owned())
    }

    /// Stores an object under a new deterministic 18-digit id.
    pub fn insert(&mut self, account: &str, obj: Obj) -> RemoteId {
        self.next_id += 1;
        let id = RemoteId(format!("120{:015}", self.next_id));
        self.objects.insert((account.to_owned(), id.clone()), obj);
        id
    }

    /// Stores an image; its hash is the SHA-256 of the bytes (truncated like Meta's).
    pub fn add_image(&mut self, account: &str, bytes: &[u8]) -> String {
        let hash = hex::encode(&Sha256::digest(bytes)[..16]);
        self.images.insert((account.to_owned(), hash.clone()));
        hash
    }

    /// Whether the account owns the image.
    pub fn has_image(&self, account: &str, hash: &str) -> bool {
        self.images.contains(&(account.to_owned(), hash.to_owned()))
    }

    fn get(&self, account: &str, id: &RemoteId, kind: ObjectKind) -> Result<&Obj, PlatformError> {
        self.objects
            .get(&(account.to_owned(), id.clone()))
            .filter(|o| o.kind == kind && o.status != "DELETED")
            .ok_or_else(|| missing(id))
    }

    /// The campaign an ad set is created under.
    pub fn campaign_facts(
        &self,
        account: &str,
        id: &RemoteId,
    ) -> Result<CampaignFacts, PlatformError> {
        let c = self.get(account, id, ObjectKind::Campaign)?;
        Ok(CampaignFacts {
            objective: c.objective.unwrap_or(Objective::Traffic),
            has_budget: c.daily_budget.is_some(),
        })
    }

    /// Checks an ad's ad set and creative.
    pub fn check_ad(&self, account: &str, spec: &AdSpec) -> Result<(), PlatformError> {
        let ad_set = self.get(account, &spec.ad_set_id, ObjectKind::AdSet)?;
        let creative = self.get(account, &spec.creative_id, ObjectKind::Creative)?;
        if ad_set.lead_form && !creative.lead_form {
            return Err(invalid(
                "creative",
                Some(3_390_001),
                "Missing Lead Form",
                Some("Ads in a lead-generation ad set need a lead form in the call to action."),
            ));
        }
        Ok(())
    }

    /// The object of `kind` whose name carries `[tag]`.
    pub fn find_by_tag(&self, account: &str, kind: ObjectKind, tag: &str) -> Option<RemoteObject> {
        let marker = format!("[{tag}]");
        self.objects
            .iter()
            .find(|((acc, _), o)| {
                acc == account
                    && o.kind == kind
                    && o.status != "DELETED"
                    && o.name.ends_with(&marker)
            })
            .map(|((_, id), o)| RemoteObject {
                id: id.clone(),
                name: o.name.clone(),
                status: o.status.to_owned(),
            })
    }

    /// Changes a status, keeping track of a campaign's active time.
    pub fn set_status(
        &mut self,
        account: &str,
        id: &RemoteId,
        status: RemoteStatus,
        now: Duration,
    ) -> Result<(), PlatformError> {
        let obj = self
            .objects
            .get_mut(&(account.to_owned(), id.clone()))
            .filter(|o| o.status != "DELETED")
            .ok_or_else(|| missing(id))?;
        if obj.status == "ARCHIVED" && status != RemoteStatus::Archived {
            return Err(invalid(
                "status",
                None,
                "An archived object can't be edited",
                None,
            ));
        }
        let becomes_active = status == RemoteStatus::Active;
        match (obj.active_since, becomes_active) {
            (None, true) => obj.active_since = Some(now),
            (Some(since), false) => {
                obj.active_total += now.saturating_sub(since);
                obj.active_since = None;
            }
            _ => {}
        }
        obj.status = status.as_str();
        Ok(())
    }

    /// Deletes an object.
    pub fn delete(&mut self, account: &str, id: &RemoteId) -> Result<(), PlatformError> {
        let obj = self
            .objects
            .get_mut(&(account.to_owned(), id.clone()))
            .filter(|o| o.status != "DELETED")
            .ok_or_else(|| missing(id))?;
        obj.status = "DELETED";
        obj.active_since = None;
        Ok(())
    }

    /// Where the account's campaigns among `ids` stand; deleted ones
    /// included, as the platform reports them.
    pub fn campaign_states(&self, account: &str, ids: &[RemoteId]) -> Vec<CampaignState> {
        ids.iter()
            .filter_map(|id| {
                let c = self
                    .objects
                    .get(&(account.to_owned(), id.clone()))
                    .filter(|o| o.kind == ObjectKind::Campaign)?;
                // The Sandbox reviews nothing: an ad is where its own
                // status, or a paused parent, puts it.
                let ads = self
                    .objects
                    .iter()
                    .filter(|((a, _), o)| a == account && o.kind == ObjectKind::Ad)
                    .filter_map(|((_, ad_id), ad)| {
                        let set = self
                            .objects
                            .get(&(account.to_owned(), ad.parent.clone()?))?;
                        (set.parent.as_ref() == Some(id)).then_some((ad_id, ad, set))
                    })
                    .filter_map(|(ad_id, ad, set)| {
                        let status = match (c.status, set.status, ad.status) {
                            (_, _, s @ ("ARCHIVED" | "DELETED")) => s,
                            ("PAUSED", _, _) => "CAMPAIGN_PAUSED",
                            (_, "PAUSED", _) => "ADSET_PAUSED",
                            (_, _, s) => s,
                        };
                        Some(AdState {
                            ad_id: ad_id.clone(),
                            delivery: AdDelivery::from_effective_status(status, None)?,
                        })
                    })
                    .collect();
                Some(CampaignState::summarize(
                    id.clone(),
                    RemoteDelivery::from_effective_status(c.status, None)?,
                    ads,
                ))
            })
            .collect()
    }

    /// Delivery totals of the account's campaigns among `ids`; campaigns that never
    /// delivered are left out, as Meta does.
    pub fn insights(&self, account: &str, ids: &[RemoteId], now: Duration) -> Vec<InsightsRow> {
        ids.iter()
            .filter_map(|id| {
                let c = self.get(account, id, ObjectKind::Campaign).ok()?;
                let active_for = c.active_total
                    + c.active_since
                        .map_or(Duration::ZERO, |s| now.saturating_sub(s));
                let ad_set_budgets: i64 = self
                    .objects
                    .iter()
                    .filter(|((acc, _), o)| {
                        acc == account
                            && o.kind == ObjectKind::AdSet
                            && o.parent.as_ref() == Some(id)
                    })
                    .filter_map(|(_, o)| o.daily_budget)
                    .sum();
                let row = totals(&DeliveryInput {
                    campaign_id: id.as_str(),
                    objective: c.objective.unwrap_or(Objective::Traffic),
                    daily_budget: c.daily_budget.unwrap_or(ad_set_budgets),
                    active_for,
                });
                (row.impressions > 0).then_some(row)
            })
            .collect()
    }
}

/// One object as saved to disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedObj {
    account: String,
    id: RemoteId,
    kind: ObjectKind,
    name: String,
    status: String,
    objective: Option<Objective>,
    daily_budget: Option<i64>,
    parent: Option<RemoteId>,
    lead_form: bool,
    /// Time delivered so far, in milliseconds (a running stretch included).
    active_ms: u64,
}

/// The state as saved to disk, so a Sandbox outlives its process.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    next_id: u64,
    objects: Vec<SavedObj>,
    images: Vec<(String, String)>,
    seen: Vec<String>,
}

fn static_status(status: &str) -> &'static str {
    match status {
        "ACTIVE" => "ACTIVE",
        "ARCHIVED" => "ARCHIVED",
        "DELETED" => "DELETED",
        _ => "PAUSED",
    }
}

impl State {
    /// What to save, at clock time `now`.
    pub fn snapshot(&self, now: Duration) -> Snapshot {
        Snapshot {
            next_id: self.next_id,
            objects: self
                .objects
                .iter()
                .map(|((account, id), o)| SavedObj {
                    account: account.clone(),
                    id: id.clone(),
                    kind: o.kind,
                    name: o.name.clone(),
                    status: o.status.to_owned(),
                    objective: o.objective,
                    daily_budget: o.daily_budget,
                    parent: o.parent.clone(),
                    lead_form: o.lead_form,
                    active_ms: u64::try_from(
                        (o.active_total
                            + o.active_since
                                .map_or(Duration::ZERO, |s| now.saturating_sub(s)))
                        .as_millis(),
                    )
                    .unwrap_or(u64::MAX),
                })
                .collect(),
            images: self.images.iter().cloned().collect(),
            seen: self.seen.iter().cloned().collect(),
        }
    }

    /// The state a snapshot describes, with delivery resuming at `now`.
    pub fn restore(snapshot: Snapshot, now: Duration) -> Self {
        Self {
            next_id: snapshot.next_id,
            objects: snapshot
                .objects
                .into_iter()
                .map(|o| {
                    let status = static_status(&o.status);
                    let obj = Obj {
                        kind: o.kind,
                        name: o.name,
                        status,
                        objective: o.objective,
                        daily_budget: o.daily_budget,
                        parent: o.parent,
                        lead_form: o.lead_form,
                        active_since: (status == "ACTIVE").then_some(now),
                        active_total: Duration::from_millis(o.active_ms),
                    };
                    ((o.account, o.id), obj)
                })
                .collect(),
            images: snapshot.images.into_iter().collect(),
            seen: snapshot.seen.into_iter().collect(),
            calls: HashMap::new(),
        }
    }
}
