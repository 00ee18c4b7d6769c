//! Local stand-ins (filled in below).
