//! What a parsed document costs, measured in one pass that is linear in the
//! document's size, before anything else walks it.
//!
//! A fragment can be spread many times, and each spread is expanded where
//! it stands: `fragment F1 { ...F0 ...F0 ...F0 }`, `F2 { ...F1 ...F1 ...F1 }`
//! and so on expand to 3^n selections from a document of n lines. Every walk
//! that follows spreads naively (validation, depth, complexity) is
//! exponential on such a document, and CPU-bound work inside a request
//! cannot be cancelled by a timeout. So the cost is computed here with one
//! measurement per fragment, reused at every spread, and the document is
//! refused before validation when it is over a limit.
//!
//! Fragments are measured in dependency order (an explicit stack, no
//! recursion across fragments), so a long chain of fragments cannot exhaust
//! the stack either; recursion happens only within one selection set, whose
//! nesting the parser already bounds.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

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

/// The measured cost of a whole document (every operation, since validation
/// checks them all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCost {
    /// Field selections once every spread is expanded where it stands.
    pub selections: u64,
    /// The deepest nesting of fields, fragments expanded.
    pub depth: usize,
    /// The longest chain of fragment spreads (`...A` inside `A` spreading `...B`…).
    pub spread_nesting: usize,
    /// The deepest nesting of introspection list fields (`types → fields → args`).
    pub introspection_lists: usize,
    /// Directives written anywhere in the document.
    pub directives: usize,
    /// The most arguments written on one field or directive.
    pub max_arguments: usize,
    /// The most variables one operation declares.
    pub max_variables: usize,
    /// Fragments defined.
    pub fragments: usize,
    /// Operations defined.
    pub operations: usize,
    /// Every operation selects only `__schema`, `__type` and `__typename` at its root.
    pub introspection_only: bool,
    /// Some operation selects `__schema` or `__type` at its root.
    pub selects_schema: bool,
}

/// A document that cannot be measured because it cannot be valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("Fragment \"{0}\" spreads itself (directly or through other fragments).")]
    FragmentCycle(String),
}

/// The cost of one selection set, or of a fragment's.
#[derive(Debug, Clone, Copy)]
struct Measure {
    selections: u64,
    depth: usize,
    spread_nesting: usize,
    lists: usize,
    /// Every root item is an introspection field (vacuously true when empty).
    introspection_only: bool,
    /// Some root item is `__schema` or `__type`.
    selects_schema: bool,
}

impl Measure {
    const EMPTY: Self = Self {
        selections: 0,
        depth: 0,
        spread_nesting: 0,
        lists: 0,
        introspection_only: true,
        selects_schema: false,
    };

    /// Siblings: their selections add up, the rest take the worst.
    fn beside(self, other: Self) -> Self {
        Self {
            selections: self.selections.saturating_add(other.selections),
            depth: self.depth.max(other.depth),
            spread_nesting: self.spread_nesting.max(other.spread_nesting),
            lists: self.lists.max(other.lists),
            introspection_only: self.introspection_only && other.introspection_only,
            selects_schema: self.selects_schema || other.selects_schema,
        }
    }
}

/// Measures `doc`. Linear in its size: each fragment is measured once.
pub fn measure(doc: &ExecutableDocument) -> Result<DocumentCost, CostError> {
    let order = fragments_in_dependency_order(doc)?;
    let mut memo: HashMap<&str, Measure> = HashMap::with_capacity(order.len());
    for name in order {
        if let Some(fragment) = doc.fragments.get(name) {
            let measured = measure_set(&fragment.node.selection_set.node, &memo);
            memo.insert(name, measured);
        }
    }

    let mut total = Measure::EMPTY;
    let mut max_variables = 0;
    for (_, op) in doc.operations.iter() {
        total = total.beside(measure_set(&op.node.selection_set.node, &memo));
        max_variables = max_variables.max(op.node.variable_definitions.len());
    }

    let mut written = Written::default();
    for (_, op) in doc.operations.iter() {
        written.directives += op.node.directives.len();
        for var in &op.node.variable_definitions {
            written.directives += var.node.directives.len();
        }
        written.add_directive_arguments(&op.node.directives);
        written.visit(&op.node.selection_set.node);
    }
    for fragment in doc.fragments.values() {
        written.directives += fragment.node.directives.len();
        written.add_directive_arguments(&fragment.node.directives);
        written.visit(&fragment.node.selection_set.node);
    }

    Ok(DocumentCost {
        selections: total.selections,
        depth: total.depth,
        spread_nesting: total.spread_nesting,
        introspection_lists: total.lists,
        directives: written.directives,
        max_arguments: written.max_arguments,
        max_variables,
        fragments: doc.fragments.len(),
        operations: doc.operations.iter().count(),
        introspection_only: total.introspection_only,
        selects_schema: total.selects_schema,
    })
}

fn measure_set(set: &SelectionSet, memo: &HashMap<&str, Measure>) -> Measure {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                let inner = measure_set(&field.node.selection_set.node, memo);
                Measure {
                    selections: inner.selections.saturating_add(1),
                    depth: inner.depth + 1,
                    spread_nesting: inner.spread_nesting,
                    lists: inner.lists + usize::from(INTROSPECTION_LISTS.contains(&name)),
                    introspection_only: name.starts_with("__"),
                    selects_schema: matches!(name, "__schema" | "__type"),
                }
            }
            Selection::InlineFragment(frag) => measure_set(&frag.node.selection_set.node, memo),
            Selection::FragmentSpread(spread) => {
                // An unknown fragment is a validation error reported later;
                // it costs nothing here.
                let fragment = memo
                    .get(spread.node.fragment_name.node.as_str())
                    .copied()
                    .unwrap_or(Measure::EMPTY);
                Measure {
                    spread_nesting: fragment.spread_nesting + 1,
                    ..fragment
                }
            }
        })
        .fold(Measure::EMPTY, Measure::beside)
}

/// Fragment names ordered so that every fragment comes after the fragments
/// it spreads; a cycle is an error. Iterative depth-first search.
fn fragments_in_dependency_order(doc: &ExecutableDocument) -> Result<Vec<&str>, CostError> {
    let spreads: HashMap<&str, Vec<&str>> = doc
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut found = Vec::new();
            spreads_in(&fragment.node.selection_set.node, &mut found);
            (name.as_str(), found)
        })
        .collect();

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        InProgress,
        Done,
    }
    let mut marks: HashMap<&str, Mark> = HashMap::with_capacity(spreads.len());
    let mut order = Vec::with_capacity(spreads.len());
    for start in spreads.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // (fragment, index of the next spread of it to follow)
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::InProgress);
        while let Some(top) = stack.last_mut() {
            let (name, next) = *top;
            let children = spreads.get(name).map_or(&[][..], Vec::as_slice);
            match children.get(next) {
                Some(&child) => {
                    top.1 += 1;
                    if !spreads.contains_key(child) {
                        continue;
                    }
                    match marks.get(child) {
                        Some(Mark::Done) => {}
                        Some(Mark::InProgress) => {
                            return Err(CostError::FragmentCycle(child.to_owned()));
                        }
                        None => {
                            marks.insert(child, Mark::InProgress);
                            stack.push((child, 0));
                        }
                    }
                }
                None => {
                    marks.insert(name, Mark::Done);
                    order.push(name);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

fn spreads_in<'a>(set: &'a SelectionSet, found: &mut Vec<&'a str>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => spreads_in(&field.node.selection_set.node, found),
            Selection::InlineFragment(frag) => spreads_in(&frag.node.selection_set.node, found),
            Selection::FragmentSpread(spread) => {
                found.push(spread.node.fragment_name.node.as_str())
            }
        }
    }
}

/// What is written in the document, counted without expanding spreads.
#[derive(Default)]
struct Written {
    directives: usize,
    max_arguments: usize,
}

impl Written {
    fn add_directive_arguments(
        &mut self,
        directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
    ) {
        for directive in directives {
            self.max_arguments = self.max_arguments.max(directive.node.arguments.len());
        }
    }

    fn visit(&mut self, set: &SelectionSet) {
        for item in &set.items {
            let directives = item.node.directives();
            self.directives += directives.len();
            self.add_directive_arguments(directives);
            match &item.node {
                Selection::Field(field) => {
                    self.max_arguments = self.max_arguments.max(field.node.arguments.len());
                    self.visit(&field.node.selection_set.node);
                }
                Selection::InlineFragment(frag) => self.visit(&frag.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use async_graphql::parser::parse_query;

    use super::*;

    fn cost(query: &str) -> DocumentCost {
        measure(&parse_query(query).unwrap()).unwrap()
    }

    /// `fragment F0 { __typename }` and `F{i} { ...F{i-1} × 3 }` up to `n`.
    fn fan_out(n: usize) -> String {
        let mut q = format!("query {{ ...F{n} }}\nfragment F0 on Query {{ __typename }}\n");
        for i in 1..=n {
            let p = i - 1;
            writeln!(q, "fragment F{i} on Query {{ ...F{p} ...F{p} ...F{p} }}").unwrap();
        }
        q
    }

    #[test]
    fn fan_out_is_counted_without_being_walked() {
        assert_eq!(cost(&fan_out(3)).selections, 27);
        assert_eq!(cost(&fan_out(3)).spread_nesting, 4);
        // 3^29 selections, measured in a pass over 30 fragments.
        let huge = cost(&fan_out(29));
        assert_eq!(huge.selections, 3u64.pow(29));
        // Saturates rather than overflowing.
        assert_eq!(cost(&fan_out(60)).selections, u64::MAX);
    }

    #[test]
    fn fields_depth_and_lists_follow_fragments() {
        let c = cost(
            "{ me { tenant { ...T } } } fragment T on Tenant { name ...U } fragment U on Tenant { id slug }",
        );
        assert_eq!(c.selections, 5);
        assert_eq!(c.depth, 3);
        assert!(!c.introspection_only);

        let i = cost(
            "{ __schema { types { ...F } } } fragment F on __Type { fields { args { name } } }",
        );
        assert!(i.introspection_only && i.selects_schema);
        assert_eq!(i.introspection_lists, 3);
    }

    #[test]
    fn cycles_are_refused_and_unknown_fragments_cost_nothing() {
        let doc = parse_query("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
            .unwrap();
        assert!(matches!(measure(&doc), Err(CostError::FragmentCycle(_))));
        let doc = parse_query("{ ...A } fragment A on Query { ...A }").unwrap();
        assert!(matches!(measure(&doc), Err(CostError::FragmentCycle(_))));
        assert_eq!(cost("{ me { id } ...Missing }").selections, 2);
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_recurse() {
        let n = 20_000;
        let mut q = format!("{{ ...F{n} }}\nfragment F0 on Query {{ __typename }}\n");
        for i in 1..=n {
            writeln!(q, "fragment F{i} on Query {{ ...F{} }}", i - 1).unwrap();
        }
        let c = cost(&q);
        assert_eq!(c.selections, 1);
        assert_eq!(c.spread_nesting, n + 1);
    }

    #[test]
    fn directives_arguments_and_variables_are_counted_as_written() {
        let c = cost(
            "query Q($a: Int, $b: Int) @x { me @skip(if: false) @include(if: true) { id } ...F } fragment F on Query @y { creatives(first: 1, after: \"x\") { totalCount } }",
        );
        assert_eq!(c.directives, 4);
        assert_eq!(c.max_arguments, 2);
        assert_eq!(c.max_variables, 2);
    }
}
