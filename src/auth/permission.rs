//! The permission catalog as one Rust type. The database holds the same keys
//! (`permissions` table, seeded by the migrations) and decides who holds
//! which; this enum names them for the handlers' early 403 and for the
//! OpenAPI document, so generated clients get the union of keys instead of
//! string literals. A test checks that it matches the database's catalog.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($variant:ident => $key:literal),+ $(,)?) => {
        /// A permission key, `<resource>:<action>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum Permission {
            $(#[serde(rename = $key)] $variant,)+
        }

        impl Permission {
            /// Every key, in the catalog's order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $key,)+
                }
            }

            pub fn parse(key: &str) -> Option<Self> {
                match key {
                    $($key => Some(Permission::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

permissions! {
    TenantManage => "tenant:manage",
    UsersRead => "users:read",
    UsersManage => "users:manage",
    RolesManage => "roles:manage",
    AuditRead => "audit:read",
    ApiKeysManage => "api_keys:manage",
    TeamsManage => "teams:manage",
    WebhooksManage => "webhooks:manage",
    CompaniesRead => "companies:read",
    CompaniesWrite => "companies:write",
    CompaniesDelete => "companies:delete",
    ContactsRead => "contacts:read",
    ContactsWrite => "contacts:write",
    ContactsDelete => "contacts:delete",
    DealsRead => "deals:read",
    DealsWrite => "deals:write",
    DealsDelete => "deals:delete",
    PipelinesManage => "pipelines:manage",
    NotesRead => "notes:read",
    NotesWrite => "notes:write",
    NotesDelete => "notes:delete",
    TasksRead => "tasks:read",
    TasksWrite => "tasks:write",
    TasksDelete => "tasks:delete",
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keys read from the database, as permissions. A key this build does not
/// know (a newer catalog) is left out and logged, never granted by guess.
pub fn from_keys(keys: Vec<String>) -> Vec<Permission> {
    keys.iter()
        .filter_map(|k| {
            let p = Permission::parse(k);
            if p.is_none() {
                tracing::warn!(key = %k, "unknown permission key in the database catalog");
            }
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Permission;

    #[test]
    fn keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            assert_eq!(serde_json::to_value(p).ok(), Some(serde_json::Value::String(p.as_str().into())));
        }
        assert_eq!(Permission::parse("launch:missiles"), None);
    }
}
