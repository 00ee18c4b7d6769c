//! Small builders shared by the migration files, so every table spells its
//! keys, timestamps and constraints the same way on PostgreSQL and SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A `timestamp with time zone` column (text holding RFC 3339 on SQLite).
///
/// No database default: the application writes every timestamp, so SQLite
/// rows never mix `CURRENT_TIMESTAMP`'s format with the driver's, which
/// would break newest-first ordering on that engine.
pub fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

/// A nullable `timestamp with time zone` column.
pub fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().take()
}

/// A UUID primary key column.
pub fn pk_uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().primary_key().take()
}

/// A non-null UUID column (a reference to another row).
pub fn uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().take()
}

/// A nullable UUID column.
pub fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().take()
}

/// A short non-null string (status, kind, role, provider …).
pub fn short(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(32).not_null().take()
}

/// A non-null string of the default length.
pub fn string(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().take()
}

/// A nullable string of the default length.
pub fn string_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().take()
}

/// A non-null unbounded text column.
pub fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().take()
}

/// A nullable unbounded text column.
pub fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().null().take()
}

/// A non-null JSON column: `jsonb` on PostgreSQL, text on SQLite.
pub fn json(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).json_binary().not_null().take()
}

/// A nullable JSON column: `jsonb` on PostgreSQL, text on SQLite.
pub fn json_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).json_binary().null().take()
}

/// A non-null binary column: `bytea` on PostgreSQL, `blob` on SQLite.
pub fn bytes(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).blob().not_null().take()
}

/// A nullable binary column.
pub fn bytes_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).blob().null().take()
}

/// A non-null 32-bit integer column.
pub fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().take()
}

/// A non-null 64-bit integer column (money in minor units, counters, credits).
pub fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().take()
}

/// A non-null boolean column.
pub fn boolean(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).boolean().not_null().take()
}

/// A foreign key, declared inside `CREATE TABLE` because SQLite cannot add
/// one later.
pub fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .take()
}

/// A named CHECK that `col` holds one of `values`.
pub fn check_in(name: &'static str, col: impl IntoIden, values: &[&str]) -> Check {
    Check::named(
        name,
        Expr::col(col).is_in(values.iter().map(|v| (*v).to_owned())),
    )
}

/// A named CHECK that `col >= 0`.
pub fn check_non_negative(name: &'static str, col: impl IntoIden) -> Check {
    Check::named(name, Expr::col(col).gte(0))
}

/// A named CHECK that `col`, when present, is exactly `len` characters long.
pub fn check_len(name: &'static str, col: impl IntoIden, len: i32) -> Check {
    let col = col.into_iden();
    Check::named(
        name,
        Expr::col(col.clone())
            .is_null()
            .or(Func::char_length(Expr::col(col)).eq(len)),
    )
}

/// A named index over `cols` of `table`.
pub fn index<T, C, I>(name: &str, table: T, cols: I) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
{
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    stmt.take()
}

/// A named unique index over `cols` of `table`.
///
/// Unique indexes rather than table constraints: SQLite cannot add a
/// constraint to an existing table, but it can add an index, so a later
/// change stays a one-liner on both engines. `ON CONFLICT (cols)` works with
/// either on both engines.
pub fn unique<T, C, I>(name: &str, table: T, cols: I) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
{
    let mut stmt = index(name, table, cols);
    stmt.unique();
    stmt
}

/// Extracts an integer field from a JSON column, in the dialect of `backend`,
/// for use inside a CHECK.
pub fn json_int(backend: DbBackend, col: &str, field: &str) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!("(({col} ->> '{field}')::integer)")),
        _ => Expr::cust(format!("json_extract({col}, '$.{field}')")),
    }
}

/// Drops each table in order (callers list them children first).
pub async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).if_exists().to_owned())
            .await?;
    }
    Ok(())
}

/// Turns a malformed seed statement into a migration error instead of a panic.
pub fn seed_error(err: sea_orm_migration::sea_query::error::Error) -> DbErr {
    DbErr::Migration(format!("seed statement: {err}"))
}

/// Adds one Casbin policy row `(ptype, role, tenant, resource, action,
/// scope, -)`, as later migrations do when a new resource needs a rule.
pub async fn add_policy(manager: &SchemaManager<'_>, row: [&str; 7]) -> Result<(), DbErr> {
    use crate::m20250101_000008_create_casbin_rules::CasbinRule as C;
    let mut insert = Query::insert();
    insert
        .into_table(C::Table)
        .columns([C::Ptype, C::V0, C::V1, C::V2, C::V3, C::V4, C::V5])
        .values(row.map(Into::into))
        .map_err(seed_error)?;
    manager.execute(insert).await
}

/// Removes the policy row [`add_policy`] added (matched on its first six
/// fields).
pub async fn remove_policy(manager: &SchemaManager<'_>, row: [&str; 7]) -> Result<(), DbErr> {
    use crate::m20250101_000008_create_casbin_rules::CasbinRule as C;
    let [ptype, role, tenant, resource, action, scope, _] = row;
    let delete = Query::delete()
        .from_table(C::Table)
        .and_where(Expr::col(C::Ptype).eq(ptype))
        .and_where(Expr::col(C::V0).eq(role))
        .and_where(Expr::col(C::V1).eq(tenant))
        .and_where(Expr::col(C::V2).eq(resource))
        .and_where(Expr::col(C::V3).eq(action))
        .and_where(Expr::col(C::V4).eq(scope))
        .to_owned();
    manager.execute(delete).await
}
