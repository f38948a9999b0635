//! The HTTP API under `/api`. Each resource module exposes its own
//! `router()`; `routes()` lists them all in one place. `extract` holds our
//! body/query/path extractors, `reply` what handlers answer.
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod companies;
pub mod contacts;
pub mod crm;
pub mod deals;
pub mod docs;
pub mod export;
pub mod extract;
pub mod health;
pub mod imports;
pub mod invitations;
pub mod notes;
pub mod pagination;
pub mod reply;
pub mod roles;
pub mod tasks;
pub mod teams;
pub mod tenant;
pub mod tenant_export;
pub mod timeline;
pub mod timestamp;
pub mod users;
pub mod webhooks;

use aide::axum::ApiRouter;

use crate::state::AppState;

/// Every route of the API, in one place.
pub fn routes() -> ApiRouter<AppState> {
    ApiRouter::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(tenant::router())
        .merge(roles::router())
        .merge(users::router())
        .merge(invitations::router())
        .merge(api_keys::router())
        .merge(teams::router())
        .merge(audit::router())
        .merge(companies::router())
        .merge(contacts::router())
        .merge(deals::router())
        .merge(notes::router())
        .merge(tasks::router())
        .merge(timeline::router())
        .merge(webhooks::router())
        .merge(imports::router())
        .merge(tenant_export::router())
}
