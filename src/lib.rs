//! Tenet: a multi-tenant CRM foundation where PostgreSQL is the security
//! boundary. The library holds everything `main.rs` and the integration tests
//! share: configuration, the database layer, authentication and the HTTP API.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Unit tests state their expectations with expect() and panic!.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
pub mod audit_checkpoint;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod mail;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tenant_export;
pub mod validation;
pub mod webhooks;
