-- Schema-per-tenant: overrides in a registered table of the tenant's schema,
-- found through search_path (django-tenants, apartment, SET search_path).
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.tenancy;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES
    ('beta', 'Beta', false, 0),
    ('half', 'Half', true, 50);

-- Create tenant schemas; names are quoted, never executed.
SELECT flagforge_create_tenant_schema('tenant_acme');
SELECT flagforge_create_tenant_schema('tenant_globex');
SELECT flagforge_create_tenant_schema('Tenant "Odd"; DROP TABLE flagforge_flags; --');
SELECT count(*) AS flags_still_there FROM flagforge_flags;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'Tenant%';
-- Calling it again returns the same table.
SELECT flagforge_create_tenant_schema('tenant_acme');
-- The table has the override columns without tenant_id, and is closed to PUBLIC.
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'tenant_acme.flagforge_overrides'::regclass AND attnum > 0 ORDER BY attnum;
SELECT has_table_privilege('public', 'tenant_acme.flagforge_overrides', 'SELECT') AS public_can_read;
SELECT table_oid, has_tenant_id FROM flagforge_tenant_tables ORDER BY table_oid::text;

-- An empty name is refused; an existing table that was not registered is not adopted.
SELECT flagforge_create_tenant_schema('');
CREATE SCHEMA lookalike;
CREATE TABLE lookalike.flagforge_overrides (LIKE tenant_acme.flagforge_overrides INCLUDING DEFAULTS);
SELECT flagforge_create_tenant_schema('lookalike');

-- In a tenant schema the DBA functions write the tenant's table; the tenant
-- defaults to the schema's name.
SET search_path = tenant_acme, public;
SELECT flagforge_enable('beta');
SELECT flag_key, enabled FROM tenant_acme.flagforge_overrides;
SELECT count(*) AS shared_overrides FROM public.flagforge_overrides;
SELECT flagforge_is_enabled('beta') AS acme_beta, flagforge_evaluate_all() AS acme_all;

-- The schema's name is the tenant used for bucketing...
SELECT count(*) FILTER (WHERE flagforge_is_enabled('half', NULL, 'user-' || i)
                        <> (flagforge_bucket('tenant_acme', 'half', 'user-' || i) < 50)) AS disagree_schema_bucket
FROM generate_series(1, 500) i;
-- ...unless a tenant is given: it is used as given, the overrides stay the schema's.
SELECT flagforge_is_enabled('beta', 'acme-corp') AS explicit_tenant_same_overrides,
       count(*) FILTER (WHERE flagforge_is_enabled('half', 'acme-corp', 'user-' || i)
                        <> (flagforge_bucket('acme-corp', 'half', 'user-' || i) < 50)) AS disagree_explicit_bucket
FROM generate_series(1, 500) i;
SET flagforge.tenant = 'from-setting';
SELECT flagforge_is_enabled('half', NULL, 'user-1') = (flagforge_bucket('from-setting', 'half', 'user-1') < 50) AS setting_before_schema;
RESET flagforge.tenant;

-- Switching search_path between calls switches tenants.
SET search_path = tenant_globex, public;
SELECT flagforge_is_enabled('beta') AS globex_beta;
SELECT flagforge_set_override('beta', enabled => false, enabled_for_users => '{vip}');
SELECT flagforge_is_enabled('beta', NULL, 'vip') AS globex_vip, flagforge_is_enabled('beta', NULL, 'other') AS globex_other;
SET search_path = public;
SELECT flagforge_is_enabled('beta', 'tenant_acme') AS shared_table_knows_nothing;

-- A look-alike table that was not registered is ignored: a user cannot
-- switch flags on for themselves by creating one.
INSERT INTO lookalike.flagforge_overrides (flag_key, enabled) VALUES ('beta', true);
SET search_path = lookalike, public;
SELECT flagforge_is_enabled('beta', 'lookalike') AS lookalike_ignored;
SET search_path = public;

-- The first registered tenant table on the path wins.
SET search_path = lookalike, tenant_globex, tenant_acme, public;
SELECT flagforge_is_enabled('beta', NULL, 'other') AS globex_first_says_off;
SET search_path = lookalike, tenant_acme, tenant_globex, public;
SELECT flagforge_is_enabled('beta', NULL, 'other') AS acme_first_says_on;
SET search_path = public;

-- A django-tenants-style loop: one session hops across 200 tenants.
DO $$
DECLARE i int;
BEGIN
    FOR i IN 1..200 LOOP
        PERFORM flagforge_create_tenant_schema('hop_' || i);
        IF i % 3 = 0 THEN
            EXECUTE format('INSERT INTO %I.flagforge_overrides (flag_key, enabled) VALUES (''beta'', true)', 'hop_' || i);
        END IF;
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.hop(n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('search_path', 'hop_' || n || ', public', true);
    RETURN flagforge_is_enabled('beta');
END $$;
SELECT count(*) FILTER (WHERE pg_temp.hop(i)) AS hops_on, count(*) FILTER (WHERE pg_temp.hop(i) <> (i % 3 = 0)) AS wrong
FROM generate_series(1, 200) i;
SET search_path = public;

-- Functions that set their own search_path see their own tenant.
CREATE FUNCTION pg_temp.beta_for_globex() RETURNS boolean LANGUAGE sql
SET search_path = tenant_globex, public AS $$ SELECT flagforge_is_enabled('beta', NULL, 'other') $$;
SET search_path = tenant_acme, public;
SELECT pg_temp.beta_for_globex() AS inside_globex_function, flagforge_is_enabled('beta', NULL, 'other') AS outside_acme;
SET search_path = public;

-- flagforge.tenancy = column ignores tenant schemas.
SET flagforge.tenancy = 'column';
SET search_path = tenant_acme, public;
SELECT flagforge_is_enabled('beta', 'tenant_acme') AS column_mode;
-- flagforge.tenancy = schema refuses to fall back to the shared table.
SET flagforge.tenancy = 'schema';
SELECT flagforge_is_enabled('beta') AS schema_mode;
SET search_path = public;
SELECT flagforge_is_enabled('beta', 'acme');
SELECT flagforge_evaluate_all('acme');
SELECT flagforge_enable('beta', 'acme');
RESET flagforge.tenancy;

-- Renaming a tenant schema keeps its overrides; its new name is the default tenant.
ALTER SCHEMA tenant_acme RENAME TO tenant_acme_renamed;
SET search_path = tenant_acme_renamed, public;
SELECT flagforge_is_enabled('beta') AS renamed_still_on,
       flagforge_is_enabled('half', NULL, 'u') = (flagforge_bucket('tenant_acme_renamed', 'half', 'u') < 50) AS new_name_buckets;
SET search_path = public;

-- Dropping a tenant schema forgets its table; evaluation falls back.
DROP SCHEMA tenant_globex CASCADE;
SELECT count(*) AS globex_registered FROM flagforge_tenant_tables WHERE table_oid::text LIKE 'tenant_globex.%';
SET search_path = tenant_globex, public;
SELECT flagforge_is_enabled('beta', 'tenant_globex', 'vip') AS after_drop;
SET search_path = public;

-- A tenant table keeps following the flags: deleting a flag deletes its overrides.
DELETE FROM flagforge_flags WHERE key = 'beta';
SELECT count(*) AS acme_overrides_left FROM tenant_acme_renamed.flagforge_overrides;

-- with_tenant_id: the reference's "schema" mode, rows filtered by tenant.
INSERT INTO flagforge_flags (key, name) VALUES ('beta', 'Beta');
SELECT flagforge_create_tenant_schema('shared_schema', with_tenant_id => true);
SET search_path = shared_schema, public;
SELECT flagforge_enable('beta', 't1');
SELECT tenant_id, flag_key, enabled FROM shared_schema.flagforge_overrides;
SELECT flagforge_is_enabled('beta', 't1') AS t1, flagforge_is_enabled('beta', 't2') AS t2;
SET search_path = public;

-- Clean up.
SET client_min_messages = warning;
DO $$
DECLARE s text;
BEGIN
    FOR s IN SELECT n.nspname FROM flagforge_tenant_tables t
             JOIN pg_class c ON c.oid = t.table_oid JOIN pg_namespace n ON n.oid = c.relnamespace LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
END $$;
DROP SCHEMA lookalike CASCADE;
RESET client_min_messages;
SELECT count(*) AS registered_left FROM flagforge_tenant_tables;
TRUNCATE flagforge_flags CASCADE;
