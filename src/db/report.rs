//! `tenet admin policy-report`: every table's RLS state, policies and grants,
//! read from the live catalog, so a DBA can compare what is installed with
//! what `policies/` says, and the access matrix (`app.access_matrix`): which
//! system role may run which command on which table. `--json` prints both.
use std::fmt::Write;

pub async fn policy_report(client: &tokio_postgres::Client) -> Result<String, tokio_postgres::Error> {
    let mut out = String::new();
    let tables = client
        .query(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)::text
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'refinery%'
              ORDER BY 1",
            &[],
        )
        .await?;
    for t in tables {
        let name: String = t.get(0);
        let _ = writeln!(
            out,
            "table {name}  (owner {}, RLS {}, FORCE {})",
            t.get::<_, String>(3),
            on_off(t.get(1)),
            on_off(t.get(2))
        );
        let policies = client
            .query(
                "SELECT policyname::text, cmd, array_to_string(roles, ','), coalesce(qual, ''), coalesce(with_check, '')
                   FROM pg_policies WHERE schemaname = 'public' AND tablename = $1 ORDER BY cmd, policyname",
                &[&name],
            )
            .await?;
        for p in policies {
            let _ = writeln!(out, "  policy {:?} FOR {} TO {}", p.get::<_, String>(0), p.get::<_, String>(1), p.get::<_, String>(2));
            let using: String = p.get(3);
            let check: String = p.get(4);
            if !using.is_empty() {
                let _ = writeln!(out, "    USING ({using})");
            }
            if !check.is_empty() {
                let _ = writeln!(out, "    WITH CHECK ({check})");
            }
        }
        let grants = client
            .query(
                "SELECT grantee::text, string_agg(privilege_type, ', ' ORDER BY privilege_type)
                   FROM information_schema.role_table_grants
                  WHERE table_schema = 'public' AND table_name = $1 AND grantee <> pg_get_userbyid(
                        (SELECT relowner FROM pg_class WHERE oid = ('public.' || quote_ident($1))::regclass))
                  GROUP BY grantee ORDER BY grantee",
                &[&name],
            )
            .await?;
        for g in grants {
            let _ = writeln!(out, "  grant {} TO {}", g.get::<_, String>(1), g.get::<_, String>(0));
        }
        let columns = client
            .query(
                "SELECT grantee::text, privilege_type::text, string_agg(column_name::text, ', ' ORDER BY column_name)
                   FROM information_schema.column_privileges
                  WHERE table_schema = 'public' AND table_name = $1 AND grantee = 'tenet_api'
                  GROUP BY grantee, privilege_type ORDER BY privilege_type",
                &[&name],
            )
            .await?;
        for c in columns {
            let _ = writeln!(out, "  column grant {} ({}) TO {}", c.get::<_, String>(1), c.get::<_, String>(2), c.get::<_, String>(0));
        }
    }
    let _ = writeln!(out, "\naccess matrix (tenet_api; system roles that may, by the permissions each predicate requires)");
    for cell in access_matrix(client).await? {
        let roles: Vec<String> = serde_json::from_value(cell["system_roles"].clone()).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<20} {:<7} {}",
            cell["table"].as_str().unwrap_or_default(),
            cell["command"].as_str().unwrap_or_default(),
            if cell["allowed"].as_bool() == Some(true) { roles.join(", ") } else { "nobody".into() }
        );
    }
    Ok(out)
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

/// The report as JSON: each table's RLS flags and policies, and the access
/// matrix (`app.access_matrix`).
pub async fn policy_report_json(client: &tokio_postgres::Client) -> Result<serde_json::Value, tokio_postgres::Error> {
    let tables = client
        .query(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)::text,
                    coalesce(obj_description(c.oid, 'pg_class'), ''),
                    coalesce((SELECT jsonb_agg(jsonb_build_object('name', p.policyname, 'command', p.cmd, 'roles', p.roles,
                                                                  'using', p.qual, 'with_check', p.with_check)
                                               ORDER BY p.cmd, p.policyname)
                                FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname), '[]'::jsonb)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'refinery%'
              ORDER BY 1",
            &[],
        )
        .await?;
    let tables: Vec<serde_json::Value> = tables
        .iter()
        .map(|t| {
            serde_json::json!({
                "table": t.get::<_, String>(0),
                "rls": t.get::<_, bool>(1),
                "force_rls": t.get::<_, bool>(2),
                "owner": t.get::<_, String>(3),
                "comment": t.get::<_, String>(4),
                "policies": t.get::<_, serde_json::Value>(5),
            })
        })
        .collect();
    Ok(serde_json::json!({ "tables": tables, "access_matrix": access_matrix(client).await? }))
}

/// Every row of `app.access_matrix`.
pub async fn access_matrix(client: &tokio_postgres::Client) -> Result<Vec<serde_json::Value>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT table_name, command, allowed, predicate, permissions, system_roles FROM app.access_matrix
              ORDER BY table_name, array_position(ARRAY['SELECT','INSERT','UPDATE','DELETE'], command)",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "table": r.get::<_, String>(0),
                "command": r.get::<_, String>(1),
                "allowed": r.get::<_, bool>(2),
                "predicate": r.get::<_, Option<String>>(3),
                "permissions": r.get::<_, Vec<String>>(4),
                "system_roles": r.get::<_, Vec<String>>(5),
            })
        })
        .collect())
}
