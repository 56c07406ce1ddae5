"""Database triggers that make the audit table append-only: UPDATE is always refused, DELETE (and on
PostgreSQL TRUNCATE) only while the transaction holds a purge permit (a row of `audit_purgepermit` that
covers the event's id; see `services.purge_expired` and the `flush` command). Installed by a migration and
again after every `migrate` (a SQLite table rebuild drops a table's triggers); `fanguai audit verify`
reports missing ones."""

# ruff: noqa: S608 - the SQL below is built from the constants of this module only
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
PERMIT_TABLE = "audit_purgepermit"
# A permit that covers every id: only the `flush` command (tests, a deliberate wipe of the whole database).
EVERYTHING = 9_223_372_036_854_775_807
REFUSAL = "audit events are append-only"

SQLITE_TRIGGERS = {
    "audit_auditevent_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE refused'); END""",
    "audit_auditevent_no_delete": f"""
        CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
        WHEN NOT EXISTS (SELECT 1 FROM {PERMIT_TABLE} WHERE through_id >= OLD.id)
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE refused (retention: fanguai audit purge)'); END""",
}

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM {PERMIT_TABLE} WHERE through_id >= OLD.id) THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND EXISTS (SELECT 1 FROM {PERMIT_TABLE} WHERE through_id >= {EVERYTHING}) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{REFUSAL}: % refused (retention: fanguai audit purge)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$"""
POSTGRESQL_TRIGGERS = {
    "audit_auditevent_no_update": "BEFORE UPDATE ON {table} FOR EACH ROW",
    "audit_auditevent_no_delete": "BEFORE DELETE ON {table} FOR EACH ROW",
    "audit_auditevent_no_truncate": "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT",
}


def expected(connection: BaseDatabaseWrapper) -> list[str]:
    if connection.vendor == "sqlite":
        return list(SQLITE_TRIGGERS)
    if connection.vendor == "postgresql":
        return list(POSTGRESQL_TRIGGERS)
    return []


def present(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal "
                "AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    found = present(connection)
    return [name for name in expected(connection) if name not in found]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers that are missing (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            absent = missing(connection)
            for name, when in POSTGRESQL_TRIGGERS.items():
                if name in absent:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")  # a disabled one
                    cursor.execute(
                        f"CREATE TRIGGER {name} {when.format(table=TABLE)} "
                        "EXECUTE FUNCTION audit_auditevent_append_only()"
                    )


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in expected(connection):
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS audit_auditevent_append_only()")
