-- flagforge 1.0 -> 1.1: the security and reliability repair (issue 10).
--
-- Every name is schema-qualified and every operator written
-- OPERATOR(pg_catalog.x), as the install script says of itself (its
-- flagforge_import_django broke that rule; it is replaced here), and every
-- PL/pgSQL function pins search_path to pg_catalog, pg_temp.  CREATE
-- EXTENSION flagforge installs 1.0 and then runs this script, so a fresh
-- 1.1 and an upgraded 1.0 are the same (test/shell/upgrade.sh compares them).

\echo Use "ALTER EXTENSION flagforge UPDATE TO '1.1'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Encodings: flag keys, tenants and users are hashed as UTF-8 whatever the
-- database encoding (converted in C); SQL_ASCII has no encoding to convert
-- from, so the FlagForge buckets cannot be guaranteed there.
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
    IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.=) 'SQL_ASCII' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'flagforge cannot be installed in a SQL_ASCII database',
            DETAIL = 'SQL_ASCII stores bytes without an encoding, so flagforge cannot hash flag keys, tenants and users as the UTF-8 the FlagForge library hashes, nor read YAML files.',
            HINT = 'Install flagforge in a database created with ENCODING ''UTF8'' (or LATIN1 and the other real encodings, which flagforge converts).';
    END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Trigger functions: only flagforge attaches them (they also check, in C,
-- that they fire on flagforge's own tables).
-- ---------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION
    @extschema@.flagforge_row_changed(),
    @extschema@.flagforge_notify_change(),
    @extschema@.flagforge_audit_row()
FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The layout of flagforge's tables belongs to the extension
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.flagforge_guard_ddl()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'flagforge_guard_ddl'
LANGUAGE C;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_guard_ddl() FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_guard_ddl() IS
    'Event trigger: refuses ALTER TABLE (but storage and statistics settings), renames, SET SCHEMA, new rules and policies, and dropping flagforge''s triggers or policy, on flagforge''s tables and registered tenant tables; renaming or re-owning the extension''s schema; ALTER EXTENSION flagforge ADD/DROP.';

CREATE EVENT TRIGGER flagforge_guard_ddl ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER TRIGGER', 'ALTER POLICY', 'DROP TRIGGER', 'DROP POLICY',
                 'CREATE RULE', 'CREATE POLICY', 'ALTER SCHEMA', 'ALTER EXTENSION', 'DROP SCHEMA', 'ALTER INDEX')
    EXECUTE FUNCTION @extschema@.flagforge_guard_ddl();

COMMENT ON EVENT TRIGGER flagforge_guard_ddl IS
    'Keeps the layout, triggers and policy of flagforge''s tables as the extension created them.';

-- ---------------------------------------------------------------------------
-- Audit trail: append-only, pruned only by flagforge_prune_audit (recorded)
-- ---------------------------------------------------------------------------
ALTER TABLE @extschema@.flagforge_audit
    DROP CONSTRAINT flagforge_audit_action,
    ADD CONSTRAINT flagforge_audit_action
        CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'PRUNE', 'DROP']));
COMMENT ON COLUMN @extschema@.flagforge_audit.action IS
    'INSERT, UPDATE, DELETE or TRUNCATE; PRUNE for a flagforge_prune_audit() call (new_row holds older_than and deleted); DROP for a dropped tenant table (actor is the role whose rights dropped it).';

-- Bound roles (flagforge_tenant_roles) read only their tenants' rows of the trail.
ALTER TABLE @extschema@.flagforge_audit ENABLE ROW LEVEL SECURITY;


CREATE FUNCTION @extschema@.flagforge_audit_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'flagforge_audit_guard'
LANGUAGE C;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_audit_guard() FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_audit_guard() IS
    'Trigger of flagforge_audit: refuses UPDATE, DELETE, TRUNCATE and INSERTs not made by flagforge (but a superuser''s restore).';

CREATE TRIGGER flagforge_audit_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.flagforge_audit
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_audit_guard();
CREATE TRIGGER flagforge_audit_guard_truncate BEFORE TRUNCATE ON @extschema@.flagforge_audit
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_audit_guard();

CREATE OR REPLACE FUNCTION @extschema@.flagforge_prune_audit(older_than interval)
RETURNS bigint
AS 'MODULE_PATHNAME', 'flagforge_prune_audit'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_prune_audit(interval) IS
    'Delete audit rows older than the interval (as the extension owner: callers need EXECUTE only) and record the prune as a PRUNE row; returns how many were deleted.';

-- ---------------------------------------------------------------------------
-- Tenant-scoped roles: the binding holds through SET ROLE and role
-- membership, survives dump/restore, and cannot be probed.
-- ---------------------------------------------------------------------------
CREATE TABLE @extschema@.flagforge_tenant_security (
    enabled boolean PRIMARY KEY
            CONSTRAINT flagforge_tenant_security_on CHECK (enabled)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_tenant_security', '');
REVOKE ALL ON @extschema@.flagforge_tenant_security FROM PUBLIC;
COMMENT ON TABLE @extschema@.flagforge_tenant_security IS
    'One row (true) while tenant-scoped roles are enforced (flagforge_enable_tenant_security); kept by pg_dump.';
COMMENT ON COLUMN @extschema@.flagforge_tenant_security.enabled IS
    'Always true: the row''s presence switches the binding of flagforge_tenant_roles on.';

INSERT INTO @extschema@.flagforge_tenant_security (enabled)
SELECT true FROM pg_catalog.pg_class c
WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.flagforge_overrides'::pg_catalog.regclass AND c.relrowsecurity;

DROP POLICY IF EXISTS flagforge_tenant_scoped ON @extschema@.flagforge_overrides;
DROP FUNCTION @extschema@.flagforge_tenant_allowed(text, name);

CREATE FUNCTION @extschema@.flagforge_tenant_allowed(tenant text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_tenant_allowed'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.flagforge_tenant_allowed(text) IS
    'Row-level security predicate of flagforge_overrides: may the caller (its session user or current user, or a role either belongs to, is bound in flagforge_tenant_roles) manage this tenant? Answers only about the caller.';

ALTER TABLE @extschema@.flagforge_overrides ENABLE ROW LEVEL SECURITY;
CREATE POLICY flagforge_tenant_scoped ON @extschema@.flagforge_overrides
    USING (@extschema@.flagforge_tenant_allowed(tenant_id))
    WITH CHECK (@extschema@.flagforge_tenant_allowed(tenant_id));
CREATE POLICY flagforge_tenant_scoped ON @extschema@.flagforge_audit FOR SELECT
    USING (tenant_id IS NULL OR @extschema@.flagforge_tenant_allowed(tenant_id));

COMMENT ON COLUMN @extschema@.flagforge_tenant_roles.role_name IS
    'The role bound: its members (and itself, as session or current user) manage only the listed tenants.';

-- The SECURITY DEFINER functions below write tables they name; they first
-- check that the schema of that name is still the extension's (flagforge_guard_ddl
-- refuses renaming it, but a superuser can switch event triggers off).
CREATE OR REPLACE FUNCTION @extschema@.flagforge_enable_tenant_security()
RETURNS void
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF pg_catalog.to_regnamespace('@extschema@') IS DISTINCT FROM
       (SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'flagforge') THEN
        RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = 'the schema of extension flagforge has been renamed';
    END IF;
    INSERT INTO @extschema@.flagforge_tenant_security (enabled) VALUES (true) ON CONFLICT DO NOTHING;
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_enable_tenant_security() IS
    'Enforce flagforge_tenant_roles: bound roles see and change only their tenants'' overrides (evaluation is not affected). Kept by pg_dump.';

CREATE OR REPLACE FUNCTION @extschema@.flagforge_disable_tenant_security()
RETURNS void
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF pg_catalog.to_regnamespace('@extschema@') IS DISTINCT FROM
       (SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'flagforge') THEN
        RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = 'the schema of extension flagforge has been renamed';
    END IF;
    DELETE FROM @extschema@.flagforge_tenant_security;
END
$fn$;

COMMENT ON FUNCTION @extschema@.flagforge_disable_tenant_security() IS
    'Stop enforcing flagforge_tenant_roles (undo flagforge_enable_tenant_security()).';

-- ---------------------------------------------------------------------------
-- Tenant schemas' tables belong to the extension's owner
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.flagforge_create_tenant_table(
    schema_name text, with_tenant_id boolean, creator oid)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    grant_row record;
    new_schema boolean := false;
    target regclass;
    columns text;
    checks text;
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
        new_schema := true;
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
    -- The columns (types, collations, NOT NULL, defaults) and checks are read
    -- from flagforge_overrides itself, so they are written once; a table
    -- without tenant_id leaves that column out and is keyed by flag alone.
    SELECT pg_catalog.string_agg(pg_catalog.format('%I %s%s%s%s', a.attname,
               pg_catalog.format_type(a.atttypid, a.atttypmod),
               CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) ty.typcollation
                    THEN pg_catalog.format(' COLLATE %I.%I', cn.nspname, co.collname) ELSE '' END,
               CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
               CASE WHEN a.atthasdef THEN ' DEFAULT ' OPERATOR(pg_catalog.||)
                    pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END),
               ', ' ORDER BY a.attnum)
    INTO columns
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
    LEFT JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation
    LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
    LEFT JOIN pg_catalog.pg_attrdef d
           ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
    WHERE a.attrelid OPERATOR(pg_catalog.=) '@extschema@.flagforge_overrides'::pg_catalog.regclass
      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
      AND (with_tenant_id OR a.attname OPERATOR(pg_catalog.<>) 'tenant_id');
    SELECT pg_catalog.string_agg(pg_catalog.format(', CONSTRAINT %I %s', c.conname,
                                                   pg_catalog.pg_get_constraintdef(c.oid)),
                                 '' ORDER BY c.conname)
    INTO checks
    FROM pg_catalog.pg_constraint c
    WHERE c.conrelid OPERATOR(pg_catalog.=) '@extschema@.flagforge_overrides'::pg_catalog.regclass
      AND c.contype OPERATOR(pg_catalog.=) 'c';
    EXECUTE pg_catalog.format('CREATE TABLE %I.flagforge_overrides (%s%s,'
                              ' FOREIGN KEY (flag_key) REFERENCES @extschema@.flagforge_flags (key)'
                              ' ON DELETE CASCADE ON UPDATE CASCADE, PRIMARY KEY (%s))',
                              schema_name, columns, COALESCE(checks, ''),
                              CASE WHEN with_tenant_id THEN 'tenant_id, flag_key' ELSE 'flag_key' END);
    target := pg_catalog.format('%I.flagforge_overrides', schema_name)::regclass;
    EXECUTE pg_catalog.format('CREATE INDEX ON %s (flag_key)', target);
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', target);
    -- Whoever may change flagforge_overrides may change this table too (and use the
    -- schema, when this call created it), but for roles bound to tenants; and so may
    -- its creator.
    FOR grant_row IN
        SELECT r.rolname, a.privilege_type
        FROM pg_catalog.pg_class c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
        JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
        WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.flagforge_overrides'::pg_catalog.regclass
          AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
          AND a.privilege_type OPERATOR(pg_catalog.=) ANY (ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'])
          -- Not to roles bound to tenants (tenant tables have no row-level security).
          -- (no grantee any of whose members, but superusers, is bound through any role).
          AND NOT EXISTS (SELECT FROM @extschema@.flagforge_tenant_roles b
                          JOIN pg_catalog.pg_roles br ON br.rolname OPERATOR(pg_catalog.=) b.role_name
                          JOIN pg_catalog.pg_roles p ON NOT p.rolsuper
                          WHERE pg_catalog.pg_has_role(p.oid, a.grantee, 'MEMBER')
                            AND pg_catalog.pg_has_role(p.oid, br.oid, 'MEMBER'))
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON %s TO %I', grant_row.privilege_type, target, grant_row.rolname);
        IF new_schema THEN
            EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, grant_row.rolname);
        END IF;
    END LOOP;
    IF creator OPERATOR(pg_catalog.<>) (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) target) THEN
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', target,
                                  (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) creator));
        IF new_schema THEN
            EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', schema_name,
                                      (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) creator));
        END IF;
    END IF;
    PERFORM @extschema@.flagforge_attach_triggers(target, 'flagforge_overrides', true);
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
        'Tenant overrides of schema ' OPERATOR(pg_catalog.||) schema_name OPERATOR(pg_catalog.||)
        ' (flagforge schema-per-tenant); registered in flagforge_tenant_tables.');
    INSERT INTO @extschema@.flagforge_tenant_tables (table_oid, has_tenant_id)
    VALUES (target, with_tenant_id);
    RETURN target;
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_create_tenant_table(text, boolean, oid) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_create_tenant_table(text, boolean, oid) IS
    'Internal: creates a registered tenant table as the extension owner (called by flagforge_create_tenant_schema after its privilege check); a new schema belongs to the extension owner too; the creator and the roles granted on flagforge_overrides get DML on the table and USAGE on a new schema.';

CREATE OR REPLACE FUNCTION @extschema@.flagforge_create_tenant_schema(
    schema_name text, with_tenant_id boolean DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'flagforge_create_tenant_schema'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.flagforge_create_tenant_schema(text, boolean) IS
    'Create the schema if missing (the caller needs CREATE on the database) and a registered flagforge_overrides table in it (the caller needs CREATE on an existing schema), both owned by the extension owner; the caller and the roles granted on flagforge_overrides get DML on the table and USAGE on a new schema. Without tenant_id unless with_tenant_id.';

-- Tables made by 1.0 belong to whoever created them, who may have added
-- indexes, triggers, rules, policies or child tables running code of theirs.
-- Rebuild each: a fresh table made as 1.1 makes them (owned by the extension
-- owner, its creator keeping DML), the rows copied column by column (a copy
-- is not a change: no audit rows), the old table dropped.  A table whose
-- columns are no longer flagforge's is left alone, unregistered, with a
-- WARNING: copying it could run its owner's casts.
DO $do$
DECLARE
    t record;
    columns text;
    previous_role text := pg_catalog.current_setting('session_replication_role');
BEGIN
    PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
    FOR t IN
        SELECT r.table_oid::pg_catalog.oid AS relid, r.has_tenant_id, n.nspname, c.relowner,
               e.extowner::pg_catalog.regrole AS extension_owner,
               (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a
                WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0
                  AND NOT a.attisdropped
                  AND (a.attname, a.atttypid) NOT IN (
                      ('tenant_id', 'pg_catalog.text'::pg_catalog.regtype), ('flag_key', 'pg_catalog.text'::pg_catalog.regtype),
                      ('enabled', 'pg_catalog.bool'::pg_catalog.regtype), ('rollout_percentage', 'pg_catalog.int4'::pg_catalog.regtype),
                      ('enabled_for_users', 'pg_catalog._text'::pg_catalog.regtype), ('enabled_for_groups', 'pg_catalog._text'::pg_catalog.regtype),
                      ('updated_at', 'pg_catalog.timestamptz'::pg_catalog.regtype), ('updated_by', 'pg_catalog.text'::pg_catalog.regtype))
               ) AS foreign_columns
        FROM @extschema@.flagforge_tenant_tables r
        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.table_oid::pg_catalog.oid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        CROSS JOIN pg_catalog.pg_extension e
        WHERE e.extname OPERATOR(pg_catalog.=) 'flagforge'
          AND c.relowner OPERATOR(pg_catalog.<>) e.extowner
    LOOP
        DELETE FROM @extschema@.flagforge_tenant_tables r
        WHERE r.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) t.relid;
        -- Lock it, then look again: only a plain table without rules, children or
        -- partitions is read (reading a view would run its owner's code as us).
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', t.relid::pg_catalog.regclass);
        IF EXISTS (SELECT FROM pg_catalog.pg_class c
                   WHERE c.oid OPERATOR(pg_catalog.=) t.relid
                     AND (c.relkind OPERATOR(pg_catalog.<>) 'r' OR c.relhasrules OR c.relispartition
                          OR c.relhassubclass OR c.relowner OPERATOR(pg_catalog.<>) t.relowner))
           OR EXISTS (SELECT FROM pg_catalog.pg_rewrite w WHERE w.ev_class OPERATOR(pg_catalog.=) t.relid) THEN
            RAISE WARNING USING
                MESSAGE = pg_catalog.format('tenant table %s is no longer read: it is not a plain table any more', t.relid::pg_catalog.regclass),
                HINT = 'Its rows were not copied; run flagforge_create_tenant_schema for its schema and copy them by hand.';
            CONTINUE;
        END IF;
        IF t.foreign_columns OPERATOR(pg_catalog.>) 0 THEN
            RAISE WARNING USING
                MESSAGE = pg_catalog.format('tenant table %s is no longer read: its columns are not flagforge''s', t.relid::pg_catalog.regclass),
                HINT = 'Fix its columns, rename it, run flagforge_create_tenant_schema for its schema and copy its rows.';
            CONTINUE;
        END IF;
        columns := CASE WHEN t.has_tenant_id THEN 'tenant_id, ' ELSE '' END
            OPERATOR(pg_catalog.||) 'flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups, updated_at, updated_by';
        EXECUTE pg_catalog.format('ALTER TABLE %s RENAME TO flagforge_overrides_1_0', t.relid::pg_catalog.regclass);
        PERFORM @extschema@.flagforge_create_tenant_table(t.nspname, t.has_tenant_id, t.relowner);
        -- Made inside this script, the table became a member of the extension: it is the tenant's.
        EXECUTE pg_catalog.format('ALTER EXTENSION flagforge DROP TABLE %I.flagforge_overrides', t.nspname);
        -- The update may run as another superuser than the one who created the extension.
        EXECUTE pg_catalog.format('ALTER TABLE %I.flagforge_overrides OWNER TO %s', t.nspname, t.extension_owner);
        EXECUTE pg_catalog.format('INSERT INTO %I.flagforge_overrides (%s) SELECT %s FROM ONLY %s',
                                  t.nspname, columns, columns, t.relid::pg_catalog.regclass);
        EXECUTE pg_catalog.format('DROP TABLE %s CASCADE', t.relid::pg_catalog.regclass);
    END LOOP;
    PERFORM pg_catalog.set_config('session_replication_role', previous_role, true);
END
$do$;

-- ---------------------------------------------------------------------------
-- flagforge_import_django reads only tables of owners the caller trusts and
-- runs no code defined in the database
-- ---------------------------------------------------------------------------


CREATE FUNCTION @extschema@.flagforge_django_check_source(source regclass, trusted oid[])
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    -- Locked first, so that what is checked is what is read: the owner cannot turn it
    -- into a view or change a column's type until the import ends.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', source);
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                   WHERE c.oid OPERATOR(pg_catalog.=) source AND c.relkind OPERATOR(pg_catalog.=) 'r'
                     AND c.relowner OPERATOR(pg_catalog.=) ANY (trusted)) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('flagforge_import_django does not read %s', source),
            DETAIL = 'Only plain tables owned by the owner of the named schema''s feature_flag_definition table, or by the caller, are read.',
            HINT = 'Import from the schema the Django app''s migrations created.';
    END IF;
    SELECT a.attname, a.atttypid::pg_catalog.regtype AS type INTO bad
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attnum OPERATOR(pg_catalog.>) 0
      AND NOT a.attisdropped AND a.atttypid OPERATOR(pg_catalog.>=) 16384
    ORDER BY a.attnum LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('column %I of %s has type %s, which is not a built-in type',
                                        bad.attname, source, bad.type),
            DETAIL = 'flagforge_import_django reads rows as jsonb and runs no conversion function defined in the database.',
            HINT = 'The FlagForge Django app''s tables use built-in types only.';
    END IF;
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_django_check_source(regclass, oid[]) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.flagforge_django_check_source(regclass, oid[]) IS
    'Helper of flagforge_import_django: refuses a source that is not a plain table of a trusted owner or has a column of a type defined in the database (whose output function would run as the importer).';

CREATE OR REPLACE FUNCTION @extschema@.flagforge_import_django(
    source_schema text DEFAULT 'public', include_tenant_schemas boolean DEFAULT true)
RETURNS TABLE (source_table text, rows_imported bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    definitions regclass;
    tenant_flags regclass;
    tenant_table record;
    target regclass;
    trusted oid[];
    n bigint;
BEGIN
    IF source_schema IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed', MESSAGE = 'source_schema must not be NULL';
    END IF;
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'flagforge_import_django runs only in a READ COMMITTED transaction',
            DETAIL = 'It checks each source table after locking it, which needs the committed state of the catalogs, not a snapshot taken earlier.',
            HINT = 'Run it in its own transaction, or SET TRANSACTION ISOLATION LEVEL READ COMMITTED first.';
    END IF;
    definitions := pg_catalog.to_regclass(pg_catalog.format('%I.feature_flag_definition', source_schema));
    tenant_flags := pg_catalog.to_regclass(pg_catalog.format('%I.tenant_feature_flag', source_schema));
    IF definitions IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_table',
            MESSAGE = pg_catalog.format('table %I.feature_flag_definition does not exist', source_schema),
            HINT = 'Pass the schema that holds the FlagForge Django app''s tables (python manage.py migrate creates them).';
    END IF;

    -- Trusted: the owner of the tables the caller named, and the caller.
    trusted := ARRAY[(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) definitions),
                     (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)];
    PERFORM @extschema@.flagforge_django_check_source(definitions, trusted);

    -- Rows are read as jsonb so that optional columns of any app version are tolerated.
    CREATE TEMP TABLE flagforge_django_definitions (id text, j jsonb) ON COMMIT DROP;
    EXECUTE pg_catalog.format('INSERT INTO pg_temp.flagforge_django_definitions
        SELECT pg_catalog.to_jsonb(d) OPERATOR(pg_catalog.->>) ''id'', pg_catalog.to_jsonb(d) FROM %s d', definitions);

    INSERT INTO @extschema@.flagforge_flags AS f
        (key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments)
    SELECT j OPERATOR(pg_catalog.->>) 'key',
           COALESCE(j OPERATOR(pg_catalog.->>) 'name', j OPERATOR(pg_catalog.->>) 'key'),
           COALESCE(j OPERATOR(pg_catalog.->>) 'description', ''),
           COALESCE((j OPERATOR(pg_catalog.->>) 'default_enabled')::boolean, false),
           COALESCE((j OPERATOR(pg_catalog.->>) 'is_public')::boolean, false),
           COALESCE((j OPERATOR(pg_catalog.->>) 'rollout_percentage')::integer, 0),
           COALESCE((j OPERATOR(pg_catalog.->>) 'deprecated')::boolean, false),
           CASE WHEN pg_catalog.jsonb_typeof(j OPERATOR(pg_catalog.->) 'environments') OPERATOR(pg_catalog.=) 'array'
                THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(j OPERATOR(pg_catalog.->) 'environments'))
                WHEN pg_catalog.jsonb_typeof(j OPERATOR(pg_catalog.->) 'environments') OPERATOR(pg_catalog.=) 'string'
                THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text((j OPERATOR(pg_catalog.->>) 'environments')::jsonb)) END
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
        PERFORM @extschema@.flagforge_django_check_source(tenant_flags, trusted);
        PERFORM @extschema@.flagforge_django_copy_overrides(tenant_flags, NULL, '@extschema@.flagforge_overrides');
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', tenant_flags) INTO n;
        source_table := tenant_flags::text; rows_imported := n; RETURN NEXT;
    END IF;

    IF include_tenant_schemas THEN
        FOR tenant_table IN
            SELECT c.oid::regclass AS rel, n2.nspname AS schema_name
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n2 ON n2.oid OPERATOR(pg_catalog.=) c.relnamespace
            WHERE c.relname OPERATOR(pg_catalog.=) 'tenant_flag_override' AND c.relkind IN ('r', 'p')
            ORDER BY n2.nspname
        LOOP
            IF NOT (SELECT c.relowner OPERATOR(pg_catalog.=) ANY (trusted) FROM pg_catalog.pg_class c
                    WHERE c.oid OPERATOR(pg_catalog.=) tenant_table.rel) THEN
                RAISE WARNING USING ERRCODE = 'insufficient_privilege',
                    MESSAGE = pg_catalog.format('skipped %s: it is not owned by the owner of %s or by %I',
                                                tenant_table.rel, definitions, CURRENT_USER),
                    HINT = 'flagforge_import_django reads tenant tables only from the role that owns the Django app''s tables.';
                CONTINUE;
            END IF;
            PERFORM @extschema@.flagforge_django_check_source(tenant_table.rel, trusted);
            target := @extschema@.flagforge_create_tenant_schema(tenant_table.schema_name);
            PERFORM @extschema@.flagforge_django_copy_overrides(tenant_table.rel, tenant_table.schema_name, target::text);
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', tenant_table.rel) INTO n;
            source_table := tenant_table.rel::text; rows_imported := n; RETURN NEXT;
        END LOOP;
    END IF;
    DROP TABLE pg_temp.flagforge_django_definitions;
END
$fn$;

-- ---------------------------------------------------------------------------
-- Dropped tenant tables: forgotten and recorded in the trail, in C, so that
-- the actor is the role whose rights did the drop (a SECURITY DEFINER
-- function only knows the session user)
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION @extschema@.flagforge_forget_dropped_tables()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'flagforge_forget_dropped_tables'
LANGUAGE C;
ALTER FUNCTION @extschema@.flagforge_forget_dropped_tables() SECURITY INVOKER RESET search_path;

COMMENT ON FUNCTION @extschema@.flagforge_forget_dropped_tables() IS
    'Event trigger: removes dropped tenant tables from flagforge_tenant_tables and records each drop in flagforge_audit as a DROP by the role that dropped it (written as the extension owner).';

-- ---------------------------------------------------------------------------
-- Targeting (Unleash's model): rules, segments, prerequisites, variants and a
-- kill switch.  Every jsonb column is checked in C when written (the same
-- compile the cache runs), so a bad operator value, date or semver is an
-- error at INSERT, never at evaluation.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.flagforge_check_constraints(constraints jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_check_constraints'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_check_constraints(jsonb) IS
    'True when constraints is a valid array of Unleash constraints; else an error that names the bad one.';

CREATE FUNCTION @extschema@.flagforge_check_variants(variants jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_check_variants'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_check_variants(jsonb) IS
    'True when variants is a valid array of Unleash variants; else an error that names the bad one.';

CREATE FUNCTION @extschema@.flagforge_check_rule(strategy text, parameters jsonb,
                                                 constraints jsonb, variants jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_check_rule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_check_rule(text, jsonb, jsonb, jsonb) IS
    'True when a rule (an Unleash strategy) is valid; else an error that names the bad field.';

ALTER TABLE @extschema@.flagforge_flags
    ADD COLUMN kill_switch boolean NOT NULL DEFAULT false,
    ADD COLUMN variants jsonb NOT NULL DEFAULT '[]'
        CONSTRAINT flagforge_flags_variants CHECK (@extschema@.flagforge_check_variants(variants));
COMMENT ON COLUMN @extschema@.flagforge_flags.kill_switch IS
    'On: the flag is off for everyone, whatever targets it (variant "disabled"); checked first.';
COMMENT ON COLUMN @extschema@.flagforge_flags.variants IS
    'The flag''s variants (Unleash''s: name, weight, weightType, stickiness, payload, overrides), chosen when it is on and no matching rule has its own.';

CREATE TABLE @extschema@.flagforge_segments (
    id          integer PRIMARY KEY,
    name        text NOT NULL DEFAULT '',
    constraints jsonb NOT NULL DEFAULT '[]'
                CONSTRAINT flagforge_segments_constraints
                CHECK (@extschema@.flagforge_check_constraints(constraints)),
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.flagforge_segments IS
    'Named, reusable sets of constraints (Unleash''s segments), referenced by rules.segments; a rule that names a missing segment never matches.';

CREATE TABLE @extschema@.flagforge_rules (
    flag_key    text COLLATE "C" NOT NULL
                REFERENCES @extschema@.flagforge_flags (key) ON DELETE CASCADE ON UPDATE CASCADE,
    tenant_id   text COLLATE "C",
    position    integer NOT NULL
                CONSTRAINT flagforge_rules_position_range CHECK (position OPERATOR(pg_catalog.>=) 0),
    strategy    text NOT NULL DEFAULT 'default',
    parameters  jsonb NOT NULL DEFAULT '{}',
    constraints jsonb NOT NULL DEFAULT '[]',
    segments    integer[] NOT NULL DEFAULT '{}'
                CONSTRAINT flagforge_rules_segments_list
                CHECK (COALESCE(pg_catalog.array_ndims(segments), 1) OPERATOR(pg_catalog.=) 1
                       AND pg_catalog.array_position(segments, NULL::integer) IS NULL
                       AND pg_catalog.cardinality(segments) OPERATOR(pg_catalog.<=) 100),
    variants    jsonb NOT NULL DEFAULT '[]',
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT flagforge_rules_order UNIQUE NULLS NOT DISTINCT (flag_key, tenant_id, position),
    CONSTRAINT flagforge_rules_valid
        CHECK (@extschema@.flagforge_check_rule(strategy, parameters, constraints, variants))
);
CREATE INDEX flagforge_rules_override_idx ON @extschema@.flagforge_rules (tenant_id, flag_key);

-- A tenant's rules belong to its override of the flag.  Not a foreign key,
-- so that TRUNCATE flagforge_overrides keeps working as in 1.0 (and a
-- cascade could not tell a tenant's rules from a flag's): a rule names an
-- existing override when written, and goes with it.
CREATE FUNCTION @extschema@.flagforge_rule_needs_override()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    found boolean := true;
BEGIN
    -- On Citus, the trigger fires on each node's placement, which reads its own (see flagforge_local_table).
    IF TG_RELID OPERATOR(pg_catalog.<>) ALL (ARRAY['@extschema@.flagforge_rules'::pg_catalog.regclass,
                                                  @extschema@.flagforge_local_table('@extschema@.flagforge_rules')]) THEN
        RAISE EXCEPTION USING ERRCODE = 'E0001',
            MESSAGE = 'flagforge_rule_needs_override() runs only on flagforge_rules';
    END IF;
    IF NEW.tenant_id IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s o WHERE o.tenant_id OPERATOR(pg_catalog.=) $1'
                                  ' AND o.flag_key OPERATOR(pg_catalog.=) $2)',
                                  @extschema@.flagforge_local_table('@extschema@.flagforge_overrides'))
            INTO found USING NEW.tenant_id, NEW.flag_key;
    END IF;
    IF NOT found THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = pg_catalog.format('tenant %s has no override of flag %s for the rule to belong to',
                                        pg_catalog.quote_literal(NEW.tenant_id), pg_catalog.quote_literal(NEW.flag_key)),
            HINT = 'Insert the override into flagforge_overrides first, or leave tenant_id NULL for a rule of every tenant.';
    END IF;
    RETURN NEW;
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_rule_needs_override() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.flagforge_rule_needs_override() IS
    'Trigger of flagforge_rules: a tenant''s rule must name an existing override.';
CREATE TRIGGER flagforge_rules_need_override
    BEFORE INSERT OR UPDATE ON @extschema@.flagforge_rules
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_rule_needs_override();

-- Deleting (or truncating) overrides deletes their rules, as the extension
-- owner (the writer of overrides needs no right on flagforge_rules).
CREATE FUNCTION @extschema@.flagforge_drop_override_rules()
RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    rules constant regclass := @extschema@.flagforge_local_table('@extschema@.flagforge_rules');
BEGIN
    -- On Citus, the trigger fires on each node's placement, which changes its own (see flagforge_local_table).
    IF TG_RELID OPERATOR(pg_catalog.<>) ALL (ARRAY['@extschema@.flagforge_overrides'::pg_catalog.regclass,
                                                  @extschema@.flagforge_local_table('@extschema@.flagforge_overrides')]) THEN
        RAISE EXCEPTION USING ERRCODE = 'E0001',
            MESSAGE = 'flagforge_drop_override_rules() runs only on flagforge_overrides';
    END IF;
    IF TG_RELID OPERATOR(pg_catalog.<>) @extschema@.flagforge_local_table(TG_RELID) THEN
        RETURN NULL;            -- Citus truncating the shell: each placement's trigger does it
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        EXECUTE pg_catalog.format('DELETE FROM %s r WHERE r.tenant_id IS NOT NULL', rules);
    ELSE
        EXECUTE pg_catalog.format('DELETE FROM %s r USING flagforge_gone_overrides g'  -- the transition table
                                  ' WHERE r.tenant_id OPERATOR(pg_catalog.=) g.tenant_id'
                                  ' AND r.flag_key OPERATOR(pg_catalog.=) g.flag_key', rules);
    END IF;
    RETURN NULL;
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_drop_override_rules() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.flagforge_drop_override_rules() IS
    'Trigger of flagforge_overrides: a deleted (or truncated) override takes its rules with it.';
CREATE TRIGGER flagforge_overrides_drop_rules
    AFTER DELETE ON @extschema@.flagforge_overrides
    REFERENCING OLD TABLE AS flagforge_gone_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_drop_override_rules();
CREATE TRIGGER flagforge_overrides_drop_rules_truncate
    AFTER TRUNCATE ON @extschema@.flagforge_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flagforge_drop_override_rules();
COMMENT ON TABLE @extschema@.flagforge_rules IS
    'Targeting rules (Unleash''s strategies), tried in position order, first match turns the flag on: tenant_id NULL for every tenant, else a rule of that tenant''s override.';

CREATE TABLE @extschema@.flagforge_prerequisites (
    flag_key    text COLLATE "C" NOT NULL
                REFERENCES @extschema@.flagforge_flags (key) ON DELETE CASCADE ON UPDATE CASCADE,
    parent_key  text COLLATE "C" NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    variants    text[] NOT NULL DEFAULT '{}'
                CONSTRAINT flagforge_prerequisites_variants_list
                CHECK (COALESCE(pg_catalog.array_ndims(variants), 1) OPERATOR(pg_catalog.=) 1
                       AND pg_catalog.array_position(variants, NULL::text) IS NULL),
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (flag_key, parent_key),
    CONSTRAINT flagforge_prerequisites_not_self CHECK (parent_key OPERATOR(pg_catalog.<>) flag_key)
);
COMMENT ON TABLE @extschema@.flagforge_prerequisites IS
    'Unleash''s dependencies: the flag is off unless parent_key is on (enabled) or off (not enabled), and, when variants is not empty, on one of those variants; a missing parent is not met; cycles are refused.';

-- Cycles are refused when written; writers take turns so that two cannot
-- close a cycle between them.  Only flagforge_import_unleash stores a cycle
-- that Unleash's own payload contains (Unleash tolerates it: a parent with
-- prerequisites of its own is never met, so every flag of the cycle is
-- off, in Unleash and here), with a NOTICE.
CREATE FUNCTION @extschema@.flagforge_refuse_prerequisite_cycle()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
-- As the owner, to take the table lock that makes writers take turns (a
-- writer needs only INSERT; an advisory lock anyone could hold forever).
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    prerequisites constant regclass := @extschema@.flagforge_local_table('@extschema@.flagforge_prerequisites');
    cycle boolean;
BEGIN
    -- On Citus, the trigger fires on each node's placement, which reads its own (see flagforge_local_table).
    IF TG_RELID OPERATOR(pg_catalog.<>) ALL (ARRAY['@extschema@.flagforge_prerequisites'::pg_catalog.regclass,
                                                  prerequisites]) THEN
        RAISE EXCEPTION USING ERRCODE = 'E0001',
            MESSAGE = 'flagforge_refuse_prerequisite_cycle() runs only on flagforge_prerequisites';
    END IF;
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', prerequisites);
    EXECUTE pg_catalog.format('SELECT EXISTS (WITH RECURSIVE ancestor(key) AS ('
                              ' SELECT $1 COLLATE "C" UNION SELECT p.parent_key FROM %s p'
                              ' JOIN ancestor a ON p.flag_key OPERATOR(pg_catalog.=) a.key)'
                              ' SELECT FROM ancestor WHERE ancestor.key OPERATOR(pg_catalog.=) $2)', prerequisites)
        INTO cycle USING NEW.parent_key, NEW.flag_key;
    IF cycle THEN
        -- flagforge_import_unleash stores what Unleash's payload holds (the
        -- setting gives no right the import does not: any writer may import a
        -- cycle), and a restore (replica role) stores what was stored.
        -- A COPY (pg_restore's way of loading the rows) also keeps one, so that a
        -- dump holding an imported cycle restores whole.
        IF pg_catalog.current_setting('flagforge.importing', true) OPERATOR(pg_catalog.=) 'unleash'
           OR pg_catalog.current_setting('session_replication_role') OPERATOR(pg_catalog.=) 'replica'
           OR pg_catalog.current_query() OPERATOR(pg_catalog.~*) '^\s*copy\s' THEN
            RAISE NOTICE 'prerequisite % of flag % makes a cycle: every flag in it is off, as in Unleash',
                pg_catalog.quote_literal(NEW.parent_key), pg_catalog.quote_literal(NEW.flag_key);
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'invalid_recursion',
            MESSAGE = pg_catalog.format('prerequisite %s of flag %s would make a cycle',
                                        pg_catalog.quote_literal(NEW.parent_key),
                                        pg_catalog.quote_literal(NEW.flag_key)),
            HINT = 'A flag cannot depend on itself through its prerequisites.';
    END IF;
    RETURN NEW;
END
$fn$;
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_refuse_prerequisite_cycle() FROM PUBLIC;
CREATE TRIGGER flagforge_prerequisites_no_cycle
    BEFORE INSERT OR UPDATE ON @extschema@.flagforge_prerequisites
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flagforge_refuse_prerequisite_cycle();

REVOKE ALL ON @extschema@.flagforge_segments, @extschema@.flagforge_rules,
              @extschema@.flagforge_prerequisites FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_segments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_rules', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.flagforge_prerequisites', '');
SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_segments', 'flagforge_segments', true);
SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_rules', 'flagforge_rules', true);
SELECT @extschema@.flagforge_attach_triggers('@extschema@.flagforge_prerequisites', 'flagforge_prerequisites', true);

-- Roles bound to tenants see the rules of every tenant's flag and their own
-- tenants' override rules, and write only the latter.
ALTER TABLE @extschema@.flagforge_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY flagforge_tenant_scoped_read ON @extschema@.flagforge_rules FOR SELECT
    USING (tenant_id IS NULL OR @extschema@.flagforge_tenant_allowed(tenant_id));
CREATE POLICY flagforge_tenant_scoped_insert ON @extschema@.flagforge_rules FOR INSERT
    WITH CHECK (@extschema@.flagforge_tenant_allowed(tenant_id));
CREATE POLICY flagforge_tenant_scoped_update ON @extschema@.flagforge_rules FOR UPDATE
    USING (@extschema@.flagforge_tenant_allowed(tenant_id))
    WITH CHECK (@extschema@.flagforge_tenant_allowed(tenant_id));
CREATE POLICY flagforge_tenant_scoped_delete ON @extschema@.flagforge_rules FOR DELETE
    USING (@extschema@.flagforge_tenant_allowed(tenant_id));

-- Evaluation with Unleash's context as one jsonb object (tenant, userId,
-- groups, environment, sessionId, remoteAddress, appName, currentTime,
-- properties).  Pass the context as jsonb ('{...}'::jsonb): an untyped
-- literal in the second argument picks the text (tenant) form.
CREATE FUNCTION @extschema@.flagforge_is_enabled(flag_key text, context jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'flagforge_is_enabled_context'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_is_enabled(text, jsonb) IS
    'Is the flag on in this context ({"tenant", "userId", "groups", "environment", "sessionId", "remoteAddress", "appName", "currentTime", "properties"})? Rule-only flags need no tenant.';

CREATE FUNCTION @extschema@.flagforge_variant(flag_key text, context jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_variant_context'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_variant(text, jsonb) IS
    'The flag''s variant in this context, as Unleash''s getVariant: {"name", "payload" ({"type", "value"}, when it has one), "enabled", "feature_enabled"}; "disabled" when none.';

CREATE FUNCTION @extschema@.flagforge_evaluate_all(context jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_evaluate_all_context'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_evaluate_all(jsonb) IS
    'Every flag in this context as {"key": true|false, ...}.';

CREATE FUNCTION @extschema@.flagforge_explain(flag_key text, context jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'flagforge_explain_context'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.flagforge_explain(text, jsonb) IS
    'Why a flag has its value in this context (as flagforge_explain), with "rule" and "strategy" when a rule decided.';

-- ---------------------------------------------------------------------------
-- flagforge_import_unleash: Unleash's client features payload into the
-- tables, all or nothing.  Each feature is a flag: enabled false is its
-- kill switch, its strategies its rules (for every tenant), its variants
-- and dependencies its variants and prerequisites; segments by id.
-- ---------------------------------------------------------------------------

-- The value of key in object when it has the JSON type kind ('string',
-- 'array', 'object', 'boolean', 'number'); NULL when absent or null, unless
-- required; any other type is an error that names where and key.
CREATE FUNCTION @extschema@.flagforge_unleash_field(
    object jsonb, key text, kind text, required boolean, location text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    value jsonb := object OPERATOR(pg_catalog.->) key;
BEGIN
    IF value IS NULL OR pg_catalog.jsonb_typeof(value) OPERATOR(pg_catalog.=) 'null' THEN
        IF required THEN
            RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                MESSAGE = pg_catalog.format('%s: %s is required', location, key),
                HINT = 'The document is Unleash''s client features payload: {"version", "features": [{"name", "enabled", "strategies", ...}], "segments"}.';
        END IF;
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(value) OPERATOR(pg_catalog.<>) kind THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('%s: %s must be a JSON %s, not %s', location, key, kind,
                                        pg_catalog.jsonb_typeof(value)),
            HINT = 'The document is Unleash''s client features payload: {"version", "features": [{"name", "enabled", "strategies", ...}], "segments"}.';
    END IF;
    RETURN value;
END
$fn$;
COMMENT ON FUNCTION @extschema@.flagforge_unleash_field(jsonb, text, text, boolean, text) IS
    'Internal (flagforge_import_unleash): a field of a JSON object checked for its type.';

-- Run a check function's validation of one part of a feature and say where
-- it failed: the feature's index and name, and the field.
CREATE FUNCTION @extschema@.flagforge_unleash_check(
    location text, strategy text, parameters jsonb, constraints jsonb, variants jsonb)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    message text;
    hint text;
    state text;
BEGIN
    IF strategy IS NULL THEN
        PERFORM @extschema@.flagforge_check_variants(variants);
    ELSE
        PERFORM @extschema@.flagforge_check_rule(strategy, parameters, constraints, variants);
    END IF;
EXCEPTION WHEN invalid_parameter_value OR invalid_datetime_format OR invalid_text_representation THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
    RAISE EXCEPTION USING ERRCODE = state,
        MESSAGE = location OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||)
                  pg_catalog.regexp_replace(message, '^(rule|variants): ', ''),
        HINT = hint;
END
$fn$;
COMMENT ON FUNCTION @extschema@.flagforge_unleash_check(text, text, jsonb, jsonb, jsonb) IS
    'Internal (flagforge_import_unleash): checks a strategy or a variant list and names where it is bad.';

CREATE FUNCTION @extschema@.flagforge_import_unleash(
    document jsonb, prune boolean DEFAULT false, dry_run boolean DEFAULT false)
RETURNS TABLE (flag_key text, action text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    features jsonb;
    segments jsonb;
    feature jsonb;
    strategy jsonb;
    dependency jsonb;
    segment jsonb;
    location text;
    feature_name text;
    problem text;
    i integer;
    j integer;
    new_rules jsonb;
    old_rules jsonb;
    new_prerequisites jsonb;
    old_prerequisites jsonb;
    new_flag jsonb;
    old_flag jsonb;
    existed boolean;
    seen text[] := '{}';
    keys text[] := '{}';
    actions text[] := '{}';
    done constant text := 'FFDRY';
BEGIN
    IF document IS NULL OR pg_catalog.jsonb_typeof(document) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the Unleash document must be a JSON object',
            HINT = 'Pass Unleash''s client features payload: {"version", "features": [...], "segments": [...]}.';
    END IF;
    features := COALESCE(@extschema@.flagforge_unleash_field(document, 'features', 'array', true, 'document'), '[]');
    PERFORM pg_catalog.set_config('flagforge.importing', 'unleash', true);
    segments := COALESCE(@extschema@.flagforge_unleash_field(document, 'segments', 'array', false, 'document'), '[]');
    BEGIN
        -- Segments first: rules name them by id.
        FOR i IN 0 .. pg_catalog.jsonb_array_length(segments) OPERATOR(pg_catalog.-) 1 LOOP
            segment := segments OPERATOR(pg_catalog.->) i;
            location := pg_catalog.format('segments[%s]', i);
            IF pg_catalog.jsonb_typeof(segment) OPERATOR(pg_catalog.<>) 'object' THEN
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                    MESSAGE = location OPERATOR(pg_catalog.||) ' must be a JSON object';
            END IF;
            PERFORM @extschema@.flagforge_unleash_field(segment, 'id', 'number', true, location);
            PERFORM @extschema@.flagforge_unleash_field(segment, 'name', 'string', false, location);
            BEGIN
                PERFORM @extschema@.flagforge_check_constraints(
                    COALESCE(@extschema@.flagforge_unleash_field(segment, 'constraints', 'array', false, location), '[]'));
            EXCEPTION WHEN invalid_parameter_value OR invalid_datetime_format THEN
                GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                    MESSAGE = location OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) problem;
            END;
            INSERT INTO @extschema@.flagforge_segments AS s (id, name, constraints)
            VALUES ((segment OPERATOR(pg_catalog.->>) 'id')::integer,
                    COALESCE(segment OPERATOR(pg_catalog.->>) 'name', ''),
                    COALESCE(segment OPERATOR(pg_catalog.->) 'constraints', '[]'))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, constraints = EXCLUDED.constraints
            WHERE (s.name, s.constraints) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.constraints);
        END LOOP;

        FOR i IN 0 .. pg_catalog.jsonb_array_length(features) OPERATOR(pg_catalog.-) 1 LOOP
            feature := features OPERATOR(pg_catalog.->) i;
            location := pg_catalog.format('features[%s]', i);
            IF pg_catalog.jsonb_typeof(feature) OPERATOR(pg_catalog.<>) 'object' THEN
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                    MESSAGE = location OPERATOR(pg_catalog.||) ' must be a JSON object';
            END IF;
            PERFORM @extschema@.flagforge_unleash_field(feature, 'name', 'string', true, location);
            feature_name := feature OPERATOR(pg_catalog.->>) 'name';
            location := pg_catalog.format('features[%s] "%s"', i, feature_name);
            IF pg_catalog.char_length(feature_name) OPERATOR(pg_catalog.<) 1 OR pg_catalog.char_length(feature_name) OPERATOR(pg_catalog.>) 255 THEN
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                    MESSAGE = location OPERATOR(pg_catalog.||) ': name must be 1 to 255 characters';
            END IF;
            IF feature_name OPERATOR(pg_catalog.=) ANY (seen) THEN
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                    MESSAGE = location OPERATOR(pg_catalog.||) ': duplicate feature name';
            END IF;
            seen := seen OPERATOR(pg_catalog.||) feature_name;
            PERFORM @extschema@.flagforge_unleash_field(feature, 'enabled', 'boolean', true, location);
            PERFORM @extschema@.flagforge_unleash_field(feature, 'description', 'string', false, location);
            PERFORM @extschema@.flagforge_unleash_field(feature, 'stale', 'boolean', false, location);
            PERFORM @extschema@.flagforge_unleash_check(location OPERATOR(pg_catalog.||) ': variants', NULL, NULL, NULL,
                COALESCE(@extschema@.flagforge_unleash_field(feature, 'variants', 'array', false, location), '[]'));

            -- Its strategies as rules (a disabled strategy is left out, as Unleash's server does).
            new_rules := '[]';
            j := 0;
            FOR strategy IN SELECT pg_catalog.jsonb_array_elements(
                    COALESCE(@extschema@.flagforge_unleash_field(feature, 'strategies', 'array', false, location), '[]')) LOOP
                DECLARE
                    at text := pg_catalog.format('%s: strategies[%s]', location, j);
                BEGIN
                    IF pg_catalog.jsonb_typeof(strategy) OPERATOR(pg_catalog.<>) 'object' THEN
                        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                            MESSAGE = at OPERATOR(pg_catalog.||) ' must be a JSON object';
                    END IF;
                    PERFORM @extschema@.flagforge_unleash_field(strategy, 'name', 'string', true, at);
                    PERFORM @extschema@.flagforge_unleash_field(strategy, 'segments', 'array', false, at);
                    IF COALESCE((@extschema@.flagforge_unleash_field(strategy, 'disabled', 'boolean', false, at))::text::boolean, false) THEN
                        j := j OPERATOR(pg_catalog.+) 1;
                        CONTINUE;
                    END IF;
                    PERFORM @extschema@.flagforge_unleash_check(at, strategy OPERATOR(pg_catalog.->>) 'name',
                        COALESCE(@extschema@.flagforge_unleash_field(strategy, 'parameters', 'object', false, at), '{}'),
                        COALESCE(@extschema@.flagforge_unleash_field(strategy, 'constraints', 'array', false, at), '[]'),
                        COALESCE(@extschema@.flagforge_unleash_field(strategy, 'variants', 'array', false, at), '[]'));
                    IF EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(COALESCE(strategy OPERATOR(pg_catalog.->) 'segments', '[]')) e
                               WHERE pg_catalog.jsonb_typeof(e) OPERATOR(pg_catalog.<>) 'number') THEN
                        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                            MESSAGE = at OPERATOR(pg_catalog.||) ': segments must be segment ids (numbers)';
                    END IF;
                    new_rules := new_rules OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                        'position', pg_catalog.jsonb_array_length(new_rules),
                        'strategy', strategy OPERATOR(pg_catalog.->>) 'name',
                        'parameters', COALESCE(NULLIF(strategy OPERATOR(pg_catalog.->) 'parameters', 'null'), '{}'),
                        'constraints', COALESCE(NULLIF(strategy OPERATOR(pg_catalog.->) 'constraints', 'null'), '[]'),
                        'segments', COALESCE(NULLIF(strategy OPERATOR(pg_catalog.->) 'segments', 'null'), '[]'),
                        'variants', COALESCE(NULLIF(strategy OPERATOR(pg_catalog.->) 'variants', 'null'), '[]')));
                    j := j OPERATOR(pg_catalog.+) 1;
                END;
            END LOOP;

            -- Its dependencies as prerequisites.
            new_prerequisites := '[]';
            j := 0;
            FOR dependency IN SELECT pg_catalog.jsonb_array_elements(
                    COALESCE(@extschema@.flagforge_unleash_field(feature, 'dependencies', 'array', false, location), '[]')) LOOP
                DECLARE
                    at text := pg_catalog.format('%s: dependencies[%s]', location, j);
                BEGIN
                    IF pg_catalog.jsonb_typeof(dependency) OPERATOR(pg_catalog.<>) 'object' THEN
                        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                            MESSAGE = at OPERATOR(pg_catalog.||) ' must be a JSON object';
                    END IF;
                    PERFORM @extschema@.flagforge_unleash_field(dependency, 'feature', 'string', true, at);
                    PERFORM @extschema@.flagforge_unleash_field(dependency, 'enabled', 'boolean', false, at);
                    IF EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(COALESCE(
                                   @extschema@.flagforge_unleash_field(dependency, 'variants', 'array', false, at), '[]')) e
                               WHERE pg_catalog.jsonb_typeof(e) OPERATOR(pg_catalog.<>) 'string') THEN
                        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                            MESSAGE = at OPERATOR(pg_catalog.||) ': variants must be variant names (strings)';
                    END IF;
                    new_prerequisites := new_prerequisites OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                        'parent_key', dependency OPERATOR(pg_catalog.->>) 'feature',
                        'enabled', COALESCE((dependency OPERATOR(pg_catalog.->>) 'enabled')::boolean, true),
                        'variants', COALESCE(NULLIF(dependency OPERATOR(pg_catalog.->) 'variants', 'null'), '[]')));
                    j := j OPERATOR(pg_catalog.+) 1;
                END;
            END LOOP;

            new_flag := pg_catalog.jsonb_build_object(
                'description', COALESCE(feature OPERATOR(pg_catalog.->>) 'description', ''),
                'kill_switch', NOT (feature OPERATOR(pg_catalog.->>) 'enabled')::boolean,
                'deprecated', COALESCE((feature OPERATOR(pg_catalog.->>) 'stale')::boolean, false),
                'variants', COALESCE(NULLIF(feature OPERATOR(pg_catalog.->) 'variants', 'null'), '[]'));
            SELECT pg_catalog.jsonb_build_object('description', f.description, 'kill_switch', f.kill_switch,
                                                 'deprecated', f.deprecated, 'variants', f.variants)
                   OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('default', f.default_enabled AND f.rollout_percentage OPERATOR(pg_catalog.=) 100)
            INTO old_flag
            FROM @extschema@.flagforge_flags f WHERE f.key OPERATOR(pg_catalog.=) feature_name FOR UPDATE;
            existed := FOUND;
            SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                       'position', r.position, 'strategy', r.strategy, 'parameters', r.parameters,
                       'constraints', r.constraints, 'segments', pg_catalog.to_jsonb(r.segments), 'variants', r.variants)
                       ORDER BY r.position), '[]')
            INTO old_rules
            FROM @extschema@.flagforge_rules r
            WHERE r.flag_key OPERATOR(pg_catalog.=) feature_name AND r.tenant_id IS NULL;
            SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                       'parent_key', p.parent_key, 'enabled', p.enabled, 'variants', pg_catalog.to_jsonb(p.variants))
                       ORDER BY p.parent_key), '[]')
            INTO old_prerequisites
            FROM @extschema@.flagforge_prerequisites p WHERE p.flag_key OPERATOR(pg_catalog.=) feature_name;
            SELECT COALESCE(pg_catalog.jsonb_agg(e ORDER BY e OPERATOR(pg_catalog.->>) 'parent_key'), '[]')
            INTO new_prerequisites FROM pg_catalog.jsonb_array_elements(new_prerequisites) e;

            IF existed AND old_flag OPERATOR(pg_catalog.=) (new_flag OPERATOR(pg_catalog.||) '{"default": true}')
               AND old_rules OPERATOR(pg_catalog.=) new_rules
               AND old_prerequisites OPERATOR(pg_catalog.=) new_prerequisites THEN
                keys := keys OPERATOR(pg_catalog.||) feature_name;
                actions := actions OPERATOR(pg_catalog.||) 'unchanged'::text;
                CONTINUE;
            END IF;

            INSERT INTO @extschema@.flagforge_flags AS f
                (key, name, description, default_enabled, rollout_percentage, deprecated, kill_switch, variants)
            VALUES (feature_name, feature_name, new_flag OPERATOR(pg_catalog.->>) 'description', true, 100,
                    (new_flag OPERATOR(pg_catalog.->>) 'deprecated')::boolean,
                    (new_flag OPERATOR(pg_catalog.->>) 'kill_switch')::boolean,
                    new_flag OPERATOR(pg_catalog.->) 'variants')
            ON CONFLICT (key) DO UPDATE SET
                description = EXCLUDED.description, default_enabled = true, rollout_percentage = 100,
                deprecated = EXCLUDED.deprecated, kill_switch = EXCLUDED.kill_switch, variants = EXCLUDED.variants
            WHERE (f.description, f.default_enabled, f.rollout_percentage, f.deprecated, f.kill_switch, f.variants)
                  IS DISTINCT FROM (EXCLUDED.description, true, 100, EXCLUDED.deprecated, EXCLUDED.kill_switch, EXCLUDED.variants);
            IF old_rules OPERATOR(pg_catalog.<>) new_rules THEN
                DELETE FROM @extschema@.flagforge_rules r
                WHERE r.flag_key OPERATOR(pg_catalog.=) feature_name AND r.tenant_id IS NULL;
                INSERT INTO @extschema@.flagforge_rules (flag_key, position, strategy, parameters, constraints, segments, variants)
                SELECT feature_name, (e OPERATOR(pg_catalog.->>) 'position')::integer, e OPERATOR(pg_catalog.->>) 'strategy',
                       e OPERATOR(pg_catalog.->) 'parameters', e OPERATOR(pg_catalog.->) 'constraints',
                       ARRAY(SELECT (s OPERATOR(pg_catalog.#>>) '{}')::integer FROM pg_catalog.jsonb_array_elements(e OPERATOR(pg_catalog.->) 'segments') s),
                       e OPERATOR(pg_catalog.->) 'variants'
                FROM pg_catalog.jsonb_array_elements(new_rules) e;
            END IF;
            IF old_prerequisites OPERATOR(pg_catalog.<>) new_prerequisites THEN
                DELETE FROM @extschema@.flagforge_prerequisites p WHERE p.flag_key OPERATOR(pg_catalog.=) feature_name;
                BEGIN
                    INSERT INTO @extschema@.flagforge_prerequisites (flag_key, parent_key, enabled, variants)
                    SELECT feature_name, e OPERATOR(pg_catalog.->>) 'parent_key', (e OPERATOR(pg_catalog.->>) 'enabled')::boolean,
                           ARRAY(SELECT pg_catalog.jsonb_array_elements_text(e OPERATOR(pg_catalog.->) 'variants'))
                    FROM pg_catalog.jsonb_array_elements(new_prerequisites) e;
                EXCEPTION WHEN invalid_recursion OR check_violation OR unique_violation THEN
                    GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
                    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                        MESSAGE = location OPERATOR(pg_catalog.||) ': dependencies: ' OPERATOR(pg_catalog.||) problem;
                END;
            END IF;
            keys := keys OPERATOR(pg_catalog.||) feature_name;
            actions := actions OPERATOR(pg_catalog.||) (CASE WHEN existed THEN 'updated' ELSE 'created' END);
        END LOOP;

        IF prune THEN
            WITH gone AS (
                DELETE FROM @extschema@.flagforge_flags f
                WHERE NOT (f.key OPERATOR(pg_catalog.=) ANY (seen))
                RETURNING f.key)
            SELECT keys OPERATOR(pg_catalog.||) COALESCE(pg_catalog.array_agg(gone.key ORDER BY gone.key), '{}'),
                   actions OPERATOR(pg_catalog.||) COALESCE(pg_catalog.array_agg('deleted'::text), '{}')
            INTO keys, actions FROM gone;
            DELETE FROM @extschema@.flagforge_segments s
            WHERE NOT (s.id OPERATOR(pg_catalog.=) ANY (ARRAY(
                SELECT (e OPERATOR(pg_catalog.->>) 'id')::integer FROM pg_catalog.jsonb_array_elements(segments) e)));
        END IF;
        IF dry_run THEN
            RAISE EXCEPTION USING ERRCODE = done;
        END IF;
    EXCEPTION WHEN SQLSTATE 'FFDRY' THEN
        NULL;                   -- a dry run: everything above is rolled back
    END;
    PERFORM pg_catalog.set_config('flagforge.importing', '', true);
    RETURN QUERY SELECT u.k, u.a FROM ROWS FROM (pg_catalog.unnest(keys), pg_catalog.unnest(actions)) AS u(k, a);
END
$fn$;
COMMENT ON FUNCTION @extschema@.flagforge_import_unleash(jsonb, boolean, boolean) IS
    'Load Unleash''s client features payload ({"features", "segments"}): each feature a flag (enabled false: kill switch; strategies: rules; dependencies: prerequisites; variants), all or nothing; created, updated, unchanged or deleted (prune) per flag; dry_run changes nothing.';

COMMENT ON FUNCTION @extschema@.flagforge_refuse_prerequisite_cycle() IS
    'Trigger of flagforge_prerequisites: refuses a prerequisite that would make a cycle.';
COMMENT ON COLUMN @extschema@.flagforge_segments.id IS 'The segment''s id, as rules.segments and Unleash''s strategies name it.';
COMMENT ON COLUMN @extschema@.flagforge_segments.name IS 'A name for people (not used in evaluation).';
COMMENT ON COLUMN @extschema@.flagforge_segments.constraints IS 'Unleash constraints ([{"contextName", "operator", "values" or "value", "inverted", "caseInsensitive"}]), AND''ed into every rule that names the segment.';
COMMENT ON COLUMN @extschema@.flagforge_segments.updated_at IS 'When the row was last changed (set by flagforge).';
COMMENT ON COLUMN @extschema@.flagforge_rules.flag_key IS 'The flag the rule belongs to.';
COMMENT ON COLUMN @extschema@.flagforge_rules.tenant_id IS 'NULL: a rule of the flag for every tenant; else a rule of that tenant''s override (which must exist).';
COMMENT ON COLUMN @extschema@.flagforge_rules.position IS 'Order among the rules of the same flag and tenant: the first that matches decides.';
COMMENT ON COLUMN @extschema@.flagforge_rules.strategy IS 'Unleash''s strategy: default, flexibleRollout, userWithId, gradualRolloutUserId, gradualRolloutSessionId, gradualRolloutRandom, remoteAddress, applicationHostname; another name never matches.';
COMMENT ON COLUMN @extschema@.flagforge_rules.parameters IS 'The strategy''s parameters as a JSON object (rollout, stickiness, groupId, userIds, IPs, ...).';
COMMENT ON COLUMN @extschema@.flagforge_rules.constraints IS 'Unleash constraints, all of which must hold (with the segments'').';
COMMENT ON COLUMN @extschema@.flagforge_rules.segments IS 'Ids of flagforge_segments whose constraints must hold too; a missing one never matches.';
COMMENT ON COLUMN @extschema@.flagforge_rules.variants IS 'Variants chosen when this rule matches (they win over the flag''s).';
COMMENT ON COLUMN @extschema@.flagforge_rules.updated_at IS 'When the row was last changed (set by flagforge).';
COMMENT ON COLUMN @extschema@.flagforge_prerequisites.flag_key IS 'The flag that depends on another.';
COMMENT ON COLUMN @extschema@.flagforge_prerequisites.parent_key IS 'The flag it depends on (a missing one is never met).';
COMMENT ON COLUMN @extschema@.flagforge_prerequisites.enabled IS 'True: the parent must be on; false: it must be off.';
COMMENT ON COLUMN @extschema@.flagforge_prerequisites.variants IS 'When not empty, the parent must be on with one of these variants.';
COMMENT ON COLUMN @extschema@.flagforge_prerequisites.updated_at IS 'When the row was last changed (set by flagforge).';

-- ---------------------------------------------------------------------------
-- Targeted cache invalidation (1.1)
-- ---------------------------------------------------------------------------

-- A change of an override of flag F for tenant T invalidates the relcache
-- entries of two of these empty composite types, the buckets of F and of T
-- (MurmurHash3 of the key or tenant id, modulo 32), instead of
-- flagforge_signal_overrides: other sessions then drop only the tenants and
-- flag maps of those buckets.  They hold nothing, have no storage and
-- cannot be written; TRUNCATE and tenant tables still signal every override.
DO $signals$
BEGIN
    FOR bucket IN 0..31 LOOP
        EXECUTE pg_catalog.format('CREATE TYPE @extschema@.%I AS ()',
                                  'flagforge_signal_overrides_' || pg_catalog.lpad(bucket::text, 2, '0'));
        EXECUTE pg_catalog.format('REVOKE ALL ON TYPE @extschema@.%I FROM PUBLIC',
                                  'flagforge_signal_overrides_' || pg_catalog.lpad(bucket::text, 2, '0'));
        EXECUTE pg_catalog.format('COMMENT ON TYPE @extschema@.%I IS %L',
                                  'flagforge_signal_overrides_' || pg_catalog.lpad(bucket::text, 2, '0'),
                                  'Holds nothing: its relcache invalidation tells every session that overrides of the tenants and flags of bucket '
                                  || bucket || ' changed.');
    END LOOP;
END
$signals$;

-- Planner support (issue 14, part 1): the share of rows a flag lets through
-- and the cost of a call, so that WHERE flagforge_is_enabled(...) is not
-- planned at a third of the rows whatever the flag says (README "Planner
-- support").  ALTER FUNCTION ... SUPPORT needs a superuser, as this script
-- runs.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.flagforge_planner_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'flagforge_planner_support'
LANGUAGE C STABLE STRICT PARALLEL SAFE;  -- reads the flags as the statement sees them
COMMENT ON FUNCTION @extschema@.flagforge_planner_support(internal) IS
    'Planner support of flagforge_is_enabled: estimates the share of rows a flag lets through (from the cached flag, its overrides and the tenant column''s statistics) and the cost of a call.';

ALTER FUNCTION @extschema@.flagforge_is_enabled(text, text, text, text[], text)
    SUPPORT @extschema@.flagforge_planner_support;
ALTER FUNCTION @extschema@.flagforge_is_enabled(text, jsonb)
    SUPPORT @extschema@.flagforge_planner_support;
-- ===========================================================================
-- Citus: the configuration tables as reference tables (issue 14, part 4)
-- ===========================================================================

CREATE FUNCTION @extschema@.flagforge_local_table(relation regclass)
RETURNS regclass
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'flagforge_local_table';
COMMENT ON FUNCTION @extschema@.flagforge_local_table(regclass) IS
    'The table of this node that holds the rows of one of flagforge''s tables: its Citus placement (<table>_<shardid>) once flagforge_citus_distribute() has run, else the table itself.';

CREATE FUNCTION @extschema@.flagforge_citus_distribute()
RETURNS TABLE (table_name regclass, action text)
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp   -- the DDL it writes names every table with its schema
AS 'MODULE_PATHNAME', 'flagforge_citus_distribute';
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_citus_distribute() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.flagforge_citus_distribute() IS
    'Citus: make flagforge''s configuration tables (flags, overrides, segments, rules, prerequisites, tenant roles) reference tables, once, on the coordinator, as a superuser or the extension''s owner; each node then evaluates from its own placement. Tables already distributed are reported as such.';

CREATE FUNCTION @extschema@.flagforge_citus_before_drop()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'flagforge_citus_before_drop';
REVOKE EXECUTE ON FUNCTION @extschema@.flagforge_citus_before_drop() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.flagforge_citus_before_drop() IS
    'Event trigger: before DROP EXTENSION flagforge on a Citus coordinator, drops the placements of flagforge''s reference tables on every node (Citus would leave them behind).';
CREATE EVENT TRIGGER flagforge_citus_before_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION @extschema@.flagforge_citus_before_drop();
COMMENT ON EVENT TRIGGER flagforge_citus_before_drop IS
    'Before DROP EXTENSION flagforge on a Citus coordinator, drops the placements of its reference tables on every node.';
