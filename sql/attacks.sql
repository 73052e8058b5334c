-- Attacks from issue 10, by a role with no grants, a delegated administrator
-- and an unlucky owner: no escalation, no crash, no forged audit, no flush.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
RESET client_min_messages;
INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('beta', 'Beta', true);
CREATE ROLE regress_attacker LOGIN;
GRANT CREATE ON SCHEMA public TO regress_attacker;

-- 1. Trigger functions: not executable by PUBLIC, so they cannot be attached.
SELECT p.proname, has_function_privilege('regress_attacker', p.oid, 'EXECUTE') AS attacker_can_execute
FROM pg_proc p WHERE p.prorettype = 'trigger'::regtype AND p.proname LIKE 'flagforge\_%' ORDER BY 1;

SET ROLE regress_attacker;
CREATE TYPE pg_temp.e AS ENUM ('x');
CREATE FUNCTION pg_temp.ej(pg_temp.e) RETURNS json LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'ALTER ROLE regress_attacker SUPERUSER'; RETURN '"x"'; END $$;
CREATE CAST (pg_temp.e AS json) WITH FUNCTION pg_temp.ej(pg_temp.e);
CREATE TEMP TABLE t (flag_key text, tenant_id text, v pg_temp.e);
CREATE TRIGGER a AFTER INSERT ON pg_temp.t FOR EACH ROW EXECUTE FUNCTION flagforge_audit_row();
CREATE TRIGGER r BEFORE INSERT ON pg_temp.t FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed();
CREATE TRIGGER n AFTER INSERT ON pg_temp.t FOR EACH ROW EXECUTE FUNCTION flagforge_notify_change();
CREATE TRIGGER g BEFORE INSERT ON pg_temp.t FOR EACH ROW EXECUTE FUNCTION flagforge_audit_guard();
INSERT INTO pg_temp.t VALUES ('beta', 'acme', 'x');
RESET ROLE;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_attacker';

-- Even attached by someone who may (a superuser), they refuse any table but flagforge's.
CREATE TYPE regress_e AS ENUM ('x');
CREATE TEMP TABLE t2 (flag_key text, tenant_id text, v regress_e);
CREATE TRIGGER a AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION flagforge_audit_row();
INSERT INTO t2 VALUES ('beta', 'acme', 'x');
DROP TRIGGER a ON t2;
CREATE TRIGGER r BEFORE INSERT OR UPDATE ON t2 FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed();
INSERT INTO t2 VALUES ('beta', 'acme', 'x');
DROP TRIGGER r ON t2;
CREATE TRIGGER n AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION flagforge_notify_change();
INSERT INTO t2 VALUES ('beta', 'acme', 'x');
DROP TRIGGER n ON t2;
CREATE TRIGGER g BEFORE INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION flagforge_audit_guard();
INSERT INTO t2 VALUES ('beta', 'acme', 'x');
DROP TABLE t2;
DROP TYPE regress_e;
SELECT count(*) AS forged_audit_rows FROM flagforge_audit WHERE tenant_id = 'acme';

-- 2. The layouts that crashed 1.0: an error each, and the server is still up.
CREATE TEMP TABLE c1 (id int, updated_at text);
INSERT INTO c1 VALUES (1, 'x');
CREATE TRIGGER r BEFORE UPDATE ON c1 FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed();
UPDATE c1 SET id = 2;
CREATE TEMP TABLE c2 (flag_key int);
CREATE TRIGGER n AFTER INSERT ON c2 FOR EACH ROW EXECUTE FUNCTION flagforge_notify_change();
INSERT INTO c2 VALUES (1);
-- A trigger with the right function but the wrong firing, on flagforge's own table.
CREATE TRIGGER regress_wrong AFTER INSERT ON flagforge_flags FOR EACH STATEMENT EXECUTE FUNCTION flagforge_audit_row();
INSERT INTO flagforge_flags (key, name) VALUES ('wrong_firing', 'x');
DROP TRIGGER regress_wrong ON flagforge_flags;
CREATE TRIGGER regress_args BEFORE INSERT ON flagforge_flags FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed('x');
INSERT INTO flagforge_flags (key, name) VALUES ('with_args', 'x');
DROP TRIGGER regress_args ON flagforge_flags;
SELECT 1 AS server_still_up;

-- The owner cannot change the layout of any flagforge table: every column, every way.
CREATE FUNCTION pg_temp.try(cmd text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE cmd;
    RETURN 'ALLOWED';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT flagforge_create_tenant_schema('regress_layout_tenant') IS NOT NULL AS tenant_table_created;
WITH targets AS (
    SELECT c.oid::regclass AS tab, a.attname
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind = 'r' AND (c.oid IN (SELECT objid FROM pg_depend WHERE deptype = 'e'
                                         AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge'))
                               OR c.oid IN (SELECT table_oid FROM flagforge_tenant_tables))
), commands AS (
    SELECT tab, format(cmd, tab, attname) AS cmd FROM targets, unnest(ARRAY[
        'ALTER TABLE %s ALTER COLUMN %I TYPE int USING NULL',
        'ALTER TABLE %s ALTER COLUMN %I TYPE int[] USING NULL',
        'ALTER TABLE %s ALTER COLUMN %I TYPE text',
        'ALTER TABLE %s ALTER COLUMN %I TYPE varchar',
        'ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL',
        'ALTER TABLE %s ALTER COLUMN %I SET NOT NULL',
        'ALTER TABLE %s ALTER COLUMN %I SET DEFAULT NULL',
        'ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT',
        'ALTER TABLE %s DROP COLUMN %I',
        'ALTER TABLE %s DROP COLUMN %I CASCADE',
        'ALTER TABLE %s RENAME COLUMN %I TO renamed',
        'ALTER TABLE %s ALTER COLUMN %I SET DATA TYPE text COLLATE "POSIX"',
        'ALTER TABLE %s ALTER COLUMN %I ADD GENERATED ALWAYS AS IDENTITY',
        'ALTER TABLE %s ALTER COLUMN %I DROP EXPRESSION']) AS cmd
    UNION ALL
    SELECT DISTINCT tab, format(cmd, tab) FROM targets, unnest(ARRAY[
        'ALTER TABLE %s ADD COLUMN extra text',
        'ALTER TABLE %s ADD COLUMN extra regress_never_defined',
        'ALTER TABLE %s DISABLE TRIGGER ALL',
        'ALTER TABLE %s DISABLE TRIGGER USER',
        'ALTER TABLE %s FORCE ROW LEVEL SECURITY',
        'ALTER TABLE %s DISABLE ROW LEVEL SECURITY',
        'ALTER TABLE %s NO FORCE ROW LEVEL SECURITY',
        'ALTER TABLE %s RENAME TO renamed',
        'ALTER TABLE %s SET SCHEMA pg_temp',
        'ALTER TABLE %s OWNER TO regress_attacker',
        'ALTER TABLE %s INHERIT pg_class',
        'ALTER TABLE %s SET UNLOGGED',
        'ALTER TABLE %s OF regress_never_defined',
        'ALTER TABLE %s DROP CONSTRAINT IF EXISTS flagforge_flags_rollout_range',
        'ALTER TABLE %s DROP CONSTRAINT IF EXISTS flagforge_overrides_rollout_range']) AS cmd
)
SELECT pg_temp.try(cmd) AS outcome, count(*) AS attempts FROM commands GROUP BY 1 ORDER BY 1;
-- Nor its triggers or row-level security policy.
ALTER TRIGGER flagforge_overrides_audit ON flagforge_overrides RENAME TO regress_renamed;
ALTER TABLE flagforge_overrides RENAME CONSTRAINT flagforge_overrides_rollout_range TO regress_renamed;
ALTER POLICY flagforge_tenant_scoped ON flagforge_overrides USING (true);
DROP POLICY flagforge_tenant_scoped ON flagforge_overrides;
DROP TRIGGER flagforge_flags_row_changed ON flagforge_flags;
-- Nor rules or policies that would rewrite what the trail or evaluation sees, nor membership.
CREATE RULE regress_keep AS ON DELETE TO flagforge_audit DO INSTEAD NOTHING;
CREATE POLICY regress_open ON flagforge_overrides USING (true);
ALTER EXTENSION flagforge DROP TABLE flagforge_flags;
ALTER TABLE flagforge_overrides ENABLE TRIGGER flagforge_overrides_row_changed;
-- The extension's schema keeps its name and owner (its functions name it): in 1.0 a database
-- owner could rename public, plant a flagforge_tenant_tables with a trigger, and become
-- superuser through the SECURITY DEFINER event trigger.
ALTER SCHEMA public RENAME TO regress_public_orig;
ALTER SCHEMA public OWNER TO regress_attacker;
SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE oid = (SELECT extnamespace FROM pg_extension WHERE extname = 'flagforge');
-- Harmless settings stay allowed.
ALTER TABLE flagforge_overrides SET (fillfactor = 90);
ALTER TABLE flagforge_overrides ALTER COLUMN tenant_id SET STATISTICS 500;
ALTER TABLE flagforge_overrides RESET (fillfactor);
ALTER TABLE flagforge_overrides ALTER COLUMN tenant_id SET STATISTICS -1;

-- With the guard switched off by a superuser, a changed layout still gives errors, not crashes.
ALTER EVENT TRIGGER flagforge_guard_ddl DISABLE;
ALTER TABLE flagforge_flags ALTER COLUMN name DROP NOT NULL;
INSERT INTO flagforge_flags (key, name) VALUES ('nameless', NULL);
SELECT flagforge_is_enabled('beta', 'acme') AS after_drop_not_null;
ALTER TABLE flagforge_flags ALTER COLUMN name SET NOT NULL;
ALTER TABLE regress_layout_tenant.flagforge_overrides DROP CONSTRAINT flagforge_overrides_users_list,
    ALTER COLUMN enabled_for_users DROP DEFAULT, ALTER COLUMN enabled_for_users TYPE int[] USING '{}';
SET search_path = regress_layout_tenant, public;
SELECT flagforge_is_enabled('beta', 'acme') AS tenant_table_int_array;
INSERT INTO regress_layout_tenant.flagforge_overrides (flag_key, enabled) VALUES ('beta', true);
RESET search_path;
ALTER TABLE regress_layout_tenant.flagforge_overrides ALTER COLUMN enabled_for_users TYPE text[] USING '{}';
ALTER TABLE regress_layout_tenant.flagforge_overrides ALTER COLUMN enabled_for_users SET DEFAULT '{}';
SET search_path = regress_layout_tenant, public;
SELECT flagforge_is_enabled('beta', 'acme') AS tenant_table_text_array_again;
RESET search_path;
ALTER TABLE flagforge_overrides ADD COLUMN v regress_never_defined;
ALTER TABLE flagforge_overrides ADD COLUMN extra text;
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('acme', 'beta', true);
SELECT flagforge_is_enabled('beta', 'acme') AS extra_column;
ALTER TABLE flagforge_overrides DROP COLUMN extra;
ALTER EVENT TRIGGER flagforge_guard_ddl ENABLE;
SELECT flagforge_is_enabled('beta', 'acme') AS restored;
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('acme', 'beta', false);
SELECT flagforge_is_enabled('beta', 'acme') AS writes_again;

-- 4. A delegated administrator's tenant table belongs to the extension owner: it cannot
-- switch the audit off, and its writes are recorded.
CREATE ROLE regress_delegate;
GRANT CREATE ON DATABASE contrib_regression TO regress_delegate;
GRANT EXECUTE ON FUNCTION flagforge_create_tenant_schema(text, boolean), flagforge_enable(text, text) TO regress_delegate;
GRANT SELECT ON flagforge_flags TO regress_delegate;
SET ROLE regress_delegate;
SELECT flagforge_create_tenant_schema('regress_delegated') AS created;
SELECT pg_get_userbyid(c.relowner) = (SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'flagforge') AS owned_by_extension_owner,
       pg_get_userbyid(n.nspowner) AS schema_owner
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'regress_delegated.flagforge_overrides'::regclass;
ALTER TABLE regress_delegated.flagforge_overrides DISABLE TRIGGER flagforge_overrides_audit;
SET search_path = regress_delegated, public;
SELECT flagforge_enable('beta');
RESET search_path;
-- The creator needs CREATE on an existing schema.
SELECT flagforge_create_tenant_schema('regress_layout_tenant');
SELECT flagforge_create_tenant_schema('pg_catalog');
RESET ROLE;
SELECT actor, action, table_name FROM flagforge_audit WHERE table_name = 'regress_delegated.flagforge_overrides';

-- Nor can an extension's drop be made to cascade to flagforge's triggers.
ALTER TRIGGER flagforge_flags_audit ON flagforge_flags DEPENDS ON EXTENSION plpgsql;
-- A database owner who is not a superuser owns public (pg_database_owner) but cannot drop it
-- with the extension and its audit trail in it.
ALTER DATABASE contrib_regression OWNER TO regress_attacker;
SET ROLE regress_attacker;
DROP SCHEMA public CASCADE;
RESET ROLE;
ALTER DATABASE contrib_regression OWNER TO postgres;
SELECT count(*) AS extension_still_there FROM pg_extension WHERE extname = 'flagforge';
-- A tenant schema may not be named like another role ("$user" puts it first on that role's path).
SELECT flagforge_create_tenant_schema('regress_attacker');
SELECT flagforge_create_tenant_schema(current_user);
-- Nor renamed to one afterwards.
SELECT flagforge_create_tenant_schema('regress_renamed_tenant') IS NOT NULL AS created;
ALTER SCHEMA regress_renamed_tenant RENAME TO regress_attacker;
DROP SCHEMA regress_renamed_tenant CASCADE;
-- Rows written into the registry by hand never make evaluation read a view, a partitioned
-- table, or the extension's own table (a view crashed 1.0; the own table changed every answer).
CREATE SCHEMA regress_fake;
CREATE VIEW regress_fake.flagforge_overrides AS
    SELECT 'beta'::text AS flag_key, true AS enabled, NULL::int AS rollout_percentage, '{}'::text[] AS enabled_for_users,
           '{}'::text[] AS enabled_for_groups, now() AS updated_at, NULL::text AS updated_by;
INSERT INTO flagforge_tenant_tables (table_oid) VALUES ('regress_fake.flagforge_overrides'), ('flagforge_overrides');
SET search_path = regress_fake, public;
SELECT flagforge_is_enabled('beta', 'acme') AS view_registered_is_ignored;
RESET search_path;
SELECT flagforge_is_enabled('beta', 'initech') AS own_table_registered_is_ignored;
DELETE FROM flagforge_tenant_tables WHERE table_oid IN ('regress_fake.flagforge_overrides'::regclass, 'flagforge_overrides'::regclass);
DROP SCHEMA regress_fake CASCADE;
-- public is on every default search_path: never a tenant schema.
SELECT flagforge_create_tenant_schema('public');
-- A drop is recorded as the role whose rights did it, not the session's user: here a
-- SECURITY DEFINER function of the superuser, called by another session user.
SELECT flagforge_create_tenant_schema('regress_definer_drop') IS NOT NULL AS created;
CREATE FUNCTION regress_drop_it() RETURNS void LANGUAGE sql SECURITY DEFINER
    AS $$ DROP SCHEMA regress_definer_drop CASCADE $$;
GRANT EXECUTE ON FUNCTION regress_drop_it() TO regress_attacker;
SET SESSION AUTHORIZATION regress_attacker;
SET client_min_messages = warning;
SELECT regress_drop_it();
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
DROP FUNCTION regress_drop_it();
SELECT actor, table_name FROM flagforge_audit WHERE action = 'DROP' AND table_name LIKE 'regress_definer_drop.%';
-- Dropping a tenant table is recorded.
SELECT flagforge_create_tenant_schema('regress_dropped_tenant') IS NOT NULL AS created;
DROP SCHEMA regress_dropped_tenant CASCADE;
SELECT actor, action, table_name, tenant_id FROM flagforge_audit WHERE action = 'DROP';

-- A role with no grants learns nothing and changes nothing.
SET ROLE regress_attacker;
SELECT flagforge_is_enabled('beta', 'acme') AS attacker_evaluates;
SELECT flagforge_tenant_allowed('acme') AS allowed_for_itself;
SELECT flagforge_tenant_allowed('acme', 'regress_delegate');
SELECT flagforge_prune_audit('1 day');
SELECT flagforge_create_tenant_schema('regress_attacker_schema');
SELECT flagforge_enable('beta', 'acme');
SELECT count(*) FROM flagforge_tenant_roles;
SELECT count(*) FROM flagforge_tenant_security;
RESET ROLE;

-- Clean up.
SET client_min_messages = warning;
DROP SCHEMA regress_layout_tenant CASCADE;
DROP SCHEMA regress_delegated CASCADE;
REVOKE ALL ON FUNCTION flagforge_create_tenant_schema(text, boolean), flagforge_enable(text, text) FROM regress_delegate;
REVOKE CREATE ON DATABASE contrib_regression FROM regress_delegate;
REVOKE SELECT ON flagforge_flags FROM regress_delegate;
DROP TABLE pg_temp.t;
DROP CAST (pg_temp.e AS json);
DROP FUNCTION pg_temp.ej(pg_temp.e);
DROP TYPE pg_temp.e;
REVOKE CREATE ON SCHEMA public FROM regress_attacker;
DROP ROLE regress_delegate;
DROP ROLE regress_attacker;
TRUNCATE flagforge_flags CASCADE;
RESET client_min_messages;
