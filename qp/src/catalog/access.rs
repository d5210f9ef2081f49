//! Who may use what: a role may use an object when it is `admin`, owns the object, or was
//! granted the privilege (directly or through `PUBLIC`); see `privileges` for the checks
//! statements make. The catalog's own views (`information_schema`) show a role the objects
//! these answer yes for.

use super::defs::{ADMIN, Grantee, Object, Privilege};
use super::{Catalog, DEFAULT_SCHEMA, SYS_SCHEMA, TableDef};

fn granted(catalog: &Catalog, object: &Object, role: &str, privilege: Privilege) -> bool {
    catalog.grants.iter().any(|g| {
        g.object == *object
            && g.privilege == privilege
            && match &g.grantee {
                Grantee::Public => true,
                Grantee::Role(r) => r == role,
            }
    })
}

/// Whether `role` holds `privilege` on schema `schema`.
pub fn has_schema_privilege(
    catalog: &Catalog,
    role: &str,
    schema: &str,
    privilege: Privilege,
) -> bool {
    role == ADMIN
        || catalog.schema_owners.get(schema).is_some_and(|o| o == role)
        || (privilege == Privilege::Usage && (schema == DEFAULT_SCHEMA || schema == SYS_SCHEMA))
        || granted(catalog, &Object::Schema(schema.into()), role, privilege)
}

/// Whether `role` holds `privilege` on `table` (schema USAGE not included).
pub fn has_table_privilege(
    catalog: &Catalog,
    role: &str,
    table: &TableDef,
    privilege: Privilege,
) -> bool {
    role == ADMIN
        || table.owner == role
        || (table.is_system() && privilege == Privilege::Select)
        || granted(catalog, &Object::Table(table.id), role, privilege)
}
