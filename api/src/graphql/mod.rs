//! The GraphQL schema: one Query/Mutation pair per area, merged at the root.

pub mod admin;
pub mod agents;
pub mod approval;
pub mod audit;
pub mod budget;
pub mod campaign_types;
pub mod campaigns;
pub mod context;
pub mod copy;
pub mod cost;
pub mod creatives;
pub mod credits;
pub mod error;
pub mod fanout;
pub mod guardrails;
pub mod identity;
pub mod integrations;
pub mod launch;
pub mod lead_deliveries;
pub mod leads;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod pagination;
mod system;

use async_graphql::{MergedObject, Schema};

use crate::{config::GraphqlConfig, metrics::Metrics, services::Services};

/// The root query, named `Query` as in the public contract.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    system::SystemQuery,
    identity::IdentityQuery,
    admin::AdminQuery,
    audit::AuditQuery,
    integrations::IntegrationsQuery,
    creatives::CreativesQuery,
    AgentQueries,
);

/// Queries of the agent: its registry and credits (grouped to keep the
/// root merge lists short).
#[derive(MergedObject, Default)]
pub struct AgentQueries(
    agents::AgentsQuery,
    credits::CreditsQuery,
    campaigns::CampaignsQuery,
    leads::LeadsQuery,
    budget::BudgetQuery,
    guardrails::GuardrailsQuery,
    lead_deliveries::LeadDeliveriesQuery,
    approval::ApprovalQuery,
);

/// Mutations of the agent: its registry and credits.
#[derive(MergedObject, Default)]
pub struct AgentMutations(
    agents::AgentsMutation,
    credits::CreditsMutation,
    campaigns::CampaignsMutation,
    copy::CopyMutation,
    launch::LaunchMutation,
    leads::LeadsMutation,
    budget::BudgetMutation,
    guardrails::GuardrailsMutation,
    lead_deliveries::LeadDeliveriesMutation,
    approval::ApprovalMutation,
);

/// The root mutation, named `Mutation` as in the public contract.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    identity::IdentityMutation,
    admin::AdminMutation,
    integrations::IntegrationsMutation,
    creatives::CreativesMutation,
    AgentMutations,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, live::SubscriptionRoot>;

/// Builds the schema with its limits and extensions. `services` is `None` only
/// for printing the SDL, which needs no database.
pub fn build_schema(
    services: Option<Services>,
    config: &GraphqlConfig,
    metrics: Option<Metrics>,
) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        live::SubscriptionRoot,
    )
    .extension(limits::Limits {
        introspection: config.introspection,
        max_depth: config.max_depth,
        max_complexity: config.max_complexity,
        max_aliases: config.max_aliases,
        max_selections: config.max_selections,
    })
    .data(pagination::MaxPageSize(config.max_page_size));
    if let Some(metrics) = metrics {
        builder = builder.extension(metrics);
    }
    if let Some(services) = services {
        let bus = crate::events::EventBus::start(&services.campaigns.db, &services.events);
        let batching = if config.unbatched_loaders {
            loaders::Batching::Unbatched
        } else {
            loaders::Batching::Batched
        };
        // One live service per process: its shared re-read of a changed
        // campaign serves every subscriber, not one subscription each.
        let live = crate::services::live::LiveService::new(&services, &bus);
        builder = builder
            .extension(loaders::RequestLoaders(batching))
            .data(live)
            .data(bus)
            .data(services);
    }
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema's SDL, as `leadforge schema` prints it.
pub fn sdl() -> String {
    let config = GraphqlConfig {
        introspection: true,
        graphiql: false,
        max_depth: usize::MAX,
        max_complexity: usize::MAX,
        max_aliases: usize::MAX,
        max_selections: usize::MAX,
        max_batch: 1,
        max_body_bytes: 1,
        max_page_size: 1,
        unbatched_loaders: false,
    };
    build_schema(None, &config, None).sdl()
}
