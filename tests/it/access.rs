//! The access matrix: every root field of the served schema, for each of
//! five principals — anonymous, the owning member, another member of the
//! same tenant, a member of another tenant, the chief architect — with the
//! outcome each must get. Root fields are read by introspection, so a new
//! operation cannot be served without being classified here.

use std::collections::BTreeSet;

use leadforge_e2e::{Account, Backend, GqlResponse, TestApp, both_backends, images};
use serde_json::{Value, json};

both_backends!(every_root_field_answers_each_principal_as_classified);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Unauthenticated,
    Forbidden,
    NotFound,
    /// Allowed, but the row's state forbids it.
    Conflict,
}
use Expect::*;

/// Who asks, in the matrix's column order.
const PRINCIPALS: [&str; 5] = [
    "anonymous",
    "owner",
    "same-tenant member",
    "other-tenant member",
    "chief architect",
];

/// Column order of a run: anonymous, the two other members, the owner,
/// the chief architect.
const RUN_ORDER: [usize; 5] = [0, 2, 3, 1, 4];

/// The world the matrix runs in: the owner's tenant A with a second member,
/// another tenant B, and a chief architect.
struct World {
    /// The owner's creatives, one per principal, so each principal's
    /// `deleteCreative` has its own target whatever the order of the run.
    creatives: Vec<String>,
    /// An integration the owner saved (Sandbox).
    integration: String,
    /// Two more of the owner's integrations, for the delete rows: the
    /// owner deletes the first, the chief architect the second.
    doomed: [String; 2],
    /// A draft of the owner's (on the first creative), read and edited.
    campaign: String,
    /// More drafts of the owner's, one per principal for the delete rows.
    campaigns: Vec<String>,
    /// A draft of the owner's that the launch row launches.
    launchable: String,
    /// The owner's leads (on `campaign`): the first is read and updated,
    /// one per principal for the delete rows after it.
    leads: Vec<String>,
    /// The owner's paused lead destination, with a held delivery of the
    /// first lead (`delivery`).
    destination: String,
    delivery: String,
    /// More destinations of the owner's, one per principal for the delete rows.
    destinations: Vec<String>,
    owner: Account,
    same_tenant: Account,
    other_tenant: Account,
    chief: Account,
}

impl World {
    fn token(&self, principal: usize) -> Option<&str> {
        match principal {
            0 => None,
            1 => Some(&self.owner.token),
            2 => Some(&self.same_tenant.token),
            3 => Some(&self.other_tenant.token),
            _ => Some(&self.chief.token),
        }
    }
}

/// One classified operation: the root field, a document exercising it on
/// the owner's rows, and the outcome for each principal.
struct Case {
    field: &'static str,
    document: &'static str,
    variables: fn(&World, usize) -> Value,
    expect: [Expect; 5],
    /// Extra checks on an allowed answer (what it must not reveal).
    check: Option<fn(&World, usize, &Value)>,
}

fn none(_: &World, _: usize) -> Value {
    json!({})
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            field: "serverStatus",
            document: "{ serverStatus { version } }",
            variables: none,
            expect: [Ok, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "me",
            document: "{ me { id tenant { id } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let expected = match p {
                    1 => &w.owner,
                    2 => &w.same_tenant,
                    3 => &w.other_tenant,
                    _ => &w.chief,
                };
                assert_eq!(data["me"]["id"], expected.user_id.as_str());
            }),
        },
        Case {
            field: "signUp",
            document: "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery staple\", tenantName: \"Matrix Co\") { user { id } } }",
            variables: |_, p| json!({ "e": format!("matrix-{p}-{}@example.com", uuid::Uuid::new_v4()) }),
            expect: [Ok, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "signIn",
            document: "mutation($e: String!) { signIn(email: $e, password: \"correct horse battery staple\") { user { id } } }",
            variables: |w, _| json!({ "e": w.owner.email }),
            expect: [Ok, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "tenants",
            document: "{ tenants { id } }",
            variables: none,
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: Some(|w, _, data| {
                let ids = ids(&data["tenants"]);
                assert!(
                    ids.contains(&w.owner.tenant_id) && ids.contains(&w.other_tenant.tenant_id)
                );
            }),
        },
        Case {
            field: "users",
            document: "query($t: ID) { users(tenantId: $t) { id } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: Some(|w, _, data| {
                let ids = ids(&data["users"]);
                assert_eq!(
                    ids,
                    BTreeSet::from([w.owner.user_id.clone(), w.same_tenant.user_id.clone()])
                );
            }),
        },
        Case {
            field: "createUser",
            document: "mutation($t: ID!, $e: String!) { createUser(tenantId: $t, email: $e, password: \"correct horse battery staple\", role: MEMBER) { id } }",
            variables: |w, p| json!({ "t": w.owner.tenant_id, "e": format!("made-{p}-{}@example.com", uuid::Uuid::new_v4()) }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: None,
        },
        Case {
            field: "createUser",
            document: "mutation($t: ID!) { createUser(tenantId: $t, email: \"ghost@example.com\", password: \"correct horse battery staple\", role: MEMBER) { id } }",
            variables: |_, _| json!({ "t": uuid::Uuid::new_v4().to_string() }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, NotFound],
            check: None,
        },
        Case {
            field: "integrations",
            document: "{ integrations { id } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let ids = ids(&data["integrations"]);
                // Only the owner (and the chief architect) see the owner's row.
                assert_eq!(ids.contains(&w.integration), p == 1 || p == 4, "{ids:?}");
            }),
        },
        Case {
            field: "platformAssets",
            document: "query($i: ID!) { platformAssets(integrationId: $i) { pages { id } } }",
            variables: |w, _| json!({ "i": w.integration }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "searchTargeting",
            document: "query($i: ID!) { searchTargeting(integrationId: $i, kind: INTEREST, query: \"yoga\") { id } }",
            variables: |w, _| json!({ "i": w.integration }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "saveIntegration",
            document: "mutation { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: \"4242\") { id } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "testIntegration",
            document: "mutation($i: ID!) { testIntegration(id: $i) { ok } }",
            variables: |w, _| json!({ "i": w.integration }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "updateIntegration",
            document: "mutation($i: ID!) { updateIntegration(id: $i, accessToken: \"sandbox-token-abcd\") { ok } }",
            variables: |w, _| json!({ "i": w.integration }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "countries",
            document: "{ countries { code } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "setIntegrationDsa",
            document: "mutation($i: ID!) { setIntegrationDsa(id: $i, dsaBeneficiary: \"Acme Ltd\", dsaPayor: \"Acme Agency\") { dsaBeneficiary } }",
            variables: |w, _| json!({ "i": w.integration }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| {
                assert_eq!(data["setIntegrationDsa"]["dsaBeneficiary"], "Acme Ltd")
            }),
        },
        Case {
            field: "deleteIntegration",
            document: "mutation($i: ID!) { deleteIntegration(id: $i) }",
            variables: |w, p| json!({ "i": if p == 4 { &w.doomed[1] } else { &w.doomed[0] } }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "creatives",
            document: "{ creatives(first: 100) { totalCount edges { node { id } } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let seen: BTreeSet<String> = data["creatives"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                    .collect();
                // The first is never deleted; only the owner and the chief
                // architect may see it.
                assert_eq!(seen.contains(&w.creatives[0]), p == 1 || p == 4, "{seen:?}");
            }),
        },
        Case {
            // Sent as a multipart request (see `uploads`).
            field: "uploadCreative",
            document: "mutation($file: Upload!) { uploadCreative(file: $file) { id } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "deleteCreative",
            document: "mutation($id: ID!) { deleteCreative(id: $id) }",
            variables: |w, p| json!({ "id": w.creatives[p] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["deleteCreative"], true)),
        },
        Case {
            field: "auditEvents",
            document: "{ auditEvents(first: 100) { totalCount edges { node { actor { id } action } } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let actors: BTreeSet<String> = data["auditEvents"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|e| e["node"]["actor"]["id"].as_str().map(str::to_owned))
                    .collect();
                let me = match p {
                    1 => Some(&w.owner.user_id),
                    2 => Some(&w.same_tenant.user_id),
                    3 => Some(&w.other_tenant.user_id),
                    _ => None,
                };
                match me {
                    // A member sees only their own actions.
                    Some(me) => assert!(actors.iter().all(|a| a == me), "{actors:?}"),
                    // The chief architect sees everyone's.
                    None => assert!(
                        actors.contains(&w.owner.user_id)
                            && actors.contains(&w.other_tenant.user_id)
                    ),
                }
            }),
        },
        Case {
            field: "agents",
            document: "{ agents { key enabled providers } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "setTenantAgent",
            document: "mutation($t: ID!) { setTenantAgent(tenantId: $t, agentKey: \"media-buyer\", enabled: true, providers: [SANDBOX, META_ADS]) { key enabled } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: None,
        },
        Case {
            field: "creditBalance",
            document: "{ creditBalance }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "creditLedger",
            document: "{ creditLedger(first: 100) { edges { node { id } } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "grantCredits",
            document: "mutation($u: ID!) { grantCredits(userId: $u, amount: 1, reason: \"matrix\") { id kind } }",
            variables: |w, _| json!({ "u": w.owner.user_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: Some(|_, _, data| assert_eq!(data["grantCredits"]["kind"], "GRANT")),
        },
        Case {
            field: "campaigns",
            document: "{ campaigns(first: 100) { edges { node { id owner { id } } } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let seen: BTreeSet<String> = data["campaigns"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(seen.contains(&w.campaign), p == 1 || p == 4, "{seen:?}");
            }),
        },
        Case {
            // Over the WebSocket: the campaign's current state comes first.
            field: "campaignUpdated",
            document: "subscription($id: ID) { campaignUpdated(id: $id) { id status } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "campaign",
            document: "query($id: ID!) { campaign(id: $id) { id integration { id } creatives { id } } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            // Another member's creative and integration are not found, for
            // the chief architect too: a campaign runs its owner's rows.
            field: "createCampaign",
            document: "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id status } }",
            variables: |w, _| json!({ "input": leadforge_e2e::campaigns::traffic_input(&w.integration, &w.creatives[..1]) }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, NotFound],
            check: Some(|_, _, data| assert_eq!(data["createCampaign"]["status"], "DRAFT")),
        },
        Case {
            field: "updateCampaign",
            document: "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }",
            variables: |w, _| json!({ "id": w.campaign, "input": leadforge_e2e::campaigns::traffic_input(&w.integration, &w.creatives[..1]) }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "deleteCampaign",
            document: "mutation($id: ID!) { deleteCampaign(id: $id) }",
            variables: |w, p| json!({ "id": w.campaigns[p] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["deleteCampaign"], true)),
        },
        Case {
            field: "leads",
            document: "{ leads(first: 100) { edges { node { id answers { name } } } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let seen: BTreeSet<String> = data["leads"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(seen.contains(&w.leads[0]), p == 1 || p == 4, "{seen:?}");
            }),
        },
        Case {
            field: "lead",
            document: "query($id: ID!) { lead(id: $id) { id status answers { name values } } }",
            variables: |w, _| json!({ "id": w.leads[0] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "updateLead",
            document: "mutation($id: ID!) { updateLead(id: $id, input: { status: CONTACTED, note: \"matrix\" }) { id status note } }",
            variables: |w, _| json!({ "id": w.leads[0] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["updateLead"]["status"], "CONTACTED")),
        },
        Case {
            field: "deleteLead",
            document: "mutation($id: ID!) { deleteLead(id: $id) }",
            variables: |w, p| json!({ "id": w.leads[p + 1] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["deleteLead"], true)),
        },
        Case {
            // Over the WebSocket; `since` sends the owner's earlier leads first.
            field: "leadReceived",
            document: "subscription($c: ID, $s: DateTime) { leadReceived(campaignId: $c, since: $s) { id } }",
            variables: |w, _| json!({ "c": w.campaign, "s": "2000-01-01T00:00:00Z" }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "leadDestinations",
            document: "{ leadDestinations { id status } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let seen = ids(&data["leadDestinations"]);
                assert_eq!(seen.contains(&w.destination), p == 1 || p == 4, "{seen:?}");
            }),
        },
        Case {
            field: "leadDeliveries",
            document: "query($d: ID!) { leadDeliveries(destinationId: $d) { id status } }",
            variables: |w, _| json!({ "d": w.destination }),
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let seen = ids(&data["leadDeliveries"]);
                assert_eq!(seen.contains(&w.delivery), p == 1 || p == 4, "{seen:?}");
            }),
        },
        Case {
            // Everyone may add their own.
            field: "createLeadDestination",
            document: "mutation { createLeadDestination(input: { kind: WEBHOOK, name: \"Own\", url: \"https://hooks.example.com/leads\" }) { secret destination { id } } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|_, _, data| {
                assert!(data["createLeadDestination"]["secret"].as_str().is_some());
            }),
        },
        Case {
            field: "updateLeadDestination",
            document: "mutation($id: ID!) { updateLeadDestination(id: $id, input: { name: \"Renamed\" }) { id name status } }",
            variables: |w, _| json!({ "id": w.destination }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["updateLeadDestination"]["status"], "PAUSED")),
        },
        Case {
            field: "testLeadDestination",
            document: "mutation($id: ID!) { testLeadDestination(id: $id) { ok error } }",
            variables: |w, _| json!({ "id": w.destination }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["testLeadDestination"]["ok"], false)),
        },
        Case {
            // The destination is paused: allowed, but refused by its state.
            field: "resendLeadDelivery",
            document: "mutation($id: ID!) { resendLeadDelivery(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.delivery }),
            expect: [Unauthenticated, Conflict, NotFound, NotFound, Conflict],
            check: None,
        },
        Case {
            field: "deleteLeadDestination",
            document: "mutation($id: ID!) { deleteLeadDestination(id: $id) }",
            variables: |w, p| json!({ "id": w.destinations[p] }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_eq!(data["deleteLeadDestination"], true)),
        },
        Case {
            field: "generateAdCopy",
            document: "mutation { generateAdCopy(input: { niche: \"bakery\", objective: TRAFFIC, variants: 1, audience: { countries: [\"US\"] } }) { headline } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            // Others first: the owner's launch is accepted, and the chief
            // architect's call then answers the same launch.
            field: "launchCampaign",
            document: "mutation($id: ID!) { launchCampaign(id: $id, idempotencyKey: \"matrix\") { id status } }",
            variables: |w, _| json!({ "id": w.launchable }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: Some(|_, _, data| assert_ne!(data["launchCampaign"]["status"], "DRAFT")),
        },
        Case {
            field: "pauseCampaign",
            document: "mutation($id: ID!) { pauseCampaign(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Conflict, NotFound, NotFound, Conflict],
            check: None,
        },
        Case {
            field: "resumeCampaign",
            document: "mutation($id: ID!) { resumeCampaign(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Conflict, NotFound, NotFound, Conflict],
            check: None,
        },
        Case {
            field: "previewLaunch",
            document: "mutation($id: ID!) { previewLaunch(id: $id) { ok checks { name ok } } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "budgetPolicy",
            document: "{ budgetPolicy { tenantId } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: Some(|w, p, data| {
                let own = match p {
                    1 => &w.owner,
                    2 => &w.same_tenant,
                    3 => &w.other_tenant,
                    _ => &w.chief,
                };
                assert_eq!(data["budgetPolicy"]["tenantId"], own.tenant_id.as_str());
            }),
        },
        Case {
            field: "budgetPolicy",
            document: "query($t: ID) { budgetPolicy(tenantId: $t) { tenantId } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Ok, Ok, NotFound, Ok],
            check: None,
        },
        Case {
            field: "setBudgetLimit",
            document: "mutation($t: ID!) { setBudgetLimit(input: { tenantId: $t, currency: \"EUR\", maxCampaignDailyBudget: 1000 }) { tenantId } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: None,
        },
        // Approval mode: turning it off keeps the rest of the matrix's
        // launches immediate; the owner's draft is not waiting, so a
        // decision on it is CONFLICT for whoever may decide.
        Case {
            field: "setApprovalMode",
            document: "mutation($t: ID!) { setApprovalMode(tenantId: $t, required: false) { launchApprovalRequired } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: None,
        },
        Case {
            field: "launchesAwaitingApproval",
            document: "query($t: ID) { launchesAwaitingApproval(tenantId: $t) { planDigest } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "approveLaunch",
            document: "mutation($id: ID!) { approveLaunch(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Conflict],
            check: None,
        },
        Case {
            field: "rejectLaunch",
            document: "mutation($id: ID!) { rejectLaunch(id: $id, reason: \"Not now\") { id } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Conflict],
            check: None,
        },
        Case {
            field: "withdrawLaunch",
            document: "mutation($id: ID!) { withdrawLaunch(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.campaign }),
            expect: [Unauthenticated, Conflict, NotFound, NotFound, Conflict],
            check: None,
        },
        Case {
            field: "stopLossRules",
            document: "query($c: ID) { stopLossRules(campaignId: $c) { id } }",
            variables: |w, _| json!({ "c": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "previewStopLossRule",
            document: "query($c: ID!) { previewStopLossRule(campaignId: $c, kind: LIFETIME_SPEND, thresholdCents: 100) { snapshots } }",
            variables: |w, _| json!({ "c": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "addStopLossRule",
            document: "mutation($c: ID!) { addStopLossRule(input: { campaignId: $c, kind: LIFETIME_SPEND, thresholdCents: 100000 }) { id } }",
            variables: |w, _| json!({ "c": w.campaign }),
            expect: [Unauthenticated, Ok, NotFound, NotFound, Ok],
            check: None,
        },
        Case {
            field: "deleteStopLossRule",
            document: "mutation($id: ID!) { deleteStopLossRule(id: $id) }",
            variables: |_, _| json!({ "id": uuid::Uuid::new_v4().to_string() }),
            expect: [Unauthenticated, NotFound, NotFound, NotFound, NotFound],
            check: None,
        },
        Case {
            field: "notifications",
            document: "{ notifications { totalCount } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "unreadNotificationCount",
            document: "{ unreadNotificationCount }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "markNotificationsRead",
            document: "mutation { markNotificationsRead(all: true) }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        // Last: it stops the owner's running campaigns.
        Case {
            field: "pauseAllCampaigns",
            document: "mutation { pauseAllCampaigns { paused failed } }",
            variables: none,
            expect: [Unauthenticated, Ok, Ok, Ok, Ok],
            check: None,
        },
        Case {
            field: "pauseAllCampaigns",
            document: "mutation($t: ID) { pauseAllCampaigns(tenantId: $t) { paused failed } }",
            variables: |w, _| json!({ "t": w.owner.tenant_id }),
            expect: [Unauthenticated, Forbidden, Forbidden, Forbidden, Ok],
            check: None,
        },
    ]
}

/// Contract root fields whose behaviour lands in later work. Each one must
/// move into `cases()` when it is served (the test fails until it does).
const NOT_YET_SERVED: &[&str] = &[];

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn served_root_fields(app: &TestApp) -> BTreeSet<String> {
    let r = app
        .query("{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }")
        .await;
    let schema = &r.data()["__schema"];
    ["queryType", "mutationType", "subscriptionType"]
        .iter()
        .flat_map(|root| {
            schema[root]["fields"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// An operation with an `Upload` variable cannot travel as JSON: it goes
/// as a GraphQL multipart request with a fresh image as `$file`.
fn uploads(document: &str) -> bool {
    document.contains(": Upload!")
}

/// A subscription's first answer over the WebSocket, as a response.
async fn subscribe(
    app: &TestApp,
    token: Option<&str>,
    document: &str,
    variables: Value,
) -> GqlResponse {
    let payload = match token {
        Some(token) => json!({ "authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut socket = leadforge_e2e::ws::WsClient::connect(
        &url,
        leadforge_e2e::ws::Protocol::TransportWs,
        payload,
    )
    .await
    .expect("the socket opens");
    let body = socket
        .first(document, variables)
        .await
        .expect("a first answer");
    GqlResponse {
        status: reqwest::StatusCode::OK,
        content_type: "application/json".to_owned(),
        body,
    }
}

async fn run(app: &TestApp, token: Option<&str>, document: &str, variables: Value) -> GqlResponse {
    match token {
        Some(token) => app.graphql_as(token, document, variables).await,
        None => app.graphql(document, variables).await,
    }
}

async fn every_root_field_answers_each_principal_as_classified(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let owner = app.sign_up("owner@a.test", "Tenant A").await;
    let other_tenant = app.sign_up("member@b.test", "Tenant B").await;
    let made = app
        .graphql_as(
            &chief.token,
            "mutation($t: ID!) { createUser(tenantId: $t, email: \"second@a.test\", password: \"correct horse battery staple\", role: MEMBER) { id } }",
            json!({ "t": owner.tenant_id }),
        )
        .await;
    made.data();
    let same_tenant = app.sign_in("second@a.test").await;
    assert_eq!(same_tenant.tenant_id, owner.tenant_id);
    let saved = app
        .graphql_as(
            &owner.token,
            "mutation { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: \"1001\") { id } }",
            json!({}),
        )
        .await;
    let integration = saved.data()["saveIntegration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut doomed = Vec::new();
    for account in ["2001", "2002"] {
        let r = app
            .graphql_as(
                &owner.token,
                "mutation($a: String!) { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: $a) { id } }",
                json!({ "a": account }),
            )
            .await;
        doomed.push(
            r.data()["saveIntegration"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut creatives = Vec::new();
    for seed in 0..5 {
        let r = app
            .upload_creative(&owner.token, "matrix.png", images::png(24, 24, seed))
            .await;
        creatives.push(
            r.data()["uploadCreative"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Campaigns need a verified integration.
    app.graphql_as(
        &owner.token,
        "mutation($i: ID!) { testIntegration(id: $i) { ok } }",
        json!({ "i": integration }),
    )
    .await
    .data();
    let draft = leadforge_e2e::campaigns::traffic_input(&integration, &creatives[..1]);
    let campaign = leadforge_e2e::campaigns::create(&app, &owner, draft.clone()).await;
    let launchable = leadforge_e2e::campaigns::create(&app, &owner, draft.clone()).await;
    // Enough credits for the launch row on either engine.
    app.graphql_as(
        &chief.token,
        "mutation($u: ID!) { grantCredits(userId: $u, amount: 10, reason: \"matrix launch\") { id } }",
        json!({ "u": owner.user_id }),
    )
    .await
    .data();
    let mut campaigns = Vec::new();
    for _ in 0..5 {
        campaigns.push(leadforge_e2e::campaigns::create(&app, &owner, draft.clone()).await);
    }
    // A paused destination before the leads: each lead's delivery to it
    // is held (no job tries it while the matrix runs).
    let destination = destination_of(&app, &owner).await;
    app.graphql_as(
        &owner.token,
        "mutation($id: ID!) { updateLeadDestination(id: $id, input: { enabled: false }) { status } }",
        json!({ "id": destination }),
    )
    .await
    .data();
    let mut leads = Vec::new();
    for n in 0..6 {
        leads.push(owned_lead(&app, &owner, &campaign, &integration, n).await);
    }
    let delivery = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let conn = app.db.connect().await;
        entities::lead_delivery::Entity::find()
            .filter(
                entities::lead_delivery::Column::LeadId.eq(leads[0].parse::<uuid::Uuid>().unwrap()),
            )
            .one(&conn)
            .await
            .unwrap()
            .expect("a held delivery")
            .id
            .to_string()
    };
    let mut destinations = Vec::new();
    for _ in 0..5 {
        destinations.push(destination_of(&app, &owner).await);
    }
    let world = World {
        leads,
        destination,
        delivery,
        destinations,
        launchable,
        campaign,
        campaigns,
        creatives,
        integration,
        doomed: [doomed[0].clone(), doomed[1].clone()],
        owner,
        same_tenant,
        other_tenant,
        chief,
    };

    let cases = cases();
    let classified: BTreeSet<String> = cases.iter().map(|c| c.field.to_owned()).collect();
    let pending: BTreeSet<String> = NOT_YET_SERVED.iter().map(|s| (*s).to_owned()).collect();
    let served = served_root_fields(&app).await;
    let unclassified: Vec<_> = served.difference(&classified).collect();
    assert!(
        unclassified.is_empty(),
        "served root fields with no row in the access matrix: {unclassified:?}"
    );
    let now_served: Vec<_> = served.intersection(&pending).collect();
    assert!(
        now_served.is_empty(),
        "served now, so classify them in cases(): {now_served:?}"
    );
    let not_served: Vec<_> = classified.difference(&served).collect();
    assert!(
        not_served.is_empty(),
        "classified but not served: {not_served:?}"
    );

    let mut cells = 0;
    for case in &cases {
        // Everyone else tries before the owner, so an owner's delete cannot
        // hide whether the others were refused.
        for principal in RUN_ORDER {
            let expect = &case.expect[principal];
            let variables = (case.variables)(&world, principal);
            let r = if uploads(case.document) {
                let file = images::png(24, 24, 100 + principal as u32);
                app.upload(
                    world.token(principal),
                    case.document,
                    "matrix.png",
                    file,
                    true,
                )
                .await
            } else if case.document.starts_with("subscription") {
                subscribe(&app, world.token(principal), case.document, variables).await
            } else {
                run(&app, world.token(principal), case.document, variables).await
            };
            let who = PRINCIPALS[principal];
            match expect {
                Ok => {
                    let data = r.data();
                    if let Some(check) = case.check {
                        check(&world, principal, data);
                    }
                }
                denied => {
                    let code = match denied {
                        Unauthenticated => "UNAUTHENTICATED",
                        Forbidden => "FORBIDDEN",
                        NotFound => "NOT_FOUND",
                        Conflict => "CONFLICT",
                        Ok => unreachable!(),
                    };
                    assert_eq!(
                        r.error_codes(),
                        vec![code],
                        "{} as {who}: {}",
                        case.field,
                        r.body
                    );
                }
            }
            cells += 1;
        }
    }
    assert_eq!(cells, cases.len() * PRINCIPALS.len());
    eprintln!(
        "access matrix: {} cases over {} operations × {} principals = {cells} cells",
        cases.len(),
        classified.len(),
        PRINCIPALS.len()
    );
}

both_backends!(a_policy_change_takes_effect_on_reload_without_code_changes);

/// The policy is data: removing the members' audit-read rule and reloading
/// turns `auditEvents` into FORBIDDEN for members, and nothing else changes.
async fn a_policy_change_takes_effect_on_reload_without_code_changes(backend: Backend) {
    use entities::casbin_rule;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::spawn(backend).await;
    let member = app.sign_up("policy@a.test", "Policy Co").await;
    let audit = "{ auditEvents { totalCount } }";
    app.graphql_as(&member.token, audit, json!({})).await.data();

    let db = app.db.connect().await;
    let removed = casbin_rule::Entity::delete_many()
        .filter(casbin_rule::Column::V0.eq("member"))
        .filter(casbin_rule::Column::V2.eq("audit"))
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(removed.rows_affected, 1);
    // Not yet reloaded: the running policy is unchanged.
    app.graphql_as(&member.token, audit, json!({})).await.data();

    app.services.authz.reload().await.unwrap();
    let r = app.graphql_as(&member.token, audit, json!({})).await;
    assert_eq!(r.error_codes(), vec!["FORBIDDEN"], "{}", r.body);
    app.graphql_as(&member.token, "{ me { id } }", json!({}))
        .await
        .data();
}

both_backends!(the_chief_architect_sees_every_tenant_and_can_narrow_to_one);

/// Lists answer every tenant's rows to the chief architect, and `tenantId`
/// narrows them; a member narrowing to another tenant sees nothing.
async fn the_chief_architect_sees_every_tenant_and_can_narrow_to_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let a = app.sign_up("a@a.test", "Tenant A").await;
    let b = app.sign_up("b@b.test", "Tenant B").await;
    for who in [&a, &b] {
        app.graphql_as(
            &who.token,
            "mutation { saveIntegration(provider: SANDBOX, accessToken: \"sandbox-token\", adAccountId: \"1001\") { id } }",
            json!({}),
        )
        .await
        .data();
    }
    let list = "query($t: ID) { integrations(tenantId: $t) { id } auditEvents(tenantId: $t, first: 100) { edges { node { actor { tenant { id } } } } } }";
    let tenants_of = |data: &Value| -> BTreeSet<String> {
        data["auditEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                e["node"]["actor"]["tenant"]["id"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    };

    let all = app
        .graphql_as(&chief.token, list, json!({ "t": null }))
        .await;
    assert_eq!(all.data()["integrations"].as_array().unwrap().len(), 2);
    let seen = tenants_of(all.data());
    assert!(
        seen.contains(&a.tenant_id) && seen.contains(&b.tenant_id),
        "{seen:?}"
    );

    let only_a = app
        .graphql_as(&chief.token, list, json!({ "t": a.tenant_id }))
        .await;
    assert_eq!(only_a.data()["integrations"].as_array().unwrap().len(), 1);
    assert_eq!(
        tenants_of(only_a.data()),
        BTreeSet::from([a.tenant_id.clone()])
    );

    let member = app
        .graphql_as(&a.token, list, json!({ "t": b.tenant_id }))
        .await;
    assert!(member.data()["integrations"].as_array().unwrap().is_empty());
    assert!(tenants_of(member.data()).is_empty());

    let bad = app
        .graphql_as(&chief.token, list, json!({ "t": "not-a-tenant" }))
        .await;
    assert_eq!(bad.error_codes()[0], "BAD_USER_INPUT");
}

/// A webhook destination of `who` (nothing listens there); its id.
async fn destination_of(app: &TestApp, who: &Account) -> String {
    let r = app
        .graphql_as(
            &who.token,
            "mutation { createLeadDestination(input: { kind: WEBHOOK, name: \"Matrix\", url: \"http://127.0.0.1:9/hook\" }) { destination { id } } }",
            json!({}),
        )
        .await;
    r.data()["createLeadDestination"]["destination"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A lead of the owner's campaign, stored as the fetch job stores one.
async fn owned_lead(
    app: &TestApp,
    owner: &Account,
    campaign: &str,
    integration: &str,
    n: u32,
) -> String {
    use leadforge::services::leads::{
        Answer,
        store::{IncomingLead, LeadOwner},
    };
    let who = LeadOwner {
        tenant: owner.tenant_id.parse().unwrap(),
        user: owner.user_id.parse().unwrap(),
        campaign: campaign.parse().unwrap(),
        integration: integration.parse().unwrap(),
    };
    let lead = IncomingLead {
        provider: entities::Provider::MetaAds,
        platform_lead_id: format!("77000000000{n}"),
        page_id: Some("5001".into()),
        form_id: Some("6001".into()),
        ad_id: None,
        platform_created_at: None,
        source: entities::LeadSource::Webhook,
        answers: vec![Answer {
            name: "email".into(),
            values: vec![format!("matrix{n}@example.com")],
        }],
    };
    app.services
        .leads
        .receive(Some(who), lead)
        .await
        .unwrap()
        .unwrap()
        .to_string()
}
