//! Leadforge adapters.
