//! Data in and out (docs/data-movement.md): exports stream every row the
//! caller's filters and scope reach, with formula cells guarded; imports dry
//! run, run and revert under the importer's own rules, refuse other tenants'
//! ids, and stream large files in batches.
use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Response, Session, TestApp};


/// A member of `owner`'s tenant with a new role, signed in.
async fn member_with_role(app: &TestApp, owner: &Session, email: &str, role: Value) -> (String, Session) {
    let r = app.post("/api/roles", Some(&owner.access), role.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.add_member(owner, email, &[role["name"].as_str().expect("a role name")]).await
}

async fn csv_rows(app: &TestApp, path: &str, token: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let r = app.get(path, token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").is_some_and(|d| d.starts_with("attachment; filename=\"") && d.ends_with(".csv\"")));
    let mut reader = csv::Reader::from_reader(r.text.as_bytes());
    let headers = reader.headers().expect("headers").iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.expect("a CSV record").iter().map(String::from).collect()).collect();
    (headers, rows)
}

async fn upload(app: &TestApp, path: &str, token: &str, csv: impl Into<reqwest::Body>) -> Response {
    let r = app.client.post(app.url(path)).bearer_auth(token).header("content-type", "text/csv").body(csv).send().await.expect("upload");
    Response::read(r).await
}

#[tokio::test]
async fn exports_stream_every_row_in_reach_with_formulas_guarded() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Exporter", "owner@exporter.test").await;
    let other = app.signup("Elsewhere", "owner@elsewhere-export.test").await;
    app.post("/api/contacts", Some(&other.access), json!({"first_name": "Other Tenant Person"})).await;
    // 450 contacts: more than two export pages of 200.
    let db = app.owner_client().await;
    let tenant: Uuid = owner.tenant_id.parse().expect("tenant");
    let user: Uuid = owner.user_id.parse().expect("user");
    db.execute(
        "INSERT INTO contacts (tenant_id, first_name, last_name, owner_id) SELECT $1, 'Bulk ' || i, 'Row', $2 FROM generate_series(1, 450) i",
        &[&tenant, &user],
    )
    .await
    .expect("seed");
    let r = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "=HYPERLINK(\"http://evil.test\")", "last_name": "Comma, \"Quoted\"\nTwo lines", "phone": "+1 555"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let (headers, rows) = csv_rows(&app, "/api/contacts/export.csv", &owner.access).await;
    assert_eq!(headers, ["id", "first_name", "last_name", "email", "phone", "company_id", "owner_id", "created_at", "updated_at"]);
    assert_eq!(rows.len(), 451);
    assert_eq!(rows.iter().map(|r| &r[0]).collect::<HashSet<_>>().len(), 451, "every row once");
    assert!(!rows.iter().any(|r| r[1] == "Other Tenant Person"), "another tenant's row");
    let evil = rows.iter().find(|r| r[1].contains("HYPERLINK")).expect("the formula row");
    assert_eq!(evil[1], "'=HYPERLINK(\"http://evil.test\")", "a formula is guarded");
    assert_eq!(evil[2], "Comma, \"Quoted\"\nTwo lines", "quoting survives");
    assert_eq!(evil[4], "'+1 555");

    // JSON: the list's own objects, all of them.
    let r = app.get("/api/contacts/export.json", &owner.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body.as_array().expect("an array");
    assert_eq!(items.len(), 451);
    assert_eq!(items.iter().filter(|c| c["phone"] == "+1 555").count(), 1, "JSON is not guarded: it is not a spreadsheet");
    // The list's filters apply.
    let (_, searched) = csv_rows(&app, "/api/contacts/export.csv?q=HYPERLINK", &owner.access).await;
    assert_eq!(searched.len(), 1);
    let (_, sorted) = csv_rows(&app, "/api/contacts/export.csv?sort=first_name&created_at[gte]=2000-01-01T00:00:00Z", &owner.access).await;
    assert_eq!(sorted.len(), 451);
    let listed = app.get("/api/contacts?sort=first_name&limit=5", &owner.access).await;
    let first: Vec<&str> = listed.body["items"].as_array().expect("items").iter().filter_map(|c| c["id"].as_str()).collect();
    let exported: Vec<&str> = sorted.iter().take(5).map(|r| r[0].as_str()).collect();
    assert_eq!(exported, first, "in the list's order");
    app.get("/api/contacts/export.csv?sort=shoe_size", &owner.access).await.assert_problem(400);

    // A role that hides the phone: empty in the export too. Scope own: only their rows.
    let (_, hider) = member_with_role(&app, &owner, "hider@exporter.test", json!({"name": "hider", "permissions": ["contacts:read"], "hidden_fields": ["contacts.phone"]})).await;
    let (_, rows) = csv_rows(&app, "/api/contacts/export.csv", &hider.access).await;
    assert_eq!(rows.len(), 451);
    assert!(rows.iter().all(|r| r[4].is_empty()), "the hidden phone is exported");
    let (rep_id, rep) = member_with_role(&app, &owner, "rep@exporter.test", json!({"name": "rep", "permissions": [], "grants": [{"key": "contacts:read", "scope": "own"}]})).await;
    let rep_uuid: Uuid = rep_id.parse().expect("id");
    db.execute("INSERT INTO contacts (tenant_id, first_name, owner_id) SELECT $1, 'Mine ' || i, $2 FROM generate_series(1, 3) i", &[&tenant, &rep_uuid])
        .await
        .expect("seed");
    let (_, rows) = csv_rows(&app, "/api/contacts/export.csv", &rep.access).await;
    let mut mine: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    mine.sort();
    assert_eq!(mine, ["Mine 1", "Mine 2", "Mine 3"]);
    // Without the read permission: 403 as a problem, not a broken file.
    let (_, blind) = member_with_role(&app, &owner, "blind@exporter.test", json!({"name": "blind", "permissions": ["companies:read"]})).await;
    app.get("/api/contacts/export.csv", &blind.access).await.assert_problem(403);
    app.get("/api/deals/export.json", &blind.access).await.assert_problem(403);
    let r = app.get("/api/companies/export.csv", &blind.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.request(Method::GET, "/api/contacts/export.csv", None, None).await.assert_problem(401);

    // The audit log exports too (audit:read), every entry, filters applied.
    let (headers, entries) = csv_rows(&app, "/api/audit-logs/export.csv?entity=contact", &owner.access).await;
    assert_eq!(headers[..3], ["id", "occurred_at", "actor_id"]);
    let entity = headers.iter().position(|h| h == "entity").expect("entity column");
    assert!(entries.len() >= 451 + 3, "every contact's creation: {}", entries.len());
    assert!(entries.iter().all(|e| e[entity] == "contact"));
    app.get("/api/audit-logs/export.csv", &hider.access).await.assert_problem(403);
    // Notes and tasks: their lists' exports.
    let r = app.post("/api/tasks", Some(&owner.access), json!({"title": "@call them"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (_, tasks) = csv_rows(&app, "/api/tasks/export.csv", &owner.access).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0][1], "'@call them");
    let (headers, notes) = csv_rows(&app, "/api/notes/export.csv", &owner.access).await;
    assert_eq!((headers[1].as_str(), notes.len()), ("body", 0));
}

const PEOPLE: &str = "First name,Last name,E-mail,Company,Ignored\n";

#[tokio::test]
async fn an_import_dry_runs_runs_and_reverts_under_the_importers_rules() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Importer", "owner@importer.test").await;
    let other = app.signup("Foreign", "owner@foreign-import.test").await;
    let acme = app.post("/api/companies", Some(&owner.access), json!({"name": "Acme"})).await.body["id"].as_str().expect("id").to_string();
    let foreign = app.post("/api/companies", Some(&other.access), json!({"name": "Theirs"})).await.body["id"].as_str().expect("id").to_string();
    let file = format!(
        "{PEOPLE}Ann,Lee,ann@acme.test,{acme},x\nBob,,not-an-email,,x\nCy,,,{foreign},x\n'=Dee,,,,x\n,,nobody@acme.test,,x\n"
    );

    // Preview: the columns with the fields their headers suggest.
    let r = upload(&app, "/api/imports/preview?resource=contacts", &owner.access, file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let suggested: Vec<Value> = r.body["columns"].as_array().expect("columns").iter().map(|c| c["field"].clone()).collect();
    assert_eq!(suggested, [json!("first_name"), json!("last_name"), json!("email"), json!("company_id"), Value::Null]);
    assert_eq!(r.body["sample_rows"][3][0], "=Dee", "the export guard is undone");
    let fields: Vec<&str> = r.body["fields"].as_array().expect("fields").iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(fields, ["id", "first_name", "last_name", "email", "phone", "company_id", "owner_id"]);
    // Mapping mistakes: 422 before anything runs.
    let bad = app.post("/api/imports", Some(&owner.access), json!({"resource": "contacts", "mode": "create", "mapping": {"First name": "shoe_size"}})).await;
    bad.assert_problem(422);
    let bad = app.post("/api/imports", Some(&owner.access), json!({"resource": "contacts", "mode": "update", "mapping": {"Last name": "last_name"}})).await;
    bad.assert_problem(422);
    let bad = app.post("/api/imports", Some(&owner.access), json!({"resource": "contacts", "mode": "create", "mapping": {"Last name": "last_name"}})).await;
    bad.assert_problem(422);

    let mapping = json!({"First name": "first_name", "Last name": "last_name", "E-mail": "email", "Company": "company_id"});
    let r = app.post("/api/imports", Some(&owner.access), json!({"resource": "contacts", "mode": "create", "mapping": mapping, "file_name": "people.csv"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    let import = r.body["id"].as_str().expect("id").to_string();

    // Dry run: every problem, nothing written.
    let r = upload(&app, &format!("/api/imports/{import}/dry-run"), &owner.access, file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["rows_total"].as_i64(), r.body["rows_created"].as_i64(), r.body["rows_failed"].as_i64()), (Some(5), Some(2), Some(3)), "{}", r.text);
    let problems: Vec<(i64, String)> =
        r.body["errors"].as_array().expect("errors").iter().map(|e| (e["row"].as_i64().unwrap_or(-1), e["field"].as_str().unwrap_or("").to_string())).collect();
    assert_eq!(problems, [(2, "email".to_string()), (3, "company_id".to_string()), (5, "first_name".to_string())], "{}", r.text);
    let contacts = app.get("/api/contacts", &owner.access).await;
    assert_eq!(contacts.body["items"], json!([]), "a dry run keeps nothing");

    // The run: the good rows go in, the others are listed.
    let r = upload(&app, &format!("/api/imports/{import}/run"), &owner.access, file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "completed");
    assert_eq!((r.body["rows_created"].as_i64(), r.body["rows_failed"].as_i64()), (Some(2), Some(3)), "{}", r.text);
    let errors = app.get(&format!("/api/imports/{import}/errors"), &owner.access).await;
    assert_eq!(errors.body["items"].as_array().map(Vec::len), Some(3), "{}", errors.text);
    let contacts = app.get("/api/contacts", &owner.access).await;
    let mut names: Vec<&str> = contacts.body["items"].as_array().expect("items").iter().filter_map(|c| c["first_name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["=Dee", "Ann"]);
    let ann = contacts.body["items"].as_array().expect("items").iter().find(|c| c["first_name"] == "Ann").expect("Ann").clone();
    assert_eq!(ann["company_id"], acme.as_str());
    assert_eq!(ann["owner_id"], owner.user_id.as_str(), "the importer owns what they import");
    let audit = app.get(&format!("/api/audit-logs?record_id={}", ann["id"].as_str().expect("id")), &owner.access).await;
    assert_eq!(audit.body["items"][0]["actor_id"], owner.user_id.as_str(), "{}", audit.text);
    // Once only.
    upload(&app, &format!("/api/imports/{import}/run"), &owner.access, file.clone()).await.assert_problem(409);

    // An update by id, then its revert restores the previous value.
    let ann_id = ann["id"].as_str().expect("id");
    let changes = format!("id,Last name\n{ann_id},Smith\n{},Nobody\n", Uuid::now_v7());
    let r = app.post("/api/imports", Some(&owner.access), json!({"resource": "contacts", "mode": "update", "mapping": {"id": "id", "Last name": "last_name"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let update = r.body["id"].as_str().expect("id").to_string();
    let r = upload(&app, &format!("/api/imports/{update}/run"), &owner.access, changes).await;
    assert_eq!((r.body["rows_updated"].as_i64(), r.body["rows_failed"].as_i64()), (Some(1), Some(1)), "{}", r.text);
    assert_eq!(app.get(&format!("/api/contacts/{ann_id}"), &owner.access).await.body["last_name"], "Smith");

    // Another tenant's owner reaches none of it.
    for path in [format!("/api/imports/{import}"), format!("/api/imports/{import}/errors")] {
        app.get(&path, &other.access).await.assert_problem(404);
    }
    app.post(&format!("/api/imports/{import}/revert"), Some(&other.access), json!({})).await.assert_problem(404);
    upload(&app, &format!("/api/imports/{update}/dry-run"), &other.access, "id\n".to_string()).await.assert_problem(404);
    assert_eq!(app.get("/api/imports", &other.access).await.body["items"], json!([]));

    let r = app.post(&format!("/api/imports/{update}/revert"), Some(&owner.access), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["status"].as_str(), r.body["rows_reverted"].as_i64()), (Some("reverted"), Some(1)), "{}", r.text);
    assert_eq!(app.get(&format!("/api/contacts/{ann_id}"), &owner.access).await.body["last_name"], "Lee");
    // Reverting the creation deletes exactly its rows.
    let keep = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "Kept"})).await;
    assert_eq!(keep.status, StatusCode::CREATED);
    let r = app.post(&format!("/api/imports/{import}/revert"), Some(&owner.access), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["rows_reverted"].as_i64(), r.body["rows_not_reverted"].as_i64()), (Some(2), Some(0)), "{}", r.text);
    let names: Vec<Value> = app.get("/api/contacts", &owner.access).await.body["items"].as_array().expect("items").iter().map(|c| c["first_name"].clone()).collect();
    assert_eq!(names, [json!("Kept")]);
    app.post(&format!("/api/imports/{import}/revert"), Some(&owner.access), json!({})).await.assert_problem(409);
    let list = app.get("/api/imports", &owner.access).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2), "{}", list.text);
}

#[tokio::test]
async fn an_import_cannot_reach_beyond_the_importers_tenant_or_scope() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Scoped", "owner@scoped-import.test").await;
    let other = app.signup("Victim", "owner@victim-import.test").await;
    let theirs = app.post("/api/contacts", Some(&other.access), json!({"first_name": "Victim", "last_name": "Original"})).await.body["id"].as_str().expect("id").to_string();
    let (_, rep) = member_with_role(&app, &owner, "rep@scoped-import.test", json!({"name": "rep", "permissions": [], "grants": [{"key": "contacts:read", "scope": "own"}, {"key": "contacts:write", "scope": "own"}]})).await;
    // Upsert with another tenant's contact id: no update happens there; the row creates a new contact here instead.
    let r = app.post("/api/imports", Some(&rep.access), json!({"resource": "contacts", "mode": "upsert", "mapping": {"id": "id", "first_name": "first_name", "last_name": "last_name", "owner_id": "owner_id"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let import = r.body["id"].as_str().expect("id").to_string();
    let file = format!(
        "id,first_name,last_name,owner_id\n{theirs},Mallory,Overwritten,\n,Eve,Owned by the owner,{}\n,Fay,Owned by a stranger,{}\n",
        owner.user_id, other.user_id
    );
    let r = upload(&app, &format!("/api/imports/{import}/run"), &rep.access, file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["rows_created"].as_i64(), r.body["rows_updated"].as_i64(), r.body["rows_failed"].as_i64()), (Some(1), Some(0), Some(2)), "{}", r.text);
    let victim = app.get(&format!("/api/contacts/{theirs}"), &other.access).await;
    assert_eq!(victim.body["last_name"], "Original", "another tenant's record is untouched");
    let errors = app.get(&format!("/api/imports/{import}/errors"), &rep.access).await;
    let messages: Vec<&str> = errors.body["items"].as_array().expect("items").iter().filter_map(|e| e["message"].as_str()).collect();
    assert_eq!(messages.len(), 2, "{}", errors.text);
    // Only the row the rep may own was created, owned by the rep (the owner_id cell was empty).
    let mine = app.get("/api/contacts", &rep.access).await;
    let names: Vec<&str> = mine.body["items"].as_array().expect("items").iter().filter_map(|c| c["first_name"].as_str()).collect();
    assert_eq!(names, ["Mallory"]);
    // The owner sees nothing of the rep's import; a viewer cannot import.
    app.get(&format!("/api/imports/{import}"), &owner.access).await.assert_problem(404);
    let (_, viewer) = member_with_role(&app, &owner, "viewer@scoped-import.test", json!({"name": "reader", "permissions": ["contacts:read"]})).await;
    app.post("/api/imports", Some(&viewer.access), json!({"resource": "contacts", "mode": "create", "mapping": {"first_name": "first_name"}})).await.assert_problem(403);
    upload(&app, "/api/imports/preview?resource=contacts", &viewer.access, "first_name\n".to_string()).await.assert_problem(403);
    app.request(Method::POST, "/api/imports", Some(&rep.access), Some(json!({"resource": "contacts", "mode": "create", "mapping": {"first_name": "first_name"}, "extra": 1}))).await.assert_problem(422);
}

#[tokio::test]
async fn a_large_file_streams_through_in_batches() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Bulk", "owner@bulk-import.test").await;
    let r = app.post("/api/imports", Some(&owner.access), json!({"resource": "companies", "mode": "create", "mapping": {"Name": "name", "Industry": "industry"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let import = r.body["id"].as_str().expect("id").to_string();
    // Generated while it is sent: neither side holds the file.
    const ROWS: usize = 10_000;
    let chunks = (0..=ROWS / 1000).map(|chunk| {
        let mut text = String::new();
        if chunk == 0 {
            text.push_str("Name,Industry\n");
        }
        for i in (chunk * 1000).max(1)..((chunk + 1) * 1000).min(ROWS + 1) {
            text.push_str(&format!("Company {i},Industry {}\n", i % 7));
        }
        Ok::<_, std::io::Error>(text)
    });
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let r = upload(&app, &format!("/api/imports/{import}/run"), &owner.access, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["rows_total"].as_i64(), r.body["rows_created"].as_i64()), (Some(ROWS as i64), Some(ROWS as i64)), "{}", r.text);
    let db = app.owner_client().await;
    let tenant: Uuid = owner.tenant_id.parse().expect("tenant");
    let n: i64 = db.query_one("SELECT count(*) FROM companies WHERE tenant_id = $1", &[&tenant]).await.expect("count").get(0);
    assert_eq!(n, ROWS as i64);
    let rows: i64 = db.query_one("SELECT count(*) FROM app_private.import_rows WHERE tenant_id = $1", &[&tenant]).await.expect("count").get(0);
    assert_eq!(rows, ROWS as i64, "every row is remembered for revert");
    // Not CSV at all, or the wrong content type: a clear 422.
    let r = app.post("/api/imports", Some(&owner.access), json!({"resource": "companies", "mode": "create", "mapping": {"Name": "name"}})).await;
    let second = r.body["id"].as_str().expect("id").to_string();
    let bad = app.client.post(app.url(&format!("/api/imports/{second}/dry-run"))).bearer_auth(&owner.access).json(&json!({"Name": "x"})).send().await.expect("send");
    Response::read(bad).await.assert_problem(422);
    upload(&app, &format!("/api/imports/{second}/dry-run"), &owner.access, b"Name\n\xff\xfe broken\n".to_vec()).await.assert_problem(422);
    upload(&app, &format!("/api/imports/{second}/dry-run"), &owner.access, "Other\nx\n".to_string()).await.assert_problem(422);
    upload(&app, &format!("/api/imports/{second}/run"), &owner.access, "Other\nx\n".to_string()).await.assert_problem(422);
    let still = app.get(&format!("/api/imports/{second}"), &owner.access).await;
    assert_eq!(still.body["status"], "draft", "a refused file leaves the import to run again: {}", still.text);
    let r = upload(&app, &format!("/api/imports/{second}/run"), &owner.access, "Name\nLate Inc\n".to_string()).await;
    assert_eq!((r.body["status"].as_str(), r.body["rows_created"].as_i64()), (Some("completed"), Some(1)), "{}", r.text);
}

#[tokio::test]
async fn a_tenant_export_holds_every_row_of_its_tenant_and_nothing_else() {
    use std::io::Read;
    let app = TestApp::spawn().await;
    let a = app.signup("Alpha Export", "owner@alpha-export.test").await;
    let b = app.signup("Bravo Export", "owner@bravo-export.test").await;
    for (s, marker) in [(&a, "Alpha-Marker"), (&b, "Bravo-Marker")] {
        let company = app.post("/api/companies", Some(&s.access), json!({"name": format!("{marker} Inc")})).await;
        let contact = app.post("/api/contacts", Some(&s.access), json!({"first_name": marker, "company_id": company.body["id"]})).await;
        assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text);
        let note = app.post("/api/notes", Some(&s.access), json!({"body": format!("{marker} note"), "contact_id": contact.body["id"]})).await;
        assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
        let hook = app.post("/api/webhooks", Some(&s.access), json!({"url": format!("https://{}.example.com/hook", marker.to_lowercase()), "events": ["contact.updated"]})).await;
        assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.text);
        let r = app.request(Method::PATCH, &format!("/api/contacts/{}", contact.body["id"].as_str().expect("id")), Some(&s.access), Some(json!({"last_name": format!("{marker} Last")}))).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    // The operator's archive.
    let dir = std::env::temp_dir().join(format!("tenet-export-test-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("alpha.tar.gz");
    let mut owner = crate::helpers::connect(&app.db.owner_url()).await;
    let manifest = tenet::tenant_export::export_tenant(&mut owner, &a.tenant_slug, &out).await.expect("export");
    assert!(manifest.audit.verified, "{:?}", manifest.audit);
    assert!(manifest.audit.entries > 0);
    let mut files = std::collections::BTreeMap::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(&out).expect("archive")));
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let name = entry.path().expect("path").display().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("utf-8");
        files.insert(name, text);
    }
    std::fs::remove_dir_all(&dir).ok();
    let listed: Value = serde_json::from_str(&files["manifest.json"]).expect("manifest");
    for t in listed["tables"].as_array().expect("tables") {
        let text = &files[t["file"].as_str().expect("file")];
        assert_eq!(text.lines().count() as u64, t["rows"].as_u64().expect("rows"), "{}", t["table"]);
        let digest: String = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, t["sha256"].as_str().expect("sha"), "{}", t["table"]);
    }
    let rows = |table: &str| files.get(&format!("tables/{table}.jsonl")).map(|t| t.lines().map(|l| serde_json::from_str::<Value>(l).expect("json")).collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(rows("public.contacts").len(), 1);
    assert_eq!(rows("public.tenants")[0]["id"], a.tenant_id.as_str());
    assert_eq!(rows("public.users").len(), 1);
    assert!(rows("public.audit_log").len() >= 5, "the audit chain is in the archive");
    assert_eq!(rows("app_private.webhook_events").len(), 1, "the outbox too");
    assert!(rows("public.sessions").iter().all(|s| s.get("secret_hash").is_none() && s.get("refresh_token_hash").is_none()), "no secrets");
    assert!(!files.keys().any(|f| f.contains("webhook_secrets")));
    let everything: String = files.values().cloned().collect();
    assert!(everything.contains("Alpha-Marker"));
    for foreign in ["Bravo-Marker", "bravo-marker", b.tenant_id.as_str(), b.user_id.as_str(), b.tenant_slug.as_str()] {
        assert!(!everything.contains(foreign), "the archive holds {foreign} of another tenant");
    }
    // Every tenant table of the catalog is in it: a new table cannot be forgotten.
    let catalog: Vec<String> = owner
        .query(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'r'
                AND EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attname = 'tenant_id')",
            &[],
        )
        .await
        .expect("catalog")
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    let exported: Vec<&str> = listed["tables"].as_array().expect("tables").iter().filter_map(|t| t["table"].as_str()).collect();
    for table in &catalog {
        let qualified = if table.contains('.') { table.clone() } else { format!("public.{table}") };
        assert!(exported.contains(&qualified.as_str()), "{qualified} is not exported");
    }

    // The owner's API: the same rows under their own context, nothing else.
    let r = app.get("/api/tenant/export", &a.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/jsonl"));
    let lines: Vec<Value> = r.text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.last().expect("end")["done"], true);
    assert!(r.text.contains("Alpha-Marker"));
    for foreign in ["Bravo-Marker", b.tenant_id.as_str(), b.user_id.as_str()] {
        assert!(!r.text.contains(foreign), "the API export holds {foreign} of another tenant");
    }
    assert_eq!(lines.last().expect("end")["rows"]["public.contacts"], 1);
    let (_, member) = member_with_role(&app, &a, "m@alpha-export.test", json!({"name": "crm", "permissions": ["contacts:read"]})).await;
    app.get("/api/tenant/export", &member.access).await.assert_problem(403);
}
