//! `/api/webhooks`: a tenant's webhook endpoints, their delivery log and
//! replays (`webhooks:manage`). Events are written by the database in the
//! transaction of each change and posted, signed, by the worker
//! (`crate::webhooks`, docs/webhooks.md).
use aide::{
    axum::{
        routing::{get_with, post_with},
        ApiRouter,
    },
    transform::TransformOperation,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    crm::SetList,
    extract::{Json, Path, Query},
    pagination::{Page, PageParams, Paged},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{refresh, Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
    validation::{double_option, Validator, TEXT_MAX},
    webhooks::url_problem,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/webhooks", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/webhooks/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
        .api_route("/api/webhooks/{id}/secret", post_with(rotate_secret, rotate_secret_docs))
        .api_route("/api/webhooks/{id}/deliveries", get_with(deliveries, deliveries_docs))
        .api_route("/api/webhooks/{id}/deliveries/{delivery_id}/replay", post_with(replay, replay_docs))
}

/// What an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum EventType {
    #[serde(rename = "company.created")]
    CompanyCreated,
    #[serde(rename = "company.updated")]
    CompanyUpdated,
    #[serde(rename = "company.deleted")]
    CompanyDeleted,
    #[serde(rename = "contact.created")]
    ContactCreated,
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    #[serde(rename = "contact.deleted")]
    ContactDeleted,
    #[serde(rename = "deal.created")]
    DealCreated,
    #[serde(rename = "deal.updated")]
    DealUpdated,
    #[serde(rename = "deal.deleted")]
    DealDeleted,
    /// A deal moved to another stage (also sent as `deal.updated`).
    #[serde(rename = "deal.stage_changed")]
    DealStageChanged,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::CompanyCreated,
        EventType::CompanyUpdated,
        EventType::CompanyDeleted,
        EventType::ContactCreated,
        EventType::ContactUpdated,
        EventType::ContactDeleted,
        EventType::DealCreated,
        EventType::DealUpdated,
        EventType::DealDeleted,
        EventType::DealStageChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CompanyCreated => "company.created",
            EventType::CompanyUpdated => "company.updated",
            EventType::CompanyDeleted => "company.deleted",
            EventType::ContactCreated => "contact.created",
            EventType::ContactUpdated => "contact.updated",
            EventType::ContactDeleted => "contact.deleted",
            EventType::DealCreated => "deal.created",
            EventType::DealUpdated => "deal.updated",
            EventType::DealDeleted => "deal.deleted",
            EventType::DealStageChanged => "deal.stage_changed",
        }
    }

    fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Webhook {
    pub id: Uuid,
    /// Where events are posted (http or https).
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    /// Disabled endpoints get no new events; their pending deliveries wait.
    pub enabled: bool,
    /// Failed attempts since the last delivered one.
    pub consecutive_failures: i32,
    /// Set when the server disabled the endpoint after repeated failures.
    pub disabled_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret (`whsec_…`), shown only in this answer: verify
    /// `Tenet-Signature` with it (docs/webhooks.md).
    pub secret: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WebhookSecret {
    /// The new signing secret, shown only in this answer; the old one stops signing at once.
    pub secret: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WebhookCreate {
    /// An http(s) URL on a public address (private and loopback addresses
    /// are refused unless the server allows them).
    #[schemars(length(min = 10, max = 2000))]
    pub url: String,
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    #[schemars(length(min = 1, max = 20))]
    pub events: Vec<EventType>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// Only the fields given change; enabling a disabled endpoint resets its failures.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WebhookUpdate {
    #[schemars(length(min = 10, max = 2000))]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub description: Option<Option<String>>,
    #[schemars(length(min = 1, max = 20))]
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WebhookId {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeliveryId {
    pub id: Uuid,
    pub delivery_id: Uuid,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not yet answered 2xx; attempted again at `next_attempt_at`.
    Pending,
    /// Answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// One event to one endpoint, and how its attempts went.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Delivery {
    /// Sent as `Tenet-Delivery`: receivers deduplicate on it.
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The receiver's status code at the last attempt (null: no answer).
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    /// When a pending delivery is attempted next.
    pub next_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    /// The delivery this one replays.
    pub replay_of: Option<Uuid>,
    pub created_at: Timestamp,
    /// The body posted.
    pub payload: serde_json::Value,
}

macro_rules! columns {
    () => {
        "id, url, description, events, enabled, consecutive_failures, disabled_reason, created_by, created_at, updated_at"
    };
}
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2");

fn webhook(r: &Row) -> Webhook {
    let events: Vec<String> = r.get("events");
    Webhook {
        id: r.get("id"),
        url: r.get("url"),
        description: r.get("description"),
        events: events.iter().filter_map(|e| EventType::parse(e)).collect(),
        enabled: r.get("enabled"),
        consecutive_failures: r.get("consecutive_failures"),
        disabled_reason: r.get("disabled_reason"),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

fn delivery(r: &Row) -> Delivery {
    let status = match r.get::<_, &str>("status") {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    };
    Delivery {
        id: r.get("id"),
        event_id: r.get("event_id"),
        event_type: r.get("event_type"),
        status,
        attempts: r.get("attempts"),
        last_status_code: r.get("last_status_code"),
        last_error: r.get("last_error"),
        last_attempt_at: r.get("last_attempt_at"),
        next_attempt_at: r.get("next_attempt_at"),
        delivered_at: r.get("delivered_at"),
        replay_of: r.get("replay_of"),
        created_at: r.get("created_at"),
        payload: r.get("payload"),
    }
}

/// The event types as the database stores them, in the catalog's order, once each.
fn event_keys(events: &[EventType]) -> Vec<&'static str> {
    EventType::ALL.into_iter().filter(|e| events.contains(e)).map(EventType::as_str).collect()
}

fn check_url(v: &mut Validator, state: &AppState, url: &str) -> String {
    let url = v.required("url", url, 2000);
    if let Some(problem) = url_problem(&url, state.config.webhooks.allow_private) {
        v.push("url", problem);
    }
    url
}

fn new_secret() -> String {
    ["whsec_", &refresh::generate()].concat()
}

async fn list(auth: Authenticated, Query(p): Query<PageParams>) -> AppResult<Paged<Webhook>> {
    let page = Page::from_params(&p)?;
    let sql = concat!(
        "SELECT ", columns!(), " FROM webhook_endpoints WHERE tenant_id = $1
           AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let rows = auth
        .read_requiring(Permission::WebhooksManage, sql, &[&auth.identity.tenant_id, &page.after_time(), &page.after_id(), &page.fetch()])
        .await?;
    Ok(page.finish(rows.iter().map(webhook).collect(), |w| (w.created_at.0, w.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("The tenant's webhook endpoints, newest first (webhooks:manage)");
    respond::<Paged<Webhook>>(op, 200, "A page of endpoints, without secrets", &[400, 401, 403])
}

async fn create(auth: Authenticated, state: axum::extract::State<AppState>, Json(req): Json<WebhookCreate>) -> AppResult<Reply<WebhookWithSecret>> {
    let mut v = Validator::new();
    let url = check_url(&mut v, &state, &req.url);
    let description = v.optional("description", req.description.as_deref(), TEXT_MAX);
    if req.events.is_empty() {
        v.push("events", "must name at least one event type");
    }
    v.finish()?;
    let events = event_keys(&req.events);
    let sql = concat!(
        "INSERT INTO webhook_endpoints (tenant_id, url, description, events, enabled, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ", columns!()
    );
    let enabled = req.enabled.unwrap_or(true);
    let (scope, rows) = auth
        .begin_requiring(Permission::WebhooksManage, sql, &[&auth.identity.tenant_id, &url, &description, &events, &enabled, &auth.identity.user_id])
        .await?;
    let created = rows.first().map(webhook).ok_or(AppError::Internal("INSERT answered no row".into()))?;
    let secret = new_secret();
    let stored: bool = scope.query_one("SELECT app.set_webhook_secret($1, $2)", &[&created.id, &secret]).await?.get(0);
    if !stored {
        return Err(AppError::Internal("the new endpoint's secret was not stored".into()));
    }
    scope.commit().await?;
    Ok(Reply::created(format!("/api/webhooks/{}", created.id), WebhookWithSecret { webhook: created, secret }))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("Create a webhook endpoint (webhooks:manage)").description(
        "Answers the signing secret once. From the next committed change on, each subscribed event is posted to the URL \
         with `Tenet-Event`, `Tenet-Delivery` and `Tenet-Signature` headers (docs/webhooks.md).",
    );
    respond::<WebhookWithSecret>(op, 201, "The endpoint, with its secret", &[400, 401, 403, 413, 415, 422])
}

async fn read(auth: Authenticated, Path(WebhookId { id }): Path<WebhookId>) -> AppResult<axum::Json<Webhook>> {
    let rows = auth.read_requiring(Permission::WebhooksManage, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(webhook).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Webhook>(op.tag("webhooks").summary("Read a webhook endpoint (webhooks:manage)"), 200, "The endpoint", &[400, 401, 403, 404])
}

async fn update(
    auth: Authenticated,
    state: axum::extract::State<AppState>,
    Path(WebhookId { id }): Path<WebhookId>,
    Json(req): Json<WebhookUpdate>,
) -> AppResult<axum::Json<Webhook>> {
    let mut v = Validator::new();
    let url = req.url.as_deref().map(|u| check_url(&mut v, &state, u));
    let (set_description, description) = match req.description {
        None => (false, None),
        Some(d) => (true, v.optional("description", d.as_deref(), TEXT_MAX)),
    };
    if req.events.as_ref().is_some_and(Vec::is_empty) {
        v.push("events", "must name at least one event type");
    }
    v.finish()?;
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(url.is_some(), "url", url);
    set.column(set_description, "description", description);
    set.column(req.events.is_some(), "events", req.events.as_deref().map(event_keys).map(|e| e.into_iter().map(String::from).collect::<Vec<_>>()));
    set.column(req.enabled.is_some(), "enabled", req.enabled);
    let sql = set.update_returning("webhook_endpoints", "url", columns!());
    let (scope, rows) = auth.begin_requiring(Permission::WebhooksManage, &sql, &set.params()).await?;
    let updated = rows.first().map(webhook).ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("Change a webhook endpoint (webhooks:manage)");
    respond::<Webhook>(op, 200, "The updated endpoint", &[400, 401, 403, 404, 413, 415, 422])
}

async fn delete(auth: Authenticated, Path(WebhookId { id }): Path<WebhookId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::WebhooksManage, "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("Delete a webhook endpoint and its delivery log (webhooks:manage)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

async fn rotate_secret(auth: Authenticated, Path(WebhookId { id }): Path<WebhookId>) -> AppResult<axum::Json<WebhookSecret>> {
    let secret = new_secret();
    let (scope, rows) = auth.begin_requiring(Permission::WebhooksManage, "SELECT app.set_webhook_secret($1, $2)", &[&id, &secret]).await?;
    if !rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(axum::Json(WebhookSecret { secret }))
}

fn rotate_secret_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("Replace an endpoint's signing secret (webhooks:manage)");
    respond::<WebhookSecret>(op, 200, "The new secret", &[400, 401, 403, 404])
}

async fn deliveries(auth: Authenticated, Path(WebhookId { id }): Path<WebhookId>, Query(p): Query<PageParams>) -> AppResult<Paged<Delivery>> {
    let page = Page::from_params(&p)?;
    // The endpoint row says whether it exists (404); the function's rows are its log.
    let sql = "SELECT d.* FROM webhook_endpoints e
                 LEFT JOIN LATERAL app.webhook_deliveries(e.id, $3, $4, $5::integer) d ON true
                WHERE e.tenant_id = $1 AND e.id = $2";
    let limit = i32::try_from(page.fetch()).unwrap_or(201);
    let rows = auth
        .read_requiring(Permission::WebhooksManage, sql, &[&auth.identity.tenant_id, &id, &page.after_time(), &page.after_id(), &limit])
        .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let items = rows.iter().filter(|r| r.get::<_, Option<Uuid>>("id").is_some()).map(delivery).collect();
    Ok(page.finish(items, |d| (d.created_at.0, d.id)))
}

fn deliveries_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("An endpoint's delivery log, newest first (webhooks:manage)");
    respond::<Paged<Delivery>>(op, 200, "A page of deliveries", &[400, 401, 403, 404])
}

async fn replay(auth: Authenticated, Path(DeliveryId { id, delivery_id }): Path<DeliveryId>) -> AppResult<Reply<Delivery>> {
    let (scope, rows) = auth
        .begin_requiring(Permission::WebhooksManage, "SELECT app.replay_webhook_delivery($1, $2)", &[&id, &delivery_id])
        .await?;
    let Some(new_id) = rows.first().and_then(|r| r.get::<_, Option<Uuid>>(0)) else {
        return Err(AppError::NotFound);
    };
    let row = scope
        .query_opt("SELECT * FROM app.webhook_deliveries($1, NULL, NULL, 1) WHERE id = $2", &[&id, &new_id])
        .await?
        .ok_or(AppError::Internal("the replay could not be read back".into()))?;
    scope.commit().await?;
    Ok(Reply::accepted(delivery(&row)))
}

fn replay_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("webhooks").summary("Deliver an event again, as a new delivery (webhooks:manage)");
    respond::<Delivery>(op, 202, "The new delivery, pending", &[400, 401, 403, 404])
}
