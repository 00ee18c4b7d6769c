//! Copywriters: turn a brief into ad copy variants.

mod types;

pub use types::*;
