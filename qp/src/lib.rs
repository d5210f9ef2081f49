//! The qp role.
