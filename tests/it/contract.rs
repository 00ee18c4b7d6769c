//! The served schema honours the public contract, except for the items named
//! in `tests/contract-pending.txt`, which later work empties, and serves the
//! additions of `tests/contract-additions.graphql`.

use leadforge_e2e::contract::{missing_items, parse_pending};

const CONTRACT: &str = include_str!("../contract.graphql");
const PENDING: &str = include_str!("../contract-pending.txt");
const ADDITIONS: &str = include_str!("../contract-additions.graphql");

#[test]
fn served_schema_honours_the_contract_or_lists_what_is_pending() {
    let served = leadforge::graphql::sdl();
    let missing = missing_items(CONTRACT, &served).expect("both SDLs parse");
    let pending = parse_pending(PENDING);

    let unlisted: Vec<_> = missing.difference(&pending).collect();
    let stale: Vec<_> = pending.difference(&missing).collect();
    assert!(
        unlisted.is_empty(),
        "contract items neither served nor listed in contract-pending.txt:\n{}",
        unlisted
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stale.is_empty(),
        "contract-pending.txt lists items that are served now; remove them:\n{}",
        stale
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// What the repository's clients use beyond the shared contract is served
/// exactly as `tests/contract-additions.graphql` writes it.
#[test]
fn served_schema_serves_the_repositorys_additions() {
    let served = leadforge::graphql::sdl();
    let missing = missing_items(ADDITIONS, &served).expect("both SDLs parse");
    assert!(
        missing.is_empty(),
        "contract-additions.graphql items not served as written: {missing:?}"
    );
}

/// The repository keeps a copy of the contract so a fresh clone can run the
/// suite; where the shared original sits beside the repository, they agree.
#[test]
fn the_checked_in_contract_is_the_shared_one() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/contract.graphql");
    if let Ok(original) = std::fs::read_to_string(shared) {
        assert_eq!(
            original, CONTRACT,
            "tests/contract.graphql differs from shared/contract.graphql"
        );
    }
}

#[test]
fn the_comparison_catches_missing_and_mismatched_items() {
    let contract = "type Query { a(first: Int = 50): Int! b: String }\n\
                    enum E { X Y }\n\
                    input I { f: Int! = 1 }\n\
                    type T { id: ID! }";
    let served = "type Query { a(first: Int = 10): Int! }\n\
                  enum E { X }\n\
                  input I { f: Int! = 1 }";
    let missing = missing_items(contract, served).unwrap();
    let expected: std::collections::BTreeSet<String> = ["Query.a", "Query.b", "E.Y", "T"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(missing, expected);

    // A required argument the contract does not have breaks clients.
    let served = "type Query { a(first: Int = 50, extra: Int!): Int! b: String }\n\
                  enum E { X Y }\ninput I { f: Int! = 1 }\ntype T { id: ID! }";
    let missing = missing_items(contract, served).unwrap();
    assert_eq!(
        missing.into_iter().collect::<Vec<_>>(),
        vec!["Query.a".to_owned()]
    );
}
