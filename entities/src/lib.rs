//! Leadforge entities.
