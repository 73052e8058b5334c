-- Least privilege and search_path hijacking (the CVE-2018-1058 class).
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES
    ('beta', 'Beta', false, 0), ('half', 'Half', true, 50);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users)
VALUES ('acme', 'beta', false, '{alice@example.com}');

CREATE ROLE regress_flagforge_reader;
CREATE ROLE regress_flagforge_admin;
-- The admin recipe of the README.
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides TO regress_flagforge_admin;
GRANT EXECUTE ON FUNCTION flagforge_enable(text, text), flagforge_disable(text, text),
    flagforge_set_override(text, text, boolean, integer, text[], text[], text),
    flagforge_clear_override(text, text), flagforge_import_yaml(text, boolean, boolean)
    TO regress_flagforge_admin;

-- A role with nothing but the default EXECUTE evaluates every flag...
SET ROLE regress_flagforge_reader;
SELECT flagforge_is_enabled('beta', 'acme', 'alice@example.com') AS alice,
       flagforge_is_enabled('beta', 'acme', 'bob') AS bob,
       flagforge_evaluate_all('acme') AS all_flags,
       flagforge_evaluate_many('{half}', 'acme', 'u') AS many,
       flagforge_bucket('acme', 'half', 'u') AS bucket;
-- ...but cannot read the raw rows (targeting lists are personal data)...
SELECT * FROM flagforge_flags;
SELECT * FROM flagforge_overrides;
SELECT * FROM flagforge_tenant_tables;
-- ...nor change anything, by SQL or by function.
INSERT INTO flagforge_flags (key, name) VALUES ('mine', 'Mine');
UPDATE flagforge_overrides SET enabled = true;
DELETE FROM flagforge_overrides;
TRUNCATE flagforge_flags CASCADE;
SELECT flagforge_enable('beta', 'acme');
SELECT flagforge_disable('beta', 'acme');
SELECT flagforge_set_override('beta', 'acme', enabled => true);
SELECT flagforge_clear_override('beta', 'acme');
SELECT * FROM flagforge_import_yaml('flags: {mine: {name: Mine}}');
SELECT flagforge_create_tenant_schema('regress_mine');
SELECT * FROM flagforge_cache_stats();
RESET ROLE;
SELECT count(*) AS flags, (SELECT enabled FROM flagforge_overrides) AS acme_beta FROM flagforge_flags;

-- The admin role of the recipe can change flags.
SET ROLE regress_flagforge_admin;
SELECT flagforge_enable('beta', 'acme');
SELECT * FROM flagforge_import_yaml($$
flags:
  beta: {name: Beta}
  half: {name: Half, default_enabled: true, rollout_percentage: 50}
  admin_made: {name: Made by the admin}
$$);
SELECT flagforge_is_enabled('beta', 'acme', 'bob') AS acme_beta_now;
RESET ROLE;

-- The attacker: an unprivileged role plants operators, functions and a type
-- in its own schema, each of which records who ran it.
CREATE ROLE regress_flagforge_attacker;
CREATE SCHEMA regress_evil AUTHORIZATION regress_flagforge_attacker;
GRANT USAGE ON SCHEMA regress_evil TO PUBLIC;
SET ROLE regress_flagforge_attacker;
CREATE TABLE regress_evil.hits (who name, what pg_catalog.text);
GRANT INSERT, SELECT ON regress_evil.hits TO PUBLIC;
CREATE FUNCTION regress_evil.record(what pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$ BEGIN INSERT INTO regress_evil.hits VALUES (current_user, what); RETURN true; END $$;
CREATE FUNCTION regress_evil.text_eq(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('= text'); RETURN pg_catalog.texteq($1, $2); END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = regress_evil.text_eq);
CREATE FUNCTION regress_evil.bool_eq(pg_catalog.bool, pg_catalog.bool) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('= boolean'); RETURN pg_catalog.booleq($1, $2); END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = pg_catalog.bool, RIGHTARG = pg_catalog.bool, FUNCTION = regress_evil.bool_eq);
CREATE FUNCTION regress_evil.overlap(pg_catalog.text[], pg_catalog.text[]) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('&& text[]'); RETURN pg_catalog.arrayoverlap($1, $2); END $$;
CREATE OPERATOR regress_evil.&& (LEFTARG = pg_catalog.text[], RIGHTARG = pg_catalog.text[], FUNCTION = regress_evil.overlap);
CREATE FUNCTION regress_evil.int_lt(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('< integer'); RETURN pg_catalog.int4lt($1, $2); END $$;
CREATE OPERATOR regress_evil.< (LEFTARG = pg_catalog.int4, RIGHTARG = pg_catalog.int4, FUNCTION = regress_evil.int_lt);
CREATE FUNCTION regress_evil.current_setting(pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('current_setting'); RETURN pg_catalog.current_setting($1); END $$;
CREATE FUNCTION regress_evil.current_setting(pg_catalog.text, pg_catalog.bool) RETURNS pg_catalog.text
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('current_setting'); RETURN pg_catalog.current_setting($1, $2); END $$;
CREATE FUNCTION regress_evil.lower(pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('lower'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION regress_evil.now() RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('now'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION regress_evil.string_to_array(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.text[]
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('string_to_array'); RETURN pg_catalog.string_to_array($1, $2); END $$;
CREATE DOMAIN regress_evil.text AS pg_catalog.text CHECK (regress_evil.record('text domain'));
CREATE FUNCTION regress_evil.jsonb_to_recordset(pg_catalog.jsonb) RETURNS SETOF record
LANGUAGE plpgsql AS $$ BEGIN PERFORM regress_evil.record('jsonb_to_recordset'); END $$;
-- The traps work: called from the attacker's own session they record a hit.
SET search_path = regress_evil, pg_catalog, public;
SELECT 'a' = 'a' AS trap_fires;
SELECT count(*) AS own_hits FROM regress_evil.hits;
DELETE FROM regress_evil.hits;
RESET search_path;
RESET ROLE;

-- A superuser (the worst case) and the admin role call every flagforge
-- function with the attacker's schema first on search_path.
SET search_path = regress_evil, pg_catalog, public;
SET flagforge.tenant = 'acme';
SET flagforge.user_id = 'alice@example.com';
SET flagforge.groups = 'beta,staff';
SET flagforge.environment = 'production';
SELECT flagforge_is_enabled('beta') AS ctx, flagforge_is_enabled('beta', 'acme', 'bob', '{staff}', 'production') AS explicit;
SELECT flagforge_evaluate_all() IS NOT NULL AS ctx_all, flagforge_evaluate_all('acme', 'u', '{g}', 'prod', true) IS NOT NULL AS all_flags;
SELECT flagforge_evaluate_many('{beta,half}', 'acme') IS NOT NULL AS many, flagforge_bucket('a', 'b', 'c') >= 0 AS bucket,
       flagforge_version() IS NOT NULL AS version, (flagforge_cache_stats()).flags >= 0 AS stats;
SELECT flagforge_enable('beta', 'globex');
SELECT flagforge_disable('beta', 'globex');
SELECT flagforge_set_override('beta', 'globex', true, 20, '{alice}', '{staff}', 'ops');
SELECT flagforge_clear_override('beta', 'globex');
SELECT * FROM flagforge_import_yaml($$
flags:
  beta: {name: Beta, environments: [production]}
  half: {name: Half, default_enabled: true, rollout_percentage: 50}
  hijack_test: {name: H}
overrides:
  initech: {beta: {enabled: true, enabled_for_groups: [staff]}}
$$, prune => true);
SELECT flagforge_create_tenant_schema('regress_tenant_evil');
SET search_path = regress_evil, regress_tenant_evil, pg_catalog, public;
SELECT flagforge_enable('beta');
SELECT flagforge_is_enabled('beta') AS tenant_schema, flagforge_evaluate_all() IS NOT NULL AS tenant_all;
DROP SCHEMA regress_tenant_evil CASCADE;
SET ROLE regress_flagforge_admin;
SET search_path = regress_evil, pg_catalog, public;
SELECT flagforge_enable('beta', 'globex');
SELECT * FROM flagforge_import_yaml('flags: {beta: {name: Beta}}');
RESET ROLE;
RESET search_path;
RESET flagforge.tenant; RESET flagforge.user_id; RESET flagforge.groups; RESET flagforge.environment;

-- None of the planted code ran with anyone's rights.
SELECT who, what FROM regress_evil.hits;

-- Clean up.
DROP SCHEMA regress_evil CASCADE;
REVOKE ALL ON flagforge_flags, flagforge_overrides FROM regress_flagforge_admin;
REVOKE ALL ON FUNCTION flagforge_enable(text, text), flagforge_disable(text, text),
    flagforge_set_override(text, text, boolean, integer, text[], text[], text),
    flagforge_clear_override(text, text), flagforge_import_yaml(text, boolean, boolean)
    FROM regress_flagforge_admin;
DROP ROLE regress_flagforge_reader, regress_flagforge_admin, regress_flagforge_attacker;
TRUNCATE flagforge_flags CASCADE;
