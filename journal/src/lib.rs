//! The journal role.
