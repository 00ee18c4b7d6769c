//! Request limits, each answered with a clear `LIMIT_EXCEEDED` error; and the
//! `extensions.code` of errors raised while parsing and validating.
//!
//! Everything that bounds the work a document can cause (expanded field
//! selections, depth, spread nesting, aliases, directives, arguments,
//! variables) is checked right after parsing, from a linear measurement
//! ([`super::cost`]), before validation walks the document. Only the
//! complexity, which needs the schema's field costs, is checked after
//! validation, whose work the selection limit has already bounded.
//!
//! async-graphql's own depth and complexity limits answer with bare messages
//! and also reject the standard introspection query, which tooling relies on;
//! this extension applies them itself. Introspection-only operations get
//! their own bound instead: a cap on how many list-valued introspection
//! fields (`types`, `fields`, `args`, …) may nest on one path. The standard
//! query needs three (`types → fields → args`); re-entering `fields` under
//! `ofType` to multiply the answer is what the cap refuses.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextRequest, NextSubscribe, NextValidation,
    },
    futures_util::stream::{BoxStream, StreamExt},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::{
    cost::{self, DocumentCost},
    error::{code_uncoded, coded_error, with_code},
};
use crate::error::ErrorCode;

/// The configured limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// When `false`, `__schema` and `__type` are refused with a clear error
    /// (async-graphql alone would answer them with a silent `null`).
    pub introspection: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    /// Field selections a document may expand to, fragments expanded.
    pub max_selections: usize,
}

/// Request data telling the HTTP layer whether execution began: errors of a
/// request that never executed are request errors (HTTP 4xx, no `data`).
#[derive(Debug, Default)]
pub struct ExecutionMarker(AtomicBool);

impl ExecutionMarker {
    pub fn executed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            limits: *self,
            introspection_only: AtomicBool::new(false),
            executed: AtomicBool::new(false),
        })
    }
}

struct LimitsExtension {
    limits: Limits,
    introspection_only: AtomicBool,
    /// Whether execution began (uncoded errors after it are coercion
    /// failures or ours, before it request errors).
    executed: AtomicBool,
}

impl LimitsExtension {
    /// The limits on what the document is made of, each linear to check.
    fn check_size(&self, doc: &ExecutableDocument, cost: &DocumentCost) -> ServerResult<()> {
        let max = self.limits.max_selections;
        if cost.selections > max as u64 {
            return Err(limit_error(format!(
                "The query expands to {} field selections (a fragment counts each time it is spread); at most {max} are allowed.",
                cost.selections
            )));
        }
        if cost.spread_nesting > MAX_SPREAD_NESTING {
            return Err(limit_error(format!(
                "The query nests fragment spreads {} deep; at most {MAX_SPREAD_NESTING} are allowed.",
                cost.spread_nesting
            )));
        }
        for (what, found, most) in [
            ("directives", cost.directives, MAX_DIRECTIVES),
            (
                "arguments on one field or directive",
                cost.max_arguments,
                MAX_ARGUMENTS,
            ),
            (
                "variables in one operation",
                cost.max_variables,
                MAX_VARIABLES,
            ),
            ("fragments", cost.fragments, MAX_FRAGMENTS),
            ("operations", cost.operations, MAX_OPERATIONS),
        ] {
            if found > most {
                return Err(limit_error(format!(
                    "The query has {found} {what}; at most {most} are allowed."
                )));
            }
        }
        let aliases = count_aliases(doc);
        if aliases > self.limits.max_aliases {
            return Err(limit_error(format!(
                "The query uses {aliases} aliases; at most {} are allowed.",
                self.limits.max_aliases
            )));
        }
        Ok(())
    }
}

/// A parse failure, coded: the parser's nesting bound is a limit, the rest
/// is a malformed document.
fn parse_error(mut e: ServerError) -> ServerError {
    if e.message.contains("recursion") {
        return with_code(e, ErrorCode::LimitExceeded);
    }
    e.message = syntax_message(&e);
    with_code(e, ErrorCode::GraphqlParseFailed)
}

/// The parser's message without the copy of the offending line it quotes
/// (which can be the whole, megabyte-long document): where, and what it
/// expected.
fn syntax_message(e: &ServerError) -> String {
    let expected = e
        .message
        .lines()
        .rev()
        .find_map(|line| line.trim_start().strip_prefix("= "))
        .map(|what| what.chars().take(200).collect::<String>());
    match (e.locations.first(), expected) {
        (Some(at), Some(what)) => format!(
            "Syntax error at line {}, column {}: {what}.",
            at.line, at.column
        ),
        (None, Some(what)) => format!("Syntax error: {what}."),
        _ => e.message.chars().take(200).collect(),
    }
}

fn limit_error(message: String) -> ServerError {
    coded_error(message, ErrorCode::LimitExceeded)
}

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    /// Parses the document here, ahead of async-graphql's own parse step:
    /// that step walks every fragment spread (its recursion-depth check)
    /// before any extension sees the document, so the measurement has to
    /// come first. async-graphql then uses the document parsed here.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let doc = request.parsed_query().map_err(parse_error)?;
        let cost = cost::measure(doc)
            .map_err(|e| coded_error(e.to_string(), ErrorCode::GraphqlValidationFailed))?;
        self.check_size(doc, &cost)?;
        if !self.limits.introspection && cost.selects_schema {
            return Err(coded_error(
                "Introspection is disabled on this server.",
                ErrorCode::Forbidden,
            ));
        }
        if cost.introspection_only {
            if cost.introspection_lists > MAX_INTROSPECTION_LIST_NESTING {
                return Err(limit_error(format!(
                    "The introspection query nests {} lists (types, fields, args…); at most {MAX_INTROSPECTION_LIST_NESTING} are allowed.",
                    cost.introspection_lists
                )));
            }
        } else if cost.depth > self.limits.max_depth {
            return Err(limit_error(format!(
                "The query is nested {} levels deep; at most {} are allowed.",
                cost.depth, self.limits.max_depth
            )));
        }
        self.introspection_only
            .store(cost.introspection_only, Ordering::Relaxed);
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(parse_error)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, ErrorCode::GraphqlValidationFailed))
                .collect::<Vec<_>>()
        })?;
        if self.introspection_only.load(Ordering::Relaxed) {
            return Ok(result);
        }
        if result.complexity > self.limits.max_complexity {
            return Err(vec![coded_error(
                format!(
                    "The query's complexity is {}; at most {} is allowed. Ask for fewer fields or smaller pages.",
                    result.complexity, self.limits.max_complexity
                ),
                ErrorCode::LimitExceeded,
            )]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.executed.store(true, Ordering::Relaxed);
        if let Some(marker) = ctx.data_opt::<Arc<ExecutionMarker>>() {
            marker.0.store(true, Ordering::Relaxed);
        }
        next.run(ctx, operation_name).await
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let executed = self.executed.load(Ordering::Relaxed);
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|e| code_uncoded(e, executed))
            .collect();
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        // Parse and validation errors already carry their codes; what is
        // left uncoded in a stream was raised while executing.
        Box::pin(next.run(ctx, stream).map(|mut response| {
            response.errors = std::mem::take(&mut response.errors)
                .into_iter()
                .map(|e| code_uncoded(e, true))
                .collect();
            response
        }))
    }
}

/// Most introspection list fields (`types → fields → args`) one path may
/// nest; the standard introspection query needs three.
const MAX_INTROSPECTION_LIST_NESTING: usize = 3;
/// Longest chain of fragment spreads; real queries (GraphiQL's, the UI's)
/// nest a handful.
const MAX_SPREAD_NESTING: usize = 16;
/// Directives written in one document; each real query has a few.
const MAX_DIRECTIVES: usize = 64;
/// Arguments written on one field or directive.
const MAX_ARGUMENTS: usize = 32;
/// Variables one operation declares.
const MAX_VARIABLES: usize = 64;
/// Fragments one document defines (validation reports each unused one).
const MAX_FRAGMENTS: usize = 256;
/// Operations one document defines.
const MAX_OPERATIONS: usize = 32;

fn count_aliases(doc: &ExecutableDocument) -> usize {
    let in_operations: usize = doc
        .operations
        .iter()
        .map(|(_, op)| aliases_in(&op.node.selection_set.node))
        .sum();
    let in_fragments: usize = doc
        .fragments
        .values()
        .map(|f| aliases_in(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

fn aliases_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + aliases_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(frag) => aliases_in(&frag.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}
