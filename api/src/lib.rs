//! Leadforge.
