//! The catalogs of what DSQL does not have, empty but with PostgreSQL's columns, so that the
//! queries psql and the ORMs make over them (usually LEFT JOINs) run and find nothing:
//! inheritance, extensions, row security policies, rules, triggers, publications, role
//! memberships, enum labels, extended statistics, partitioned tables, range types,
//! dependencies (dsql records none: it has no sequences, views or other objects that depend
//! on one another) and views and sequences (not yet in dsql). `pg_node_tree` columns are
//! `text`; columns of types dsql lacks (`bytea`, `aclitem`) are left out.

use super::{Catalog, SystemColumn, SystemKind, SystemTable, column, nullable};
use crate::catalog::oids::Oid;
use crate::types::{DataType, ElementType, Value};

/// A catalog with no rows.
pub struct Empty {
    name: &'static str,
    oid: Oid,
    kind: SystemKind,
    columns: &'static [SystemColumn],
}

impl SystemTable for Empty {
    fn name(&self) -> &'static str {
        self.name
    }
    fn oid(&self) -> Oid {
        self.oid
    }
    fn kind(&self) -> SystemKind {
        self.kind
    }
    fn columns(&self) -> &'static [SystemColumn] {
        self.columns
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        Vec::new()
    }
}

const OID: DataType = DataType::Oid;
const NAME: DataType = DataType::Name;
const BOOL: DataType = DataType::Bool;
const CHAR: DataType = DataType::InternalChar;
const OIDS: DataType = DataType::Array(ElementType::Oid);

/// `pg_inherits`: DSQL has neither table inheritance nor partitions.
pub static PG_INHERITS: Empty = Empty {
    name: "pg_inherits",
    oid: 2611,
    kind: SystemKind::Table,
    columns: &[
        column("inhrelid", OID),
        column("inhparent", OID),
        column("inhseqno", DataType::Int4),
        column("inhdetachpending", BOOL),
    ],
};

/// `pg_views`: dsql has no views yet.
pub static PG_VIEWS: Empty = Empty {
    name: "pg_views",
    oid: 12028,
    kind: SystemKind::View,
    columns: &[
        nullable("schemaname", NAME),
        nullable("viewname", NAME),
        nullable("viewowner", NAME),
        nullable("definition", DataType::Text),
    ],
};

/// `pg_matviews`: DSQL has no materialized views.
pub static PG_MATVIEWS: Empty = Empty {
    name: "pg_matviews",
    oid: 12038,
    kind: SystemKind::View,
    columns: &[
        nullable("schemaname", NAME),
        nullable("matviewname", NAME),
        nullable("matviewowner", NAME),
        nullable("tablespace", NAME),
        nullable("hasindexes", BOOL),
        nullable("ispopulated", BOOL),
        nullable("definition", DataType::Text),
    ],
};

/// `pg_extension`: DSQL has no extensions.
pub static PG_EXTENSION: Empty = Empty {
    name: "pg_extension",
    oid: 3079,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("extname", NAME),
        column("extowner", OID),
        column("extnamespace", OID),
        column("extrelocatable", BOOL),
        column("extversion", DataType::Text),
        nullable("extconfig", OIDS),
        nullable("extcondition", DataType::Array(ElementType::Text)),
    ],
};

/// `pg_policy` (`polqual` and `polwithcheck` left out): no row security.
pub static PG_POLICY: Empty = Empty {
    name: "pg_policy",
    oid: 3256,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("polname", NAME),
        column("polrelid", OID),
        column("polcmd", CHAR),
        column("polpermissive", BOOL),
        column("polroles", OIDS),
        nullable("polqual", DataType::Text),
        nullable("polwithcheck", DataType::Text),
    ],
};

/// `pg_rewrite` (`ev_qual` and `ev_action` left out): no rules (dsql has no views yet).
pub static PG_REWRITE: Empty = Empty {
    name: "pg_rewrite",
    oid: 2618,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("rulename", NAME),
        column("ev_class", OID),
        column("ev_type", CHAR),
        column("ev_enabled", CHAR),
        column("is_instead", BOOL),
    ],
};

/// `pg_trigger` (`tgattr`, `tgargs` and `tgqual` left out): DSQL has no triggers.
pub static PG_TRIGGER: Empty = Empty {
    name: "pg_trigger",
    oid: 2620,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("tgrelid", OID),
        column("tgparentid", OID),
        column("tgname", NAME),
        column("tgfoid", OID),
        column("tgtype", DataType::Int2),
        column("tgenabled", CHAR),
        column("tgisinternal", BOOL),
        column("tgconstrrelid", OID),
        column("tgconstrindid", OID),
        column("tgconstraint", OID),
        column("tgdeferrable", BOOL),
        column("tginitdeferred", BOOL),
        column("tgnargs", DataType::Int2),
        nullable("tgoldtable", NAME),
        nullable("tgnewtable", NAME),
    ],
};

/// `pg_publication`: no logical replication.
pub static PG_PUBLICATION: Empty = Empty {
    name: "pg_publication",
    oid: 6104,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("pubname", NAME),
        column("pubowner", OID),
        column("puballtables", BOOL),
        column("pubinsert", BOOL),
        column("pubupdate", BOOL),
        column("pubdelete", BOOL),
        column("pubtruncate", BOOL),
        column("pubviaroot", BOOL),
    ],
};

/// `pg_publication_namespace`
pub static PG_PUBLICATION_NAMESPACE: Empty = Empty {
    name: "pg_publication_namespace",
    oid: 6237,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("pnpubid", OID),
        column("pnnspid", OID),
    ],
};

/// `pg_auth_members`: dsql has no role memberships.
pub static PG_AUTH_MEMBERS: Empty = Empty {
    name: "pg_auth_members",
    oid: 1261,
    kind: SystemKind::Table,
    columns: &[
        column("roleid", OID),
        column("member", OID),
        column("grantor", OID),
        column("admin_option", BOOL),
    ],
};

/// `pg_sequence`: dsql has no sequences yet.
pub static PG_SEQUENCE: Empty = Empty {
    name: "pg_sequence",
    oid: 2224,
    kind: SystemKind::Table,
    columns: &[
        column("seqrelid", OID),
        column("seqtypid", OID),
        column("seqstart", DataType::Int8),
        column("seqincrement", DataType::Int8),
        column("seqmax", DataType::Int8),
        column("seqmin", DataType::Int8),
        column("seqcache", DataType::Int8),
        column("seqcycle", BOOL),
    ],
};

/// `pg_enum`: DSQL has no enum types.
pub static PG_ENUM: Empty = Empty {
    name: "pg_enum",
    oid: 3501,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("enumtypid", OID),
        column("enumsortorder", DataType::Float4),
        column("enumlabel", NAME),
    ],
};

/// `pg_statistic_ext` (`stxexprs` as text): dsql has no extended statistics.
pub static PG_STATISTIC_EXT: Empty = Empty {
    name: "pg_statistic_ext",
    oid: 3381,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("stxrelid", OID),
        column("stxname", NAME),
        column("stxnamespace", OID),
        column("stxowner", OID),
        column("stxstattarget", DataType::Int4),
        column("stxkeys", DataType::Int2Vector),
        column("stxkind", DataType::Array(ElementType::InternalChar)),
        nullable("stxexprs", DataType::Text),
    ],
};

/// `pg_partitioned_table` (`partexprs` as text): DSQL has no partitions.
pub static PG_PARTITIONED_TABLE: Empty = Empty {
    name: "pg_partitioned_table",
    oid: 3350,
    kind: SystemKind::Table,
    columns: &[
        column("partrelid", OID),
        column("partstrat", CHAR),
        column("partnatts", DataType::Int2),
        column("partdefid", OID),
        column("partattrs", DataType::Int2Vector),
        column("partclass", DataType::OidVector),
        column("partcollation", DataType::OidVector),
        nullable("partexprs", DataType::Text),
    ],
};

/// `pg_range`: dsql has no range types.
pub static PG_RANGE: Empty = Empty {
    name: "pg_range",
    oid: 3541,
    kind: SystemKind::Table,
    columns: &[
        column("rngtypid", OID),
        column("rngsubtype", OID),
        column("rngmultitypid", OID),
        column("rngcollation", OID),
        column("rngsubopc", OID),
        column("rngcanonical", DataType::Text),
        column("rngsubdiff", DataType::Text),
    ],
};

/// `pg_depend`: the dependencies PostgreSQL records between objects (a sequence owned by a
/// column, a view on its tables, ...); dsql's objects have none of those kinds.
pub static PG_DEPEND: Empty = Empty {
    name: "pg_depend",
    oid: 2608,
    kind: SystemKind::Table,
    columns: &[
        column("classid", OID),
        column("objid", OID),
        column("objsubid", DataType::Int4),
        column("refclassid", OID),
        column("refobjid", OID),
        column("refobjsubid", DataType::Int4),
        column("deptype", CHAR),
    ],
};

/// `pg_publication_rel` (`prqual` as text): the tables of publications, which DSQL does not
/// have.
pub static PG_PUBLICATION_REL: Empty = Empty {
    name: "pg_publication_rel",
    oid: 6106,
    kind: SystemKind::Table,
    columns: &[
        column("oid", OID),
        column("prpubid", OID),
        column("prrelid", OID),
        nullable("prqual", DataType::Text),
        nullable("prattrs", DataType::Int2Vector),
    ],
};
