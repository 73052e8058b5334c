-- flagforge 1.0: multi-tenant feature flags evaluated in the database.
--
-- Every name below is schema-qualified (pg_catalog or @extschema@) and every
-- operator is written OPERATOR(pg_catalog.x), so that objects planted in a
-- schema on the search_path cannot take over the extension's SQL.

\echo Use "CREATE EXTENSION flagforge" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.flagforge_flags (
    key                text COLLATE "C" PRIMARY KEY
                       CONSTRAINT flagforge_flags_key_length
                       CHECK (pg_catalog.char_length(key) OPERATOR(pg_catalog.>=) 1
                              AND pg_catalog.char_length(key) OPERATOR(pg_catalog.<=) 255),
    name               text NOT NULL,
    description        text NOT NULL DEFAULT '',
    default_enabled    boolean NOT NULL DEFAULT false,
    is_public          boolean NOT NULL DEFAULT false,
    rollout_percentage integer NOT NULL DEFAULT 0
                       CONSTRAINT flagforge_flags_rollout_range
                       CHECK (rollout_percentage OPERATOR(pg_catalog.>=) 0
                              AND rollout_percentage OPERATOR(pg_catalog.<=) 100),
    deprecated         boolean NOT NULL DEFAULT false,
    environments       text[]
                       CONSTRAINT flagforge_flags_environments_list
                       CHECK (COALESCE(pg_catalog.array_ndims(environments), 1) OPERATOR(pg_catalog.=) 1
                              AND pg_catalog.array_position(environments, NULL::text) IS NULL),
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE TABLE @extschema@.flagforge_overrides (
    tenant_id          text COLLATE "C" NOT NULL,
    flag_key           text COLLATE "C" NOT NULL
                       REFERENCES @extschema@.flagforge_flags (key)
                       ON DELETE CASCADE ON UPDATE CASCADE,
    enabled            boolean,
    rollout_percentage integer
                       CONSTRAINT flagforge_overrides_rollout_range
                       CHECK (rollout_percentage OPERATOR(pg_catalog.>=) 0
                              AND rollout_percentage OPERATOR(pg_catalog.<=) 100),
    enabled_for_users  text[] NOT NULL DEFAULT '{}'
                       CONSTRAINT flagforge_overrides_users_list
                       CHECK (COALESCE(pg_catalog.array_ndims(enabled_for_users), 1) OPERATOR(pg_catalog.=) 1
                              AND pg_catalog.array_position(enabled_for_users, NULL::text) IS NULL),
    enabled_for_groups text[] NOT NULL DEFAULT '{}'
                       CONSTRAINT flagforge_overrides_groups_list
                       CHECK (COALESCE(pg_catalog.array_ndims(enabled_for_groups), 1) OPERATOR(pg_catalog.=) 1
                              AND pg_catalog.array_position(enabled_for_groups, NULL::text) IS NULL),
    updated_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_by         text,
    PRIMARY KEY (tenant_id, flag_key)
);

-- Deleting or renaming a flag cascades to its overrides through this index.
CREATE INDEX flagforge_overrides_flag_key_idx
    ON @extschema@.flagforge_overrides (flag_key);

-- pg_dump keeps the rows of extension tables only when asked to.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_flags', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_overrides', '');

-- Flags hold user targeting lists (personal data): closed to PUBLIC.
REVOKE ALL ON @extschema@.flagforge_flags, @extschema@.flagforge_overrides FROM PUBLIC;

COMMENT ON TABLE @extschema@.flagforge_flags IS
    'Feature flag definitions, one row per flag (FlagForge FlagDefinition).';
COMMENT ON COLUMN @extschema@.flagforge_flags.key IS
    'Unique flag key, 1 to 255 characters.';
COMMENT ON COLUMN @extschema@.flagforge_flags.name IS
    'Human-readable name.';
COMMENT ON COLUMN @extschema@.flagforge_flags.description IS
    'Optional description.';
COMMENT ON COLUMN @extschema@.flagforge_flags.default_enabled IS
    'State for tenants without an opinion. A rollout only narrows a flag that is on.';
COMMENT ON COLUMN @extschema@.flagforge_flags.is_public IS
    'Exposed to unauthenticated clients (flagforge_evaluate_all(..., public_only => true)).';
COMMENT ON COLUMN @extschema@.flagforge_flags.rollout_percentage IS
    'Share of users (0-100) that get a default-on flag; 0 and 100 mean everyone.';
COMMENT ON COLUMN @extschema@.flagforge_flags.deprecated IS
    'Marked for removal; still evaluated.';
COMMENT ON COLUMN @extschema@.flagforge_flags.environments IS
    'Environments the flag may be on in; NULL means every environment, {} none.';
COMMENT ON COLUMN @extschema@.flagforge_flags.created_at IS
    'When the flag was created.';
COMMENT ON COLUMN @extschema@.flagforge_flags.updated_at IS
    'When the flag last changed; kept current by a trigger.';

COMMENT ON TABLE @extschema@.flagforge_overrides IS
    'Per-tenant overrides of flag definitions (FlagForge TenantOverride, column tenancy).';
COMMENT ON COLUMN @extschema@.flagforge_overrides.tenant_id IS
    'Tenant the override belongs to.';
COMMENT ON COLUMN @extschema@.flagforge_overrides.flag_key IS
    'Flag overridden; follows the flag on delete and rename.';
COMMENT ON COLUMN @extschema@.flagforge_overrides.enabled IS
    'The tenant''s switch: true, false, or NULL for no opinion (the default decides).';
COMMENT ON COLUMN @extschema@.flagforge_overrides.rollout_percentage IS
    'Rollout applied when enabled is true; NULL counts as 0 (everyone).';
COMMENT ON COLUMN @extschema@.flagforge_overrides.enabled_for_users IS
    'Users that get the flag whatever enabled says.';
COMMENT ON COLUMN @extschema@.flagforge_overrides.enabled_for_groups IS
    'Groups whose members get the flag whatever enabled says.';
COMMENT ON COLUMN @extschema@.flagforge_overrides.updated_at IS
    'When the override last changed; kept current by a trigger.';
COMMENT ON COLUMN @extschema@.flagforge_overrides.updated_by IS
    'Who last changed the override (the DBA functions record current_user by default).';

-- ---------------------------------------------------------------------------
-- Keeping caches fresh
-- ---------------------------------------------------------------------------

-- The triggers signal a change through the relcache invalidation of these
-- two empty relations rather than of the tables, so that the tables' own
-- relcache entries (and every plan using them) survive a flag change.
CREATE TABLE @extschema@.flagforge_signal_definitions ();
CREATE TABLE @extschema@.flagforge_signal_overrides ();
REVOKE ALL ON @extschema@.flagforge_signal_definitions, @extschema@.flagforge_signal_overrides FROM PUBLIC;
COMMENT ON TABLE @extschema@.flagforge_signal_definitions IS
    'Holds nothing: its relcache invalidation tells every session that flag definitions changed.';
COMMENT ON TABLE @extschema@.flagforge_signal_overrides IS
    'Holds nothing: its relcache invalidation tells every session that tenant overrides changed.';

CREATE FUNCTION @extschema@.flagforge_row_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'flagforge_row_changed'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.flagforge_row_changed() IS
    'Trigger: tells every session''s flag cache that the table changed, and keeps updated_at current.';

CREATE FUNCTION @extschema@.flagforge_notify_change()
RETURNS trigger
AS 'MODULE_PATHNAME', 'flagforge_notify_change'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.flagforge_notify_change() IS
    'Trigger: NOTIFY flagforge_changed with {"flag_key", "tenant_id", "operation"}, delivered at commit.';

-- ---------------------------------------------------------------------------
-- Evaluation
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.flagforge_is_enabled(
    flag_key text, tenant text, user_id text DEFAULT NULL,
    groups text[] DEFAULT NULL, environment text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_is_enabled'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_is_enabled(text, text, text, text[], text) IS
    'Is the flag on for this tenant, user, groups and environment? A NULL tenant or environment falls back to flagforge.tenant / flagforge.environment.';

CREATE FUNCTION @extschema@.flagforge_is_enabled(flag_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_is_enabled_from_settings'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_is_enabled(text) IS
    'Is the flag on in the context of the settings flagforge.tenant, flagforge.user_id, flagforge.groups and flagforge.environment?';

CREATE FUNCTION @extschema@.flagforge_evaluate_all(
    tenant text, user_id text DEFAULT NULL, groups text[] DEFAULT NULL,
    environment text DEFAULT NULL, public_only boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_evaluate_all'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_evaluate_all(text, text, text[], text, boolean) IS
    'Every flag (only is_public ones when public_only) as {"key": true|false, ...}.';

CREATE FUNCTION @extschema@.flagforge_evaluate_all()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_evaluate_all_from_settings'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_evaluate_all() IS
    'Every flag in the context of the flagforge.* settings, as {"key": true|false, ...}.';

CREATE FUNCTION @extschema@.flagforge_evaluate_many(
    flag_keys text[], tenant text, user_id text DEFAULT NULL,
    groups text[] DEFAULT NULL, environment text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_evaluate_many'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_evaluate_many(text[], text, text, text[], text) IS
    'The named flags as {"key": true|false, ...}; unknown keys are present and false.';

CREATE FUNCTION @extschema@.flagforge_bucket(tenant text, flag_key text, user_id text)
RETURNS integer
AS 'MODULE_PATHNAME', 'flagforge_bucket'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_bucket(text, text, text) IS
    'Rollout bucket 0-99: MurmurHash3 (x86, 32-bit, seed 0) of tenant:flag_key:user_id mod 100, as Python mmh3.hash(s, signed=False) % 100.';

CREATE FUNCTION @extschema@.flagforge_explain(
    flag_key text, tenant text, user_id text DEFAULT NULL,
    groups text[] DEFAULT NULL, environment text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_explain'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_explain(text, text, text, text[], text) IS
    'Why a flag has its value: {"value", "reason" (OpenFeature: STATIC, DEFAULT, TARGETING_MATCH, SPLIT, DISABLED, ERROR), "step", "detail", "tenant", "bucket" when a rollout decided, "error_code" FLAG_NOT_FOUND for unknown keys}.';

CREATE FUNCTION @extschema@.flagforge_explain(flag_key text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_explain_from_settings'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_explain(text) IS
    'flagforge_explain in the context of the flagforge.* settings: why flagforge_is_enabled(flag_key) answers as it does.';

CREATE FUNCTION @extschema@.flagforge_status()
RETURNS TABLE (key text, name text, value boolean, reason text, deprecated boolean, is_public boolean)
AS 'MODULE_PATHNAME', 'flagforge_status_from_settings'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_status() IS
    'flagforge_status in the context of the flagforge.* settings.';

CREATE FUNCTION @extschema@.flagforge_status(
    tenant text, user_id text DEFAULT NULL,
    groups text[] DEFAULT NULL, environment text DEFAULT NULL)
RETURNS TABLE (key text, name text, value boolean, reason text, deprecated boolean, is_public boolean)
AS 'MODULE_PATHNAME', 'flagforge_status'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_status(text, text, text[], text) IS
    'Every flag for a tenant and user, by key: its name, value, OpenFeature reason, deprecated and is_public (what `flagforge status` shows).';

CREATE FUNCTION @extschema@.flagforge_version()
RETURNS text
AS 'MODULE_PATHNAME', 'flagforge_version'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_version() IS
    'Version of the loaded flagforge library.';

CREATE FUNCTION @extschema@.flagforge_cache_stats(
    OUT flags integer, OUT flag_bytes bigint, OUT tenants integer,
    OUT tenant_bytes bigint, OUT memory_limit_bytes bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'flagforge_cache_stats'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_cache_stats() IS
    'What this backend''s flag cache holds: flags and tenants cached and the bytes they take, and the flagforge.cache_memory_limit bound.';

-- ---------------------------------------------------------------------------
-- DBA functions
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.flagforge_enable(flag_key text, tenant text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_enable'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_enable(text, text) IS
    'Switch the flag on for the tenant (sets the override''s enabled to true).';

CREATE FUNCTION @extschema@.flagforge_disable(flag_key text, tenant text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_disable'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_disable(text, text) IS
    'Switch the flag off for the tenant (sets the override''s enabled to false); targeted users and groups still get it.';

CREATE FUNCTION @extschema@.flagforge_set_override(
    flag_key text, tenant text DEFAULT NULL, enabled boolean DEFAULT NULL,
    rollout_percentage integer DEFAULT NULL, enabled_for_users text[] DEFAULT NULL,
    enabled_for_groups text[] DEFAULT NULL, updated_by text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_set_override'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_set_override(text, text, boolean, integer, text[], text[], text) IS
    'Create or update a tenant override; a NULL argument leaves that field as it is (a new override starts with no opinion and empty lists).';

CREATE FUNCTION @extschema@.flagforge_clear_override(flag_key text, tenant text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_clear_override'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_clear_override(text, text) IS
    'Delete the tenant''s override of the flag; true if there was one.';

-- ---------------------------------------------------------------------------
-- YAML import and export (the FlagForge flag file)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.flagforge_import_yaml(
    document text, prune boolean DEFAULT false, dry_run boolean DEFAULT false)
RETURNS TABLE (flag_key text, action text)
AS 'MODULE_PATHNAME', 'flagforge_import_yaml'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.flagforge_export_yaml(include_overrides boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'flagforge_export_yaml'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION @extschema@.flagforge_export_yaml(boolean) IS
    'Every flag (and with include_overrides, every override of flagforge_overrides) as a FlagForge YAML document, by key; importing it changes nothing.';

COMMENT ON FUNCTION @extschema@.flagforge_import_yaml(text, boolean, boolean) IS
    'Sync flags (and optional tenant overrides) from a FlagForge YAML document, all or nothing: one row per flag with action created, updated, unchanged or (with prune) deleted. dry_run reports without writing.';

-- ---------------------------------------------------------------------------
-- Audit trail
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.flagforge_audit (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    actor      text NOT NULL,
    app_actor  text,
    action     text NOT NULL
               CONSTRAINT flagforge_audit_action
               CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'])),
    table_name text NOT NULL,
    flag_key   text,
    tenant_id  text,
    old_row    jsonb,
    new_row    jsonb
);
-- No unique key on id: a restore (pg_restore fires the extension's triggers
-- while it loads rows) must never fail on the trail.
CREATE INDEX flagforge_audit_changed_at_idx ON @extschema@.flagforge_audit (changed_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_audit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_audit_id_seq', '');
REVOKE ALL ON @extschema@.flagforge_audit FROM PUBLIC;

COMMENT ON TABLE @extschema@.flagforge_audit IS
    'Every change to flags, overrides and tenant tables, written in the same transaction by a trigger; readable by administrators only.';
COMMENT ON COLUMN @extschema@.flagforge_audit.id IS 'Order of the changes.';
COMMENT ON COLUMN @extschema@.flagforge_audit.changed_at IS 'Start of the transaction that made the change.';
COMMENT ON COLUMN @extschema@.flagforge_audit.actor IS 'The database role that made the change (current_user).';
COMMENT ON COLUMN @extschema@.flagforge_audit.app_actor IS 'The setting flagforge.actor at the time, when set (the application''s user).';
COMMENT ON COLUMN @extschema@.flagforge_audit.action IS 'INSERT, UPDATE, DELETE or TRUNCATE.';
COMMENT ON COLUMN @extschema@.flagforge_audit.table_name IS 'The table changed (schema-qualified).';
COMMENT ON COLUMN @extschema@.flagforge_audit.flag_key IS 'The flag concerned.';
COMMENT ON COLUMN @extschema@.flagforge_audit.tenant_id IS 'The tenant concerned (a tenant schema''s name for its table), NULL for definitions.';
COMMENT ON COLUMN @extschema@.flagforge_audit.old_row IS 'The row before the change, as jsonb.';
COMMENT ON COLUMN @extschema@.flagforge_audit.new_row IS 'The row after the change, as jsonb.';

CREATE FUNCTION @extschema@.flagforge_audit_row()
RETURNS trigger
AS 'MODULE_PATHNAME', 'flagforge_audit_row'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.flagforge_audit_row() IS
    'Trigger: records a change in flagforge_audit (written with the extension owner''s rights, actor = the changing role).';

CREATE FUNCTION @extschema@.flagforge_prune_audit(older_than interval)
RETURNS bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM @extschema@.flagforge_audit a
        WHERE a.changed_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) older_than)
        RETURNING 1)
    SELECT pg_catalog.count(*) FROM gone
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_prune_audit(interval) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_prune_audit(interval) IS
    'Delete audit rows older than the interval; returns how many. Needs DELETE on flagforge_audit.';

-- ---------------------------------------------------------------------------
-- Schema-per-tenant
-- ---------------------------------------------------------------------------

-- Only tables listed here are tenant override tables: a look-alike table in
-- some schema is ignored, or anyone could switch flags on for themselves.
CREATE TABLE @extschema@.flagforge_tenant_tables (
    table_oid     regclass PRIMARY KEY,
    has_tenant_id boolean NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_tenant_tables', '');
REVOKE ALL ON @extschema@.flagforge_tenant_tables FROM PUBLIC;

COMMENT ON TABLE @extschema@.flagforge_tenant_tables IS
    'Registry of tenant schemas'' flagforge_overrides tables (made by flagforge_create_tenant_schema); only these are read through search_path.';
COMMENT ON COLUMN @extschema@.flagforge_tenant_tables.table_oid IS
    'The tenant schema''s override table.';
COMMENT ON COLUMN @extschema@.flagforge_tenant_tables.has_tenant_id IS
    'The table has a tenant_id column (FlagForge "schema" mode) and its rows are filtered by tenant.';
COMMENT ON COLUMN @extschema@.flagforge_tenant_tables.registered_at IS
    'When the table was registered.';

-- ---------------------------------------------------------------------------
-- The triggers of every flagforge table
-- ---------------------------------------------------------------------------

-- Cache invalidation (and updated_at), change notifications and the audit
-- trail.  The first two are ENABLE ALWAYS so that logical replication's
-- apply worker keeps subscribers' caches fresh and notifies their listeners;
-- the audit stays with the database where changes are made.
CREATE FUNCTION @extschema@.flagforge_attach_triggers(
    target regclass, prefix text, notify_and_audit boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    row_events constant text := 'INSERT OR UPDATE OR DELETE';
BEGIN
    EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_row_changed()',
                              prefix OPERATOR(pg_catalog.||) '_row_changed', row_events, target);
    EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_row_changed()',
                              prefix OPERATOR(pg_catalog.||) '_truncated', target);
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', target, prefix OPERATOR(pg_catalog.||) '_row_changed');
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', target, prefix OPERATOR(pg_catalog.||) '_truncated');
    IF NOT notify_and_audit THEN
        RETURN;
    END IF;
    EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_notify_change()',
                              prefix OPERATOR(pg_catalog.||) '_notify', row_events, target);
    EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_notify_change()',
                              prefix OPERATOR(pg_catalog.||) '_notify_truncate', target);
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', target, prefix OPERATOR(pg_catalog.||) '_notify');
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', target, prefix OPERATOR(pg_catalog.||) '_notify_truncate');
    EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_audit_row()',
                              prefix OPERATOR(pg_catalog.||) '_audit', row_events, target);
    EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_audit_row()',
                              prefix OPERATOR(pg_catalog.||) '_audit_truncate', target);
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_attach_triggers(regclass, text, boolean) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_attach_triggers(regclass, text, boolean) IS
    'Internal: creates the cache, notification and audit triggers of a flagforge table (also of tenant schemas'' tables).';

SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_flags', 'flagforge_flags', true);
SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_overrides', 'flagforge_overrides', true);
SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_tenant_tables', 'flagforge_tenant_tables', false);

CREATE FUNCTION @extschema@.flagforge_create_tenant_schema(
    schema_name text, with_tenant_id boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    target regclass;
    tenant_column text := CASE WHEN with_tenant_id
        THEN 'tenant_id text COLLATE "C" NOT NULL, ' ELSE '' END;
    key_columns text := CASE WHEN with_tenant_id THEN 'tenant_id, flag_key' ELSE 'flag_key' END;
BEGIN
    IF schema_name IS NULL OR schema_name OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_schema_name',
            MESSAGE = 'schema_name must be a non-empty name';
    END IF;
    IF pg_catalog.octet_length(schema_name) OPERATOR(pg_catalog.>) 63 THEN
        RAISE EXCEPTION USING ERRCODE = 'name_too_long',
            MESSAGE = pg_catalog.format('schema_name is %s bytes long, PostgreSQL names are at most 63',
                                        pg_catalog.octet_length(schema_name)),
            HINT = 'Use a shorter schema name; PostgreSQL would silently truncate it.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n
                   WHERE n.nspname OPERATOR(pg_catalog.=) schema_name) THEN
        EXECUTE pg_catalog.format('CREATE SCHEMA %I', schema_name);
    END IF;
    target := pg_catalog.to_regclass(pg_catalog.format('%I.flagforge_overrides', schema_name));
    IF target IS NOT NULL THEN
        IF EXISTS (SELECT FROM @extschema@.flagforge_tenant_tables t
                   WHERE t.table_oid OPERATOR(pg_catalog.=) target) THEN
            RETURN target;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'duplicate_table',
            MESSAGE = pg_catalog.format('table %s exists but is not a registered tenant table', target),
            HINT = 'Rename or drop it first: flagforge only reads tenant tables it created.';
    END IF;
    EXECUTE pg_catalog.format($sql$
        CREATE TABLE %1$I.flagforge_overrides (
            %2$s
            flag_key           text COLLATE "C" NOT NULL
                               REFERENCES %3$s.flagforge_flags (key)
                               ON DELETE CASCADE ON UPDATE CASCADE,
            enabled            boolean,
            rollout_percentage integer
                               CONSTRAINT flagforge_overrides_rollout_range
                               CHECK (rollout_percentage OPERATOR(pg_catalog.>=) 0
                                      AND rollout_percentage OPERATOR(pg_catalog.<=) 100),
            enabled_for_users  text[] NOT NULL DEFAULT '{}'
                               CONSTRAINT flagforge_overrides_users_list
                               CHECK (COALESCE(pg_catalog.array_ndims(enabled_for_users), 1) OPERATOR(pg_catalog.=) 1
                                      AND pg_catalog.array_position(enabled_for_users, NULL::text) IS NULL),
            enabled_for_groups text[] NOT NULL DEFAULT '{}'
                               CONSTRAINT flagforge_overrides_groups_list
                               CHECK (COALESCE(pg_catalog.array_ndims(enabled_for_groups), 1) OPERATOR(pg_catalog.=) 1
                                      AND pg_catalog.array_position(enabled_for_groups, NULL::text) IS NULL),
            updated_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
            updated_by         text,
            PRIMARY KEY (%4$s)
        )$sql$, schema_name, tenant_column, '@extschema@', key_columns);
    target := pg_catalog.format('%I.flagforge_overrides', schema_name)::regclass;
    EXECUTE pg_catalog.format('CREATE INDEX ON %s (flag_key)', target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    PERFORM @extschema@.flagforge_attach_triggers(target, 'flagforge_overrides', true);
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
        'Tenant overrides of schema ' OPERATOR(pg_catalog.||) schema_name OPERATOR(pg_catalog.||)
        ' (flagforge schema-per-tenant); registered in flagforge_tenant_tables.');
    INSERT INTO @extschema@.flagforge_tenant_tables (table_oid, has_tenant_id)
    VALUES (target, with_tenant_id);
    RETURN target;
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_create_tenant_schema(text, boolean) IS
    'Create the schema if missing and a registered flagforge_overrides table in it (without tenant_id unless with_tenant_id), for schema-per-tenant apps that switch search_path.';

-- Forget tenant tables that are dropped (also by DROP SCHEMA ... CASCADE),
-- so that a new table that happens to reuse the OID is never trusted.
CREATE FUNCTION @extschema@.flagforge_forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF pg_catalog.to_regclass('@extschema@.flagforge_tenant_tables') IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM @extschema@.flagforge_tenant_tables t
    USING pg_catalog.pg_event_trigger_dropped_objects() d
    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.objid OPERATOR(pg_catalog.=) t.table_oid::pg_catalog.oid;
END
$fn$;
REVOKE ALL ON FUNCTION @extschema@.flagforge_forget_dropped_tables() FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_forget_dropped_tables() IS
    'Event trigger: removes dropped tenant tables from flagforge_tenant_tables.';

CREATE EVENT TRIGGER flagforge_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION @extschema@.flagforge_forget_dropped_tables();

COMMENT ON EVENT TRIGGER flagforge_forget_dropped_tables IS
    'Removes dropped tenant tables from flagforge_tenant_tables, so that a new table reusing an OID is never trusted.';

-- ---------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------

-- Evaluation is open to every role (it needs no privilege on the tables and
-- returns only answers).  Changing flags is for roles an administrator
-- grants: see "Privileges" in the README.
REVOKE EXECUTE ON FUNCTION
    @extschema@.flagforge_enable(text, text),
    @extschema@.flagforge_disable(text, text),
    @extschema@.flagforge_set_override(text, text, boolean, integer, text[], text[], text),
    @extschema@.flagforge_clear_override(text, text),
    @extschema@.flagforge_import_yaml(text, boolean, boolean),
    @extschema@.flagforge_create_tenant_schema(text, boolean),
    @extschema@.flagforge_cache_stats()
FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Migration from the FlagForge Python library (Django app tables)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.flagforge_import_django(
    source_schema text DEFAULT 'public', include_tenant_schemas boolean DEFAULT true)
RETURNS TABLE (source_table text, rows_imported bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    definitions regclass := pg_catalog.to_regclass(pg_catalog.format('%I.feature_flag_definition', source_schema));
    tenant_flags regclass := pg_catalog.to_regclass(pg_catalog.format('%I.tenant_feature_flag', source_schema));
    tenant_table record;
    target regclass;
    n bigint;
BEGIN
    IF source_schema IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed', MESSAGE = 'source_schema must not be NULL';
    END IF;
    IF definitions IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_table',
            MESSAGE = pg_catalog.format('table %I.feature_flag_definition does not exist', source_schema),
            HINT = 'Pass the schema that holds the FlagForge Django app''s tables (python manage.py migrate creates them).';
    END IF;

    -- Rows are read as jsonb so that optional columns of any app version are tolerated.
    CREATE TEMP TABLE flagforge_django_definitions (id text, j jsonb) ON COMMIT DROP;
    EXECUTE pg_catalog.format('INSERT INTO pg_temp.flagforge_django_definitions
        SELECT pg_catalog.to_jsonb(d) ->> ''id'', pg_catalog.to_jsonb(d) FROM %s d', definitions);

    INSERT INTO @extschema@.flagforge_flags AS f
        (key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments)
    SELECT j ->> 'key',
           COALESCE(j ->> 'name', j ->> 'key'),
           COALESCE(j ->> 'description', ''),
           COALESCE((j ->> 'default_enabled')::boolean, false),
           COALESCE((j ->> 'is_public')::boolean, false),
           COALESCE((j ->> 'rollout_percentage')::integer, 0),
           COALESCE((j ->> 'deprecated')::boolean, false),
           CASE WHEN pg_catalog.jsonb_typeof(j -> 'environments') = 'array'
                THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(j -> 'environments'))
                WHEN pg_catalog.jsonb_typeof(j -> 'environments') = 'string'
                THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text((j ->> 'environments')::jsonb)) END
    FROM pg_temp.flagforge_django_definitions
    ON CONFLICT (key) DO UPDATE SET
        name = EXCLUDED.name, description = EXCLUDED.description,
        default_enabled = EXCLUDED.default_enabled, is_public = EXCLUDED.is_public,
        rollout_percentage = EXCLUDED.rollout_percentage, deprecated = EXCLUDED.deprecated,
        environments = EXCLUDED.environments
    WHERE (f.name, f.description, f.default_enabled, f.is_public, f.rollout_percentage, f.deprecated, f.environments)
          IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.description, EXCLUDED.default_enabled, EXCLUDED.is_public,
           EXCLUDED.rollout_percentage, EXCLUDED.deprecated, EXCLUDED.environments);
    SELECT pg_catalog.count(*) INTO n FROM pg_temp.flagforge_django_definitions;
    source_table := definitions::text; rows_imported := n; RETURN NEXT;

    IF tenant_flags IS NOT NULL THEN
        PERFORM @extschema@.flagforge_django_copy_overrides(tenant_flags, NULL, '@extschema@.flagforge_overrides');
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', tenant_flags) INTO n;
        source_table := tenant_flags::text; rows_imported := n; RETURN NEXT;
    END IF;

    IF include_tenant_schemas THEN
        FOR tenant_table IN
            SELECT c.oid::regclass AS rel, n2.nspname AS schema_name
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n2 ON n2.oid = c.relnamespace
            WHERE c.relname = 'tenant_flag_override' AND c.relkind IN ('r', 'p')
            ORDER BY n2.nspname
        LOOP
            target := @extschema@.flagforge_create_tenant_schema(tenant_table.schema_name);
            PERFORM @extschema@.flagforge_django_copy_overrides(tenant_table.rel, tenant_table.schema_name, target::text);
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', tenant_table.rel) INTO n;
            source_table := tenant_table.rel::text; rows_imported := n; RETURN NEXT;
        END LOOP;
    END IF;
    DROP TABLE pg_temp.flagforge_django_definitions;
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_import_django(text, boolean) IS
    'Copy the FlagForge Django app''s tables (feature_flag_definition, tenant_feature_flag with key_id and JSON lists, and tenant_flag_override in tenant schemas for hybrid mode) into flagforge: all or nothing, idempotent.';

CREATE FUNCTION @extschema@.flagforge_django_copy_overrides(
    source regclass, tenant_schema text, target text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$s AS o (%2$s flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups, updated_by)
        SELECT %3$s d.j ->> 'key', (t.j ->> 'enabled')::boolean, (t.j ->> 'rollout_percentage')::integer,
               @extschema@.flagforge_django_list(t.j -> 'enabled_for_users'),
               @extschema@.flagforge_django_list(t.j -> 'enabled_for_groups'),
               'flagforge_import_django'
        FROM (SELECT pg_catalog.to_jsonb(r) AS j FROM %4$s r) t
        JOIN pg_temp.flagforge_django_definitions d ON d.id = COALESCE(t.j ->> 'key_id', t.j ->> 'definition_id', t.j ->> 'flag_id')
        ON CONFLICT (%2$s flag_key) DO UPDATE SET
            enabled = EXCLUDED.enabled, rollout_percentage = EXCLUDED.rollout_percentage,
            enabled_for_users = EXCLUDED.enabled_for_users, enabled_for_groups = EXCLUDED.enabled_for_groups
        WHERE (o.enabled, o.rollout_percentage, o.enabled_for_users, o.enabled_for_groups)
              IS DISTINCT FROM (EXCLUDED.enabled, EXCLUDED.rollout_percentage,
                                EXCLUDED.enabled_for_users, EXCLUDED.enabled_for_groups)$sql$,
        target,
        CASE WHEN tenant_schema IS NULL THEN 'tenant_id,' ELSE '' END,
        CASE WHEN tenant_schema IS NULL THEN $$t.j ->> 'tenant_id',$$ ELSE '' END,
        source);
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_django_copy_overrides(regclass, text, text) IS
    'Helper of flagforge_import_django: copies one Django override table into a flagforge override table.';

CREATE FUNCTION @extschema@.flagforge_django_list(value jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE pg_catalog.jsonb_typeof(value)
        WHEN 'array' THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(value))
        WHEN 'string' THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text((value #>> '{}')::jsonb))
        ELSE '{}'::text[] END
$$;

COMMENT ON FUNCTION @extschema@.flagforge_django_list(jsonb) IS
    'Helper of flagforge_import_django: a Django JSONField list (or its text) as text[].';

REVOKE EXECUTE ON FUNCTION
    @extschema@.flagforge_import_django(text, boolean),
    @extschema@.flagforge_django_copy_overrides(regclass, text, text)
FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Tenant-scoped roles (optional row-level security in column tenancy)
-- ---------------------------------------------------------------------------

-- Roles listed here may only see and change their tenant's overrides once
-- flagforge_enable_tenant_security() has run.  tenant_id NULL binds the role
-- to the tenant in flagforge.tenant (only safe when the role cannot choose
-- its own settings, e.g. behind an application that sets it).
CREATE TABLE @extschema@.flagforge_tenant_roles (
    role_name name NOT NULL,
    tenant_id text COLLATE "C",
    UNIQUE NULLS NOT DISTINCT (role_name, tenant_id)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_tenant_roles', '');
REVOKE ALL ON @extschema@.flagforge_tenant_roles FROM PUBLIC;

COMMENT ON TABLE @extschema@.flagforge_tenant_roles IS
    'Roles bound to tenants: with flagforge_enable_tenant_security(), such a role reads and changes only its tenants'' overrides.';
COMMENT ON COLUMN @extschema@.flagforge_tenant_roles.role_name IS 'The role (as in current_user).';
COMMENT ON COLUMN @extschema@.flagforge_tenant_roles.tenant_id IS 'A tenant it may manage; NULL: the tenant in the setting flagforge.tenant.';

CREATE FUNCTION @extschema@.flagforge_tenant_allowed(tenant text, role_name name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT NOT EXISTS (SELECT FROM @extschema@.flagforge_tenant_roles r
                       WHERE r.role_name OPERATOR(pg_catalog.=) flagforge_tenant_allowed.role_name)
        OR EXISTS (SELECT FROM @extschema@.flagforge_tenant_roles r
                   WHERE r.role_name OPERATOR(pg_catalog.=) flagforge_tenant_allowed.role_name
                     AND (r.tenant_id OPERATOR(pg_catalog.=) tenant
                          OR (r.tenant_id IS NULL
                              AND tenant OPERATOR(pg_catalog.=)
                                  pg_catalog.current_setting('flagforge.tenant', true))))
$$;

COMMENT ON FUNCTION @extschema@.flagforge_tenant_allowed(text, name) IS
    'Row-level security predicate: true unless the role (the policy passes current_user) is bound to other tenants in flagforge_tenant_roles.';

CREATE FUNCTION @extschema@.flagforge_enable_tenant_security()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    ALTER TABLE @extschema@.flagforge_overrides ENABLE ROW LEVEL SECURITY;
    DROP POLICY IF EXISTS flagforge_tenant_scoped ON @extschema@.flagforge_overrides;
    CREATE POLICY flagforge_tenant_scoped ON @extschema@.flagforge_overrides
        USING (@extschema@.flagforge_tenant_allowed(tenant_id, CURRENT_USER))
        WITH CHECK (@extschema@.flagforge_tenant_allowed(tenant_id, CURRENT_USER));
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_enable_tenant_security() IS
    'Enable row-level security on flagforge_overrides so that roles in flagforge_tenant_roles see and change only their tenants (evaluation is not affected).';

CREATE FUNCTION @extschema@.flagforge_disable_tenant_security()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    DROP POLICY IF EXISTS flagforge_tenant_scoped ON @extschema@.flagforge_overrides;
    ALTER TABLE @extschema@.flagforge_overrides DISABLE ROW LEVEL SECURITY;
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_disable_tenant_security() IS
    'Undo flagforge_enable_tenant_security().';

REVOKE EXECUTE ON FUNCTION
    @extschema@.flagforge_enable_tenant_security(),
    @extschema@.flagforge_disable_tenant_security()
FROM PUBLIC;
