//! The storage role.
