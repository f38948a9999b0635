//! `/api/pipelines` and `/api/deals` (issue 16, first part): deals in the
//! stages of a pipeline. Reading deals needs `deals:read`, creating, editing
//! and moving them `deals:write`, deleting `deals:delete`, each within the
//! grant's scope (own, team, all); every member reads the pipelines. RLS
//! (`policies/deals.sql`, `policies/pipelines.sql`, `policies/stages.sql`)
//! enforces the same, and a trigger records every stage change with the time
//! spent in the stage left (`sql/55_deals.sql`).
use aide::{
    axum::{
        routing::{get_with, patch_with, post_with},
        ApiRouter,
    },
    transform::TransformOperation,
};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use axum::response::Response;

use super::{
    timestamp::Timestamp,
    export::{export, export_docs, Format},
    crm::{list_filter, decimal_bound, member_ref, search_text, ListQuery, Order, OwnerFilter, SetList, SortField, CREATED_AT, UPDATED_AT},
    extract::{Json, Path, Query},
    pagination::Paged,
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
    validation::{double_option, Validator, NAME_MAX},
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/pipelines", get_with(list_pipelines, list_pipelines_docs).post_with(create_pipeline, create_pipeline_docs))
        .api_route("/api/pipelines/{id}", patch_with(update_pipeline, update_pipeline_docs).delete_with(delete_pipeline, delete_pipeline_docs))
        .api_route("/api/pipelines/{id}/stages", post_with(create_stage, create_stage_docs))
        .api_route("/api/stages/{id}", patch_with(update_stage, update_stage_docs).delete_with(delete_stage, delete_stage_docs))
        .api_route("/api/deals", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/deals/export.csv", get_with(export_csv, |op| export_docs(op, "deals", Format::Csv)))
        .api_route("/api/deals/export.json", get_with(export_json, |op| export_docs(op, "deals", Format::Json)))
        .api_route("/api/deals/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    /// `open`, `won` or `lost`.
    pub kind: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Pipeline {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    /// In order.
    pub stages: Vec<Stage>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PipelineList {
    pub items: Vec<Pipeline>,
}

/// `open` (in progress), `won` or `lost` (closed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    #[default]
    Open,
    Won,
    Lost,
}

impl StageKind {
    fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct StageCreate {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    #[serde(default)]
    pub kind: StageKind,
    /// Omitted: after the pipeline's last stage.
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct StageUpdate {
    #[schemars(length(min = 1, max = 200))]
    pub name: Option<String>,
    pub kind: Option<StageKind>,
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PipelineCreate {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    pub position: Option<i32>,
    /// In order; at least one.
    #[schemars(length(min = 1, max = 50))]
    pub stages: Vec<StageCreate>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PipelineUpdate {
    #[schemars(length(min = 1, max = 200))]
    pub name: Option<String>,
    pub position: Option<i32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Deal {
    pub id: Uuid,
    pub name: String,
    /// An exact decimal with at most two places, as a string (`"12345.67"`);
    /// `null` together with `currency`.
    pub amount: Option<String>,
    /// ISO 4217 code (`EUR`), present exactly when `amount` is.
    pub currency: Option<String>,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub company_id: Option<Uuid>,
    /// A member of the tenant: who the own and team scopes are about.
    pub owner_id: Option<Uuid>,
    pub expected_close_date: Option<NaiveDate>,
    /// When the deal entered its current stage.
    pub stage_entered_at: Timestamp,
    /// Contacts of the deal.
    pub contact_ids: Vec<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DealCreate {
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
    /// A decimal string with at most two places (`"1500"`, `"99.90"`).
    #[schemars(regex(pattern = r"^[0-9]{1,18}(\.[0-9]{1,2})?$"))]
    pub amount: Option<String>,
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// Omitted: the tenant's first pipeline.
    pub pipeline_id: Option<Uuid>,
    /// Omitted: the pipeline's first stage.
    pub stage_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    /// Omitted: the creator; `null`: unowned.
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
    pub expected_close_date: Option<NaiveDate>,
    #[schemars(length(max = 100))]
    pub contact_ids: Option<Vec<Uuid>>,
}

/// Only the fields given change; `null` clears an optional field. Moving a
/// deal is `{"stage_id": ...}` (a stage of its pipeline, or of the new
/// `pipeline_id` given with it).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DealUpdate {
    #[schemars(length(min = 1, max = 320))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(regex(pattern = r"^[0-9]{1,18}(\.[0-9]{1,2})?$"))]
    pub amount: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<Option<String>>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    #[serde(default, deserialize_with = "double_option")]
    pub company_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    pub expected_close_date: Option<Option<NaiveDate>>,
    /// Replaces the deal's contacts.
    #[schemars(length(max = 100))]
    pub contact_ids: Option<Vec<Uuid>>,
}

list_filter! {
    /// The list's parameters: its own, then those of every list
    /// (`created_at[gte]`, `created_at[lte]`, `updated_at[gte]`, `updated_at[lte]`, `limit`, `cursor`).
    pub struct DealFilter {
        /// Case-insensitive substring of the name (`%` and `_` are literal).
        #[schemars(length(max = 320))]
        pub q: Option<String>,
        pub pipeline_id: Option<Uuid>,
        pub stage_id: Option<Uuid>,
        pub company_id: Option<Uuid>,
        /// Only the deals this contact is on.
        pub contact_id: Option<Uuid>,
        /// Whose deals: `me`, `team` or `all` (default); narrows the scope, never widens it.
        pub owner: Option<OwnerFilter>,
        /// `me` or a member's id.
        pub owner_id: Option<String>,
        /// ISO 4217 code.
        pub currency: Option<String>,
        /// At least this amount (a decimal, at most two places).
        #[serde(rename = "amount[gte]")]
        pub amount_gte: Option<String>,
        /// At most this amount.
        #[serde(rename = "amount[lte]")]
        pub amount_lte: Option<String>,
        /// Expected to close on or after this date.
        #[serde(rename = "expected_close_date[gte]")]
        pub expected_close_date_gte: Option<NaiveDate>,
        /// Expected to close on or before this date.
        #[serde(rename = "expected_close_date[lte]")]
        pub expected_close_date_lte: Option<NaiveDate>,
        /// `created_at`, `updated_at`, `name`, `amount` or `expected_close_date`,
        /// `-` first for descending; deals without an amount or date come last.
        #[schemars(regex(pattern = r"^-?(created_at|updated_at|name|amount|expected_close_date)$"))]
        pub sort: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DealId {
    pub id: Uuid,
}

macro_rules! columns {
    () => {
        "id, name, amount::text AS amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date, \
         stage_entered_at, ARRAY(SELECT dc.contact_id FROM deal_contacts dc \
         WHERE dc.tenant_id = deals.tenant_id AND dc.deal_id = deals.id ORDER BY dc.contact_id) AS contact_ids, created_at, updated_at"
    };
}
const COLUMNS: &str = columns!();
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM deals WHERE tenant_id = $1 AND id = $2");
const SORTS: &[&SortField] = &[
    &CREATED_AT,
    &UPDATED_AT,
    &SortField { name: "name", column: "name", cast: "", nullable: false },
    &SortField { name: "amount", column: "amount", cast: "::numeric", nullable: true },
    &SortField { name: "expected_close_date", column: "expected_close_date", cast: "::date", nullable: true },
];

fn deal(r: &Row) -> Deal {
    Deal {
        id: r.get("id"),
        name: r.get("name"),
        amount: r.get("amount"),
        currency: r.get("currency"),
        pipeline_id: r.get("pipeline_id"),
        stage_id: r.get("stage_id"),
        company_id: r.get("company_id"),
        owner_id: r.get("owner_id"),
        expected_close_date: r.get("expected_close_date"),
        stage_entered_at: r.get("stage_entered_at"),
        contact_ids: r.get("contact_ids"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

const SELECT_PIPELINES: &str = "SELECT p.id, p.name, p.position,
        coalesce(json_agg(json_build_object('id', s.id, 'name', s.name, 'position', s.position, 'kind', s.kind)
                          ORDER BY s.position, s.id) FILTER (WHERE s.id IS NOT NULL), '[]') AS stages
   FROM pipelines p LEFT JOIN stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id";

async fn list_pipelines(auth: Authenticated) -> AppResult<axum::Json<PipelineList>> {
    let (_, rows) = auth.read(&[SELECT_PIPELINES, " GROUP BY p.tenant_id, p.id ORDER BY p.position, p.id"].concat(), &[]).await?;
    Ok(axum::Json(PipelineList { items: pipelines(&rows) }))
}

fn pipelines(rows: &[Row]) -> Vec<Pipeline> {
    rows
        .iter()
        .map(|r| {
            let stages: serde_json::Value = r.get("stages");
            let stages = stages
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| {
                            Some(Stage {
                                id: s["id"].as_str()?.parse().ok()?,
                                name: s["name"].as_str()?.to_string(),
                                position: i32::try_from(s["position"].as_i64()?).ok()?,
                                kind: s["kind"].as_str()?.to_string(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Pipeline { id: r.get("id"), name: r.get("name"), position: r.get("position"), stages }
        })
        .collect()
}

async fn find_pipeline(scope: &crate::db::Scope, id: Uuid) -> AppResult<Pipeline> {
    let rows = scope.query(&[SELECT_PIPELINES, " WHERE p.id = $1 GROUP BY p.tenant_id, p.id"].concat(), &[&id]).await?;
    pipelines(&rows).into_iter().next().ok_or(AppError::NotFound)
}

/// A stage or pipeline still holding deals cannot be deleted.
fn in_use(e: AppError) -> AppError {
    match e {
        AppError::Validation(_) | AppError::Unprocessable(_) => AppError::Conflict("It still holds deals: move them first.".into()),
        other => other,
    }
}

async fn create_pipeline(auth: Authenticated, Json(req): Json<PipelineCreate>) -> AppResult<Reply<Pipeline>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, 200);
    v.at_most("stages", &req.stages, 50);
    if req.stages.is_empty() {
        v.push("stages", "must name at least one stage");
    }
    let stages: Vec<String> = req.stages.iter().map(|s| v.required("stages", &s.name, 200)).collect();
    v.finish()?;
    let kinds: Vec<&str> = req.stages.iter().map(|s| s.kind.as_str()).collect();
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    let row = scope
        .query_one(
            "INSERT INTO pipelines (tenant_id, name, position)
             VALUES ($1, $2, coalesce($3, (SELECT coalesce(max(position) + 1, 0) FROM pipelines WHERE tenant_id = $1))) RETURNING id",
            &[&auth.identity.tenant_id, &name, &req.position],
        )
        .await
        .map_err(|e| super::roles::conflict_on_duplicate(e, "A pipeline with this name already exists."))?;
    let id: Uuid = row.get(0);
    scope
        .execute(
            "INSERT INTO stages (tenant_id, pipeline_id, name, position, kind)
             SELECT $1, $2, n, (o - 1)::int, k FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS s(n, k, o)",
            &[&auth.identity.tenant_id, &id, &stages, &kinds],
        )
        .await
        .map_err(|e| super::roles::conflict_on_duplicate(e, "Two stages of a pipeline cannot share a name."))?;
    let created = find_pipeline(&scope, id).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/pipelines/{id}"), created))
}

fn create_pipeline_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Create a pipeline with its stages (pipelines:manage)");
    respond::<Pipeline>(op, 201, "The new pipeline", &[400, 401, 403, 409, 413, 422])
}

async fn update_pipeline(auth: Authenticated, Path(DealId { id }): Path<DealId>, Json(req): Json<PipelineUpdate>) -> AppResult<axum::Json<Pipeline>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, 200));
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    let n = scope
        .execute("UPDATE pipelines SET name = coalesce($2, name), position = coalesce($3, position) WHERE id = $1", &[&id, &name, &req.position])
        .await
        .map_err(|e| super::roles::conflict_on_duplicate(e, "A pipeline with this name already exists."))?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let updated = find_pipeline(&scope, id).await?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_pipeline_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Rename or reorder a pipeline (pipelines:manage)");
    respond::<Pipeline>(op, 200, "The pipeline", &[400, 401, 403, 404, 409, 422])
}

async fn delete_pipeline(auth: Authenticated, Path(DealId { id }): Path<DealId>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    if scope.execute("DELETE FROM pipelines WHERE id = $1", &[&id]).await.map_err(in_use)? == 0 {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_pipeline_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Delete a pipeline and its stages (pipelines:manage); 409 while it holds deals");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404, 409])
}

async fn create_stage(auth: Authenticated, Path(DealId { id }): Path<DealId>, Json(req): Json<StageCreate>) -> AppResult<Reply<Pipeline>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, 200);
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    let rows = scope
        .query(
            "INSERT INTO stages (tenant_id, pipeline_id, name, position, kind)
             SELECT p.tenant_id, p.id, $2, coalesce($3, (SELECT coalesce(max(s.position) + 1, 0) FROM stages s
                                                          WHERE s.tenant_id = p.tenant_id AND s.pipeline_id = p.id)), $4
               FROM pipelines p WHERE p.id = $1 RETURNING id",
            &[&id, &name, &req.position, &req.kind.as_str()],
        )
        .await
        .map_err(|e| super::roles::conflict_on_duplicate(e, "Two stages of a pipeline cannot share a name."))?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let pipeline = find_pipeline(&scope, id).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/pipelines/{id}"), pipeline))
}

fn create_stage_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Add a stage to a pipeline (pipelines:manage); answers the pipeline");
    respond::<Pipeline>(op, 201, "The pipeline with its new stage", &[400, 401, 403, 404, 409, 422])
}

async fn update_stage(auth: Authenticated, Path(DealId { id }): Path<DealId>, Json(req): Json<StageUpdate>) -> AppResult<axum::Json<Pipeline>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, 200));
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    let row = scope
        .query_opt(
            "UPDATE stages SET name = coalesce($2, name), position = coalesce($3, position), kind = coalesce($4, kind)
              WHERE id = $1 RETURNING pipeline_id",
            &[&id, &name, &req.position, &req.kind.map(StageKind::as_str)],
        )
        .await
        .map_err(|e| super::roles::conflict_on_duplicate(e, "Two stages of a pipeline cannot share a name."))?
        .ok_or(AppError::NotFound)?;
    let pipeline = find_pipeline(&scope, row.get(0)).await?;
    scope.commit().await?;
    Ok(axum::Json(pipeline))
}

fn update_stage_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Rename, reorder or change the kind of a stage (pipelines:manage); answers its pipeline");
    respond::<Pipeline>(op, 200, "The stage's pipeline", &[400, 401, 403, 404, 409, 422])
}

async fn delete_stage(auth: Authenticated, Path(DealId { id }): Path<DealId>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::PipelinesManage)?;
    if scope.execute("DELETE FROM stages WHERE id = $1", &[&id]).await.map_err(in_use)? == 0 {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_stage_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Delete a stage (pipelines:manage); 409 while deals are in it");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404, 409])
}

fn list_pipelines_docs(op: TransformOperation) -> TransformOperation {
    respond::<PipelineList>(op.tag("deals").summary("The tenant's pipelines and their stages, in order (any member)"), 200, "Every pipeline", &[401])
}

async fn list(auth: Authenticated, Query(f): Query<DealFilter>) -> AppResult<Paged<Deal>> {
    page(auth, f).await
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] = &["id", "name", "amount", "currency", "pipeline_id", "stage_id", "company_id", "owner_id", "expected_close_date", "stage_entered_at", "contact_ids", "created_at", "updated_at"];

async fn export_csv(auth: Authenticated, Query(f): Query<DealFilter>) -> AppResult<Response> {
    export(auth, f, "deals", EXPORT_COLUMNS, Format::Csv, page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<DealFilter>) -> AppResult<Response> {
    export(auth, f, "deals", EXPORT_COLUMNS, Format::Json, page).await
}

/// A page of the list (also the export's pages).
pub async fn page(auth: Authenticated, f: DealFilter) -> AppResult<Paged<Deal>> {
    let order = Order::parse(f.sort.as_deref(), SORTS, f.limit, f.cursor.as_deref())?;
    let page = order.page;
    let owner = f.owner.unwrap_or_default();
    let mut q = ListQuery::new(COLUMNS, "deals", "deals:read", auth.identity.tenant_id);
    if let Some(owner_id) = member_ref("owner_id", f.owner_id.as_deref(), auth.identity.user_id)? {
        q.equals("owner_id", owner_id);
    }
    q.timestamps(f.timestamps());
    if let Some(currency) = f.currency {
        q.equals("currency", currency);
    }
    q.compare("amount", ">=", "::text::numeric", decimal_bound("amount[gte]", f.amount_gte)?);
    q.compare("amount", "<=", "::text::numeric", decimal_bound("amount[lte]", f.amount_lte)?);
    q.compare("expected_close_date", ">=", "", f.expected_close_date_gte);
    q.compare("expected_close_date", "<=", "", f.expected_close_date_lte);
    if let Some(id) = f.pipeline_id {
        q.equals("pipeline_id", id);
    }
    if let Some(id) = f.stage_id {
        q.equals("stage_id", id);
    }
    if let Some(id) = f.company_id {
        q.equals("company_id", id);
    }
    if let Some(id) = f.contact_id {
        let p = q.bind(id);
        q.condition(
            ["EXISTS (SELECT 1 FROM deal_contacts dc WHERE dc.tenant_id = deals.tenant_id AND dc.deal_id = deals.id AND dc.contact_id = ", &p, ")"]
                .concat(),
        );
    }
    if let Some(text) = search_text(f.q.as_deref())? {
        let p = q.bind(super::crm::like_pattern(text));
        q.condition(["name ILIKE ", &p].concat());
    }
    q.owner(owner);
    q.order(order)?;
    let rows = auth.read_via_policy(Permission::DealsRead, &q.sql(), &q.params()).await?;
    Ok(q.finish(&page, &rows, deal, |d| (d.created_at.0, d.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("List deals, newest first (deals:read)");
    respond::<Paged<Deal>>(op, 200, "A page of deals", &[400, 401, 403])
}

async fn read(auth: Authenticated, Path(DealId { id }): Path<DealId>) -> AppResult<axum::Json<Deal>> {
    let rows = auth.read_via_policy(Permission::DealsRead, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(deal).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Deal>(op.tag("deals").summary("Read a deal (deals:read)"), 200, "The deal", &[400, 401, 403, 404])
}

pub(crate) fn check_money(v: &mut Validator, amount: Option<&str>, currency: Option<&str>) {
    if let Some(a) = amount {
        let ok = {
            let (int, frac) = a.split_once('.').unwrap_or((a, ""));
            (1..=18).contains(&int.len())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.len() <= 2
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(a.contains('.') && frac.is_empty())
        };
        if !ok {
            v.push("amount", "must be a decimal string with at most two places");
        }
    }
    if let Some(c) = currency {
        if !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())) {
            v.push("currency", "must be an ISO 4217 code such as EUR");
        }
    }
}

async fn create(auth: Authenticated, Json(req): Json<DealCreate>) -> AppResult<Reply<Deal>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    check_money(&mut v, req.amount.as_deref(), req.currency.as_deref());
    if req.amount.is_some() != req.currency.is_some() {
        v.push("currency", "is required with an amount, and only with one");
    }
    if let Some(c) = &req.contact_ids {
        v.at_most("contact_ids", c, 100);
    }
    v.finish()?;
    let owner = req.owner_id.unwrap_or(Some(auth.identity.user_id));
    // The pipeline and stage default to the tenant's first ones.
    let sql = concat!(
        "INSERT INTO deals (tenant_id, name, amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date)
         SELECT $1, $2, $3::text::numeric, $4, p.id, coalesce($6, (SELECT s.id FROM stages s WHERE s.tenant_id = p.tenant_id
                                                                    AND s.pipeline_id = p.id ORDER BY s.position, s.id LIMIT 1)),
                $7, $8, $9
           FROM pipelines p
          WHERE p.tenant_id = $1 AND ($5::uuid IS NULL OR p.id = $5)
          ORDER BY p.position, p.id LIMIT 1
         RETURNING ",
        columns!()
    );
    let (scope, rows) = auth
        .begin_requiring(
            Permission::DealsWrite,
            sql,
            &[&auth.identity.tenant_id, &name, &req.amount, &req.currency, &req.pipeline_id, &req.stage_id, &req.company_id, &owner, &req.expected_close_date],
        )
        .await?;
    let mut created = rows.first().map(deal).ok_or_else(|| AppError::validation("pipeline_id", "does not exist"))?;
    if let Some(contacts) = &req.contact_ids {
        created.contact_ids = set_contacts(&scope, auth.identity.tenant_id, created.id, contacts).await?;
    }
    scope.commit().await?;
    Ok(Reply::created(format!("/api/deals/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Create a deal (deals:write)");
    respond::<Deal>(op, 201, "The new deal", &[400, 401, 403, 413, 422])
}

/// Makes `contacts` the deal's contacts in one statement (links removed and
/// added together) and answers the deal's contacts after it, sorted as the
/// deal shows them: the links the statement saw, less those it removed, with
/// those it added. A contact outside the tenant or the caller's reach is 422
/// on contact_ids.
async fn set_contacts(scope: &crate::db::Scope, tenant_id: Uuid, id: Uuid, contacts: &[Uuid]) -> AppResult<Vec<Uuid>> {
    let row = scope
        .query_one(
            "WITH gone AS (DELETE FROM deal_contacts WHERE tenant_id = $1 AND deal_id = $2 AND NOT (contact_id = ANY($3)) RETURNING contact_id),
                  added AS (INSERT INTO deal_contacts (tenant_id, deal_id, contact_id) SELECT $1, $2, unnest($3::uuid[])
                            ON CONFLICT DO NOTHING RETURNING contact_id)
             SELECT ARRAY(SELECT c FROM ((SELECT contact_id FROM deal_contacts WHERE tenant_id = $1 AND deal_id = $2
                                          EXCEPT SELECT contact_id FROM gone)
                                         UNION SELECT contact_id FROM added) AS now(c) ORDER BY c)",
            &[&tenant_id, &id, &contacts],
        )
        .await
        .map_err(|e| match e {
            AppError::Validation(_) | AppError::Unprocessable(_) => AppError::validation("contact_ids", "does not exist"),
            other => other,
        })?;
    Ok(row.get(0))
}

async fn update(auth: Authenticated, Path(DealId { id }): Path<DealId>, Json(req): Json<DealUpdate>) -> AppResult<axum::Json<Deal>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, NAME_MAX));
    check_money(&mut v, req.amount.as_ref().and_then(|a| a.as_deref()), req.currency.as_ref().and_then(|c| c.as_deref()));
    if let Some(c) = &req.contact_ids {
        v.at_most("contact_ids", c, 100);
    }
    v.finish()?;
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(name.is_some(), "name", name);
    set.column_cast(req.amount.is_some(), "amount", "::text::numeric", req.amount.flatten());
    set.column(req.currency.is_some(), "currency", req.currency.flatten());
    set.column(req.pipeline_id.is_some(), "pipeline_id", req.pipeline_id);
    set.column(req.stage_id.is_some(), "stage_id", req.stage_id);
    set.column(req.company_id.is_some(), "company_id", req.company_id.flatten());
    set.column(req.owner_id.is_some(), "owner_id", req.owner_id.flatten());
    set.column(req.expected_close_date.is_some(), "expected_close_date", req.expected_close_date.flatten());
    let (scope, rows) = auth.begin_requiring(Permission::DealsWrite, &set.update_returning("deals", "name", COLUMNS), &set.params()).await?;
    let mut updated = rows.first().map(deal).ok_or(AppError::NotFound)?;
    if let Some(contacts) = &req.contact_ids {
        updated.contact_ids = set_contacts(&scope, auth.identity.tenant_id, id, contacts).await?;
    }
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Change the given fields of a deal, or move it to another stage (deals:write)");
    respond::<Deal>(op, 200, "The updated deal", &[400, 401, 403, 404, 413, 422])
}

async fn delete(auth: Authenticated, Path(DealId { id }): Path<DealId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::DealsDelete, "DELETE FROM deals WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("Delete a deal (deals:delete)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}
