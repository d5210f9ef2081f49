//! The adjudicator role.
