//! Compares the served schema with the public contract, item by item.
//!
//! Items are `Root.field` for the root types, `Type` for a type that is not
//! served at all, and `Type.member` (field, input field or enum value) for a
//! served type that lacks a member or serves it with another signature.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::{
    parse_schema,
    types::{InputValueDefinition, TypeKind, TypeSystemDefinition},
};

const ROOTS: [&str; 3] = ["Query", "Mutation", "Subscription"];

/// One type of an SDL: its kind and the signature of each member.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TypeShape {
    kind: &'static str,
    members: BTreeMap<String, Member>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Member {
    /// An object or interface field: its type and arguments.
    Field {
        ty: String,
        args: BTreeMap<String, (String, Option<String>)>,
    },
    /// An input field: its type and default value.
    Input {
        ty: String,
        default: Option<String>,
    },
    EnumValue,
}

fn input_value(v: &InputValueDefinition) -> (String, Option<String>) {
    (
        v.ty.node.to_string(),
        v.default_value.as_ref().map(|d| d.node.to_string()),
    )
}

fn shapes(sdl: &str) -> Result<BTreeMap<String, TypeShape>, String> {
    let doc = parse_schema(sdl).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(def) = def else {
            continue;
        };
        let def = def.node;
        let (kind, members) = match def.kind {
            TypeKind::Scalar => ("scalar", BTreeMap::new()),
            TypeKind::Object(o) => ("type", fields(o.fields.iter().map(|f| &f.node))),
            TypeKind::Interface(i) => ("interface", fields(i.fields.iter().map(|f| &f.node))),
            TypeKind::Union(u) => (
                "union",
                u.members
                    .iter()
                    .map(|m| (m.node.to_string(), Member::EnumValue))
                    .collect(),
            ),
            TypeKind::Enum(e) => (
                "enum",
                e.values
                    .iter()
                    .map(|v| (v.node.value.node.to_string(), Member::EnumValue))
                    .collect(),
            ),
            TypeKind::InputObject(i) => (
                "input",
                i.fields
                    .iter()
                    .map(|f| {
                        let (ty, default) = input_value(&f.node);
                        (f.node.name.node.to_string(), Member::Input { ty, default })
                    })
                    .collect(),
            ),
        };
        out.insert(def.name.node.to_string(), TypeShape { kind, members });
    }
    Ok(out)
}

fn fields<'a>(
    defs: impl Iterator<Item = &'a async_graphql::parser::types::FieldDefinition>,
) -> BTreeMap<String, Member> {
    defs.map(|f| {
        let args = f
            .arguments
            .iter()
            .map(|a| (a.node.name.node.to_string(), input_value(&a.node)))
            .collect();
        (
            f.name.node.to_string(),
            Member::Field {
                ty: f.ty.node.to_string(),
                args,
            },
        )
    })
    .collect()
}

/// Whether `served` honours the contract's `promised` member: same types and
/// defaults; extra arguments only when optional.
fn honours(promised: &Member, served: &Member) -> bool {
    match (promised, served) {
        (
            Member::Field { ty, args },
            Member::Field {
                ty: served_ty,
                args: served_args,
            },
        ) => {
            ty == served_ty
                && args.iter().all(|(name, (ty, default))| {
                    served_args.get(name).is_some_and(|(sty, sdefault)| {
                        sty == ty && (default.is_none() || default == sdefault)
                    })
                })
                && served_args.iter().all(|(name, (sty, sdefault))| {
                    args.contains_key(name) || !sty.ends_with('!') || sdefault.is_some()
                })
        }
        (
            Member::Input { ty, default },
            Member::Input {
                ty: served_ty,
                default: served_default,
            },
        ) => ty == served_ty && (default.is_none() || default == served_default),
        (Member::EnumValue, Member::EnumValue) => true,
        _ => false,
    }
}

/// Every contract item the served SDL does not honour.
pub fn missing_items(contract_sdl: &str, served_sdl: &str) -> Result<BTreeSet<String>, String> {
    let contract = shapes(contract_sdl).map_err(|e| format!("contract: {e}"))?;
    let served = shapes(served_sdl).map_err(|e| format!("served schema: {e}"))?;
    let mut missing = BTreeSet::new();
    for (name, promised) in &contract {
        let root = ROOTS.contains(&name.as_str());
        let served_type = served.get(name).filter(|s| s.kind == promised.kind);
        match served_type {
            None if !root => {
                missing.insert(name.clone());
            }
            _ => {
                for (member, signature) in &promised.members {
                    let ok = served_type
                        .and_then(|s| s.members.get(member))
                        .is_some_and(|served| honours(signature, served));
                    if !ok {
                        missing.insert(format!("{name}.{member}"));
                    }
                }
            }
        }
    }
    Ok(missing)
}

/// The pending list: one item per line, `#` starts a comment.
pub fn parse_pending(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}
