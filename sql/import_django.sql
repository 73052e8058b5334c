-- flagforge_import_django: migrating from the FlagForge Django app's tables.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
SET client_min_messages = warning;

-- The Django app's tables as its migrations create them (JSON lists, key_id foreign key).
CREATE SCHEMA django_app;
CREATE TABLE django_app.feature_flag_definition (
    id bigserial PRIMARY KEY, key varchar(255) UNIQUE NOT NULL, name varchar(255) NOT NULL,
    description text NOT NULL DEFAULT '', default_enabled boolean NOT NULL DEFAULT false,
    is_public boolean NOT NULL DEFAULT false, rollout_percentage integer NOT NULL DEFAULT 0,
    deprecated boolean NOT NULL DEFAULT false, environments jsonb,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE django_app.tenant_feature_flag (
    id bigserial PRIMARY KEY, tenant_id varchar(255) NOT NULL,
    key_id bigint NOT NULL REFERENCES django_app.feature_flag_definition (id),
    enabled boolean, rollout_percentage integer, enabled_for_users jsonb NOT NULL DEFAULT '[]',
    enabled_for_groups jsonb NOT NULL DEFAULT '[]', updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by varchar(255), UNIQUE (tenant_id, key_id));
INSERT INTO django_app.feature_flag_definition (key, name, default_enabled, is_public, rollout_percentage, environments) VALUES
    ('new_dashboard', 'New Dashboard', false, true, 0, '["staging", "production"]'),
    ('beta_checkout', 'Beta Checkout', true, false, 20, NULL),
    ('dark_mode', 'Dark Mode', true, true, 0, NULL);
INSERT INTO django_app.tenant_feature_flag (tenant_id, key_id, enabled, rollout_percentage, enabled_for_users, enabled_for_groups)
SELECT 'acme', id, true, NULL::integer, '["alice"]'::jsonb, '[]'::jsonb FROM django_app.feature_flag_definition WHERE key = 'new_dashboard'
UNION ALL
SELECT 'acme', id, false, NULL, '[]', '["beta"]' FROM django_app.feature_flag_definition WHERE key = 'dark_mode'
UNION ALL
SELECT 'globex', id, true, 60, '[]', '[]' FROM django_app.feature_flag_definition WHERE key = 'beta_checkout';

-- Hybrid mode: tenant schemas with tenant_flag_override tables.
CREATE SCHEMA tenant_initech;
CREATE TABLE tenant_initech.tenant_flag_override (
    id bigserial PRIMARY KEY, key_id bigint NOT NULL, enabled boolean, rollout_percentage integer,
    enabled_for_users jsonb NOT NULL DEFAULT '[]', enabled_for_groups jsonb NOT NULL DEFAULT '[]');
INSERT INTO tenant_initech.tenant_flag_override (key_id, enabled, enabled_for_users)
SELECT id, false, '["bob"]' FROM django_app.feature_flag_definition WHERE key = 'dark_mode';

-- The import copies everything.
SELECT * FROM flagforge_import_django('django_app');
SELECT key, name, default_enabled, is_public, rollout_percentage, environments FROM flagforge_flags ORDER BY key;
SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups
FROM flagforge_overrides ORDER BY tenant_id, flag_key;
SELECT flag_key, enabled, enabled_for_users FROM tenant_initech.flagforge_overrides;

-- Every context evaluates as the Python library did.
SELECT flagforge_evaluate_all('acme', 'alice', NULL, 'production') AS acme_alice,
       flagforge_evaluate_all('acme', 'carol', '{beta}', 'production') AS acme_carol_beta,
       flagforge_evaluate_all('globex', 'user-1', NULL, 'staging') AS globex;
SET search_path = tenant_initech, public;
SELECT flagforge_evaluate_all(NULL, 'bob') AS initech_bob, flagforge_evaluate_all(NULL, 'eve') AS initech_eve;
RESET search_path;

-- Running it again changes nothing (idempotent): no row is rewritten.
SELECT count(*) AS audit_rows_before FROM flagforge_audit \gset
SELECT * FROM flagforge_import_django('django_app');
SELECT count(*) - :audit_rows_before AS rows_changed_by_second_run FROM flagforge_audit;

-- A change in the Django tables is carried over on the next run.
UPDATE django_app.feature_flag_definition SET rollout_percentage = 50 WHERE key = 'beta_checkout';
SELECT count(*) FROM flagforge_import_django('django_app');
SELECT rollout_percentage FROM flagforge_flags WHERE key = 'beta_checkout';

-- All or nothing: a bad row (rollout 150) leaves everything as it was.
UPDATE django_app.feature_flag_definition SET rollout_percentage = 150 WHERE key = 'dark_mode';
UPDATE django_app.feature_flag_definition SET name = 'Renamed' WHERE key = 'new_dashboard';
SELECT * FROM flagforge_import_django('django_app');
SELECT name FROM flagforge_flags WHERE key = 'new_dashboard';

-- A schema without the app's tables is an error naming it.
SELECT * FROM flagforge_import_django('no_such_schema');

-- A plain user's look-alike tenant table is not read, and no function of its runs
-- (a column of its own type whose output function would make it superuser).
RESET client_min_messages;
CREATE ROLE regress_django_mallory;
GRANT CREATE ON DATABASE contrib_regression TO regress_django_mallory;
SET ROLE regress_django_mallory;
CREATE SCHEMA tenant_mallory;
CREATE TYPE tenant_mallory.evil AS ENUM ('x');
CREATE FUNCTION tenant_mallory.evil_json(tenant_mallory.evil) RETURNS json LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'ALTER ROLE regress_django_mallory SUPERUSER'; RETURN '"x"'; END $$;
CREATE CAST (tenant_mallory.evil AS json) WITH FUNCTION tenant_mallory.evil_json(tenant_mallory.evil);
CREATE TABLE tenant_mallory.tenant_flag_override (
    id bigserial PRIMARY KEY, key_id bigint NOT NULL, enabled boolean, rollout_percentage integer,
    enabled_for_users jsonb NOT NULL DEFAULT '[]', enabled_for_groups jsonb NOT NULL DEFAULT '[]',
    v tenant_mallory.evil DEFAULT 'x');
INSERT INTO tenant_mallory.tenant_flag_override (key_id, enabled) SELECT 1, true;
RESET ROLE;
UPDATE django_app.feature_flag_definition SET rollout_percentage = 10 WHERE key = 'dark_mode';
SELECT * FROM flagforge_import_django('django_app');
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'regress_django_mallory';
SELECT count(*) AS mallory_tenant_tables FROM flagforge_tenant_tables WHERE table_oid::text LIKE 'tenant_mallory.%';
-- Naming the plain user's schema trusts its owner's tables, but still runs no code of
-- theirs: a column of a type defined in the database is refused.
CREATE TABLE tenant_mallory.feature_flag_definition (id bigint, key text, name text, v tenant_mallory.evil DEFAULT 'x');
ALTER TABLE tenant_mallory.feature_flag_definition OWNER TO regress_django_mallory;
SELECT * FROM flagforge_import_django('tenant_mallory');
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'regress_django_mallory';
SET client_min_messages = warning;
DROP SCHEMA tenant_mallory CASCADE;
REVOKE CREATE ON DATABASE contrib_regression FROM regress_django_mallory;
DROP ROLE regress_django_mallory;

RESET client_min_messages;
SET client_min_messages = warning;
DROP SCHEMA django_app CASCADE;
DROP SCHEMA tenant_initech CASCADE;
RESET client_min_messages;
TRUNCATE flagforge_flags CASCADE;
