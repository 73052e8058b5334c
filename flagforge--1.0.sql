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

CREATE FUNCTION @extschema@.flagforge_row_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'flagforge_row_changed'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.flagforge_row_changed() IS
    'Trigger: tells every session''s flag cache that the table changed, and keeps updated_at current.';

CREATE TRIGGER flagforge_flags_row_changed
    BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.flagforge_flags
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_row_changed();
CREATE TRIGGER flagforge_flags_truncated
    AFTER TRUNCATE ON @extschema@.flagforge_flags
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_row_changed();
CREATE TRIGGER flagforge_overrides_row_changed
    BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.flagforge_overrides
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_row_changed();
CREATE TRIGGER flagforge_overrides_truncated
    AFTER TRUNCATE ON @extschema@.flagforge_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_row_changed();

-- Fire in logical replication's apply worker too, so subscribers stay fresh.
ALTER TABLE @extschema@.flagforge_flags ENABLE ALWAYS TRIGGER flagforge_flags_row_changed;
ALTER TABLE @extschema@.flagforge_flags ENABLE ALWAYS TRIGGER flagforge_flags_truncated;
ALTER TABLE @extschema@.flagforge_overrides ENABLE ALWAYS TRIGGER flagforge_overrides_row_changed;
ALTER TABLE @extschema@.flagforge_overrides ENABLE ALWAYS TRIGGER flagforge_overrides_truncated;

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

CREATE FUNCTION @extschema@.flagforge_enable(flag_key text, tenant text)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_enable'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_enable(text, text) IS
    'Switch the flag on for the tenant (sets the override''s enabled to true).';

CREATE FUNCTION @extschema@.flagforge_disable(flag_key text, tenant text)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_disable'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_disable(text, text) IS
    'Switch the flag off for the tenant (sets the override''s enabled to false); targeted users and groups still get it.';

CREATE FUNCTION @extschema@.flagforge_set_override(
    flag_key text, tenant text, enabled boolean DEFAULT NULL,
    rollout_percentage integer DEFAULT NULL, enabled_for_users text[] DEFAULT NULL,
    enabled_for_groups text[] DEFAULT NULL, updated_by text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'flagforge_set_override'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_set_override(text, text, boolean, integer, text[], text[], text) IS
    'Create or update a tenant override; a NULL argument leaves that field as it is (a new override starts with no opinion and empty lists).';

CREATE FUNCTION @extschema@.flagforge_clear_override(flag_key text, tenant text)
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

COMMENT ON FUNCTION @extschema@.flagforge_import_yaml(text, boolean, boolean) IS
    'Sync flags (and optional tenant overrides) from a FlagForge YAML document, all or nothing: one row per flag with action created, updated, unchanged or (with prune) deleted. dry_run reports without writing.';
