//! Request limits: aliases, depth and complexity, each answered with a clear
//! `LIMIT_EXCEEDED` error; and the `extensions.code` of errors raised while
//! parsing and validating.
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
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::error::{coded_error, with_code};
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
        })
    }
}

struct LimitsExtension {
    limits: Limits,
    introspection_only: AtomicBool,
}

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|e| {
            // async-graphql checks recursion depth while parsing.
            let code = if e.message.contains("recursion depth") {
                ErrorCode::LimitExceeded
            } else {
                ErrorCode::GraphqlParseFailed
            };
            with_code(e, code)
        })?;
        let aliases = count_aliases(&doc);
        if aliases > self.limits.max_aliases {
            return Err(coded_error(
                format!(
                    "The query uses {aliases} aliases; at most {} are allowed.",
                    self.limits.max_aliases
                ),
                ErrorCode::LimitExceeded,
            ));
        }
        if !self.limits.introspection && selects_schema(&doc) {
            return Err(coded_error(
                "Introspection is disabled on this server.",
                ErrorCode::Forbidden,
            ));
        }
        let introspection_only = is_introspection_only(&doc);
        if introspection_only {
            let nesting = introspection_list_nesting(&doc);
            if nesting > MAX_INTROSPECTION_LIST_NESTING {
                return Err(coded_error(
                    format!(
                        "The introspection query nests {nesting} lists (types, fields, args…); at most {MAX_INTROSPECTION_LIST_NESTING} are allowed."
                    ),
                    ErrorCode::LimitExceeded,
                ));
            }
        }
        self.introspection_only
            .store(introspection_only, Ordering::Relaxed);
        Ok(doc)
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
        if result.depth > self.limits.max_depth {
            return Err(vec![coded_error(
                format!(
                    "The query is nested {} levels deep; at most {} are allowed.",
                    result.depth, self.limits.max_depth
                ),
                ErrorCode::LimitExceeded,
            )]);
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
        if let Some(marker) = ctx.data_opt::<Arc<ExecutionMarker>>() {
            marker.0.store(true, Ordering::Relaxed);
        }
        next.run(ctx, operation_name).await
    }
}

/// List-valued fields of the introspection types; nesting them multiplies
/// the size of the answer.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "enumValues",
    "possibleTypes",
    "directives",
];
const MAX_INTROSPECTION_LIST_NESTING: usize = 3;
/// Fragment hops followed while measuring; cycles are a validation error.
const MAX_FRAGMENT_HOPS: usize = 16;

/// The deepest nesting of introspection list fields on any path.
fn introspection_list_nesting(doc: &ExecutableDocument) -> usize {
    doc.operations
        .iter()
        .map(|(_, op)| list_nesting(doc, &op.node.selection_set.node, 0))
        .max()
        .unwrap_or(0)
}

fn list_nesting(doc: &ExecutableDocument, set: &SelectionSet, hops: usize) -> usize {
    if hops > MAX_FRAGMENT_HOPS {
        // Deeper than any honest query: count it as over the cap.
        return MAX_INTROSPECTION_LIST_NESTING + 1;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let own = usize::from(INTROSPECTION_LISTS.contains(&field.node.name.node.as_str()));
                own + list_nesting(doc, &field.node.selection_set.node, hops + 1)
            }
            Selection::InlineFragment(frag) => {
                list_nesting(doc, &frag.node.selection_set.node, hops + 1)
            }
            Selection::FragmentSpread(spread) => doc
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| {
                    list_nesting(doc, &f.node.selection_set.node, hops + 1)
                }),
        })
        .max()
        .unwrap_or(0)
}

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

/// Whether every operation selects only `__schema`, `__type` and
/// `__typename` at its root (following fragments).
fn is_introspection_only(doc: &ExecutableDocument) -> bool {
    doc.operations
        .iter()
        .all(|(_, op)| root_is_introspection(doc, &op.node.selection_set.node, 0))
}

/// Whether any operation selects `__schema` or `__type` at its root.
fn selects_schema(doc: &ExecutableDocument) -> bool {
    doc.operations
        .iter()
        .any(|(_, op)| root_selects_schema(doc, &op.node.selection_set.node, 0))
}

fn root_selects_schema(doc: &ExecutableDocument, set: &SelectionSet, hops: usize) -> bool {
    if hops > 8 {
        return false;
    }
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => matches!(field.node.name.node.as_str(), "__schema" | "__type"),
        Selection::InlineFragment(frag) => {
            root_selects_schema(doc, &frag.node.selection_set.node, hops + 1)
        }
        Selection::FragmentSpread(spread) => doc
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| root_selects_schema(doc, &f.node.selection_set.node, hops + 1)),
    })
}

fn root_is_introspection(doc: &ExecutableDocument, set: &SelectionSet, hops: usize) -> bool {
    // Fragment cycles are rejected by validation; the hop bound only keeps
    // this walk finite before validation has run.
    if hops > 8 {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(field) => field.node.name.node.starts_with("__"),
        Selection::InlineFragment(frag) => {
            root_is_introspection(doc, &frag.node.selection_set.node, hops + 1)
        }
        Selection::FragmentSpread(spread) => doc
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| root_is_introspection(doc, &f.node.selection_set.node, hops + 1)),
    })
}
