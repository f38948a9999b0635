//! The integration-test binary: every test talks to a real PostgreSQL, on a
//! database of its own cloned from a migrated template, through the same
//! application `tenet serve` runs.
mod helpers;

mod abuse;
mod audit;
mod api_keys;
mod auth;
mod crm;
mod data;
mod deals;
mod notes_tasks;
mod database;
mod docs;
mod faults;
mod hardening;
mod input;
mod invitations;
mod isolation;
mod lints;
mod lists;
mod search;
mod security;
mod smtp_sink;
mod mail;
mod operations;
mod processes;
mod rbac;
mod record_access;
mod webhooks;
