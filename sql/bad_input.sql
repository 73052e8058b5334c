-- Every odd input at every function: a clean error or a sane answer, and
-- the server never restarts.
\set VERBOSITY terse
SELECT pg_postmaster_start_time() AS started \gset
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.user_id; RESET flagforge.groups; RESET flagforge.environment;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('f', 'F', true, 50);
CREATE TEMP TABLE huge AS SELECT repeat('x', 1000000) AS mb, repeat('é', 500000) AS mb_utf8;

-- NULLs everywhere.
SELECT flagforge_is_enabled(NULL, NULL, NULL, NULL, NULL) AS is_enabled_null_key;
SELECT flagforge_is_enabled('f', NULL, NULL, NULL, NULL);
SELECT flagforge_evaluate_all(NULL, NULL, NULL, NULL, NULL);
SELECT flagforge_evaluate_many(NULL, NULL) AS many_null_keys;
SELECT flagforge_evaluate_many('{f}', NULL);
SELECT flagforge_bucket(NULL, NULL, NULL) AS bucket_all_null;
SELECT flagforge_explain(NULL) AS explain_null_key;
SELECT * FROM flagforge_status(NULL);
SELECT flagforge_enable(NULL, NULL);
SELECT flagforge_disable('f', NULL);
SELECT flagforge_set_override(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT flagforge_clear_override(NULL, NULL);
SELECT * FROM flagforge_import_yaml(NULL, NULL, NULL);
SELECT flagforge_export_yaml(NULL) IS NOT NULL AS export_null_option;
SELECT flagforge_create_tenant_schema(NULL);
SELECT * FROM flagforge_import_django(NULL);
SELECT flagforge_prune_audit(NULL) AS prune_null;

-- 1 MB strings as keys, tenants, users, groups, environments, names.
SELECT flagforge_is_enabled(mb, 'acme') AS huge_key, flagforge_is_enabled('f', mb, mb) IS NOT NULL AS huge_tenant_user,
       flagforge_is_enabled('f', 'acme', 'u', ARRAY[mb], mb) IS NOT NULL AS huge_group_env,
       flagforge_bucket(mb_utf8, mb_utf8, mb_utf8) BETWEEN 0 AND 99 AS huge_bucket,
       flagforge_evaluate_many(ARRAY[mb, 'f'], mb) ? 'f' AS huge_many,
       flagforge_explain(mb, 'acme') ->> 'error_code' AS huge_explain,
       length(flagforge_evaluate_all(mb, mb, ARRAY[mb], mb)::text) > 0 AS huge_all
FROM huge;
SELECT flagforge_enable(mb, 'acme') FROM huge;
SELECT flagforge_set_override('f', 'acme', enabled_for_users => ARRAY[mb]) FROM huge;
SELECT length((SELECT enabled_for_users[1] FROM flagforge_overrides WHERE tenant_id = 'acme')) AS stored_huge_user;
SELECT flagforge_is_enabled('f', 'acme', mb) AS huge_user_targeted FROM huge;
SELECT flagforge_enable('f', mb) FROM huge;
SELECT flagforge_is_enabled('f', mb, 'u') AS huge_tenant_override FROM huge;
INSERT INTO flagforge_flags (key, name) SELECT repeat('k', 256), 'too long' FROM huge;
SELECT flagforge_create_tenant_schema(mb) FROM huge;
SELECT * FROM flagforge_import_yaml((SELECT 'flags: {' || mb || ': {name: x}}' FROM huge));
SELECT * FROM flagforge_import_yaml((SELECT 'flags: {k: {name: "' || mb || '"}}' FROM huge));
SELECT length(name) AS huge_name FROM flagforge_flags WHERE key = 'k';
SELECT length(flagforge_export_yaml(true)) > 1000000 AS huge_export;

-- Arrays with NULL elements or two dimensions.
SELECT flagforge_is_enabled('f', 'acme', 'u', '{NULL}') IS NOT NULL AS null_group,
       flagforge_is_enabled('f', 'acme', 'u', '{{a,b},{c,d}}') IS NOT NULL AS two_dim_groups,
       flagforge_evaluate_many('{NULL,f,NULL}', 'acme') AS many_null_elements,
       flagforge_evaluate_many('{{f},{g}}', 'acme') AS many_two_dim,
       flagforge_evaluate_all('acme', NULL, '{NULL}') IS NOT NULL AS all_null_group;
SELECT flagforge_set_override('f', 'acme', enabled_for_users => '{NULL}');
SELECT flagforge_set_override('f', 'acme', enabled_for_groups => '{{a},{b}}');
SELECT flagforge_set_override('f', 'acme', rollout_percentage => 2147483647);
SELECT flagforge_set_override('f', 'acme', rollout_percentage => -2147483648);

-- Empty and garbage settings.
SET flagforge.groups = ',, ,';
SET flagforge.user_id = '';
SET flagforge.environment = '';
SET flagforge.tenant = '';
SELECT flagforge_is_enabled('f');
SET flagforge.tenant = E'\t';
SELECT flagforge_is_enabled('f') IS NOT NULL AS tab_tenant;
SET flagforge.tenancy = 'sideways';
SET flagforge.cache_memory_limit = 'lots';
SET flagforge.cache_memory_limit = 64;
SELECT flagforge_is_enabled('f') IS NOT NULL AS tiny_cache_limit;
RESET flagforge.cache_memory_limit; RESET flagforge.tenant; RESET flagforge.groups;
RESET flagforge.user_id; RESET flagforge.environment;

-- Invalid UTF-8 cannot arrive as text; through bytea conversion it is refused.
SELECT flagforge_is_enabled(convert_from('\xff'::bytea, 'UTF8'), 'acme');
SELECT * FROM flagforge_import_yaml(convert_from('\x666c6167733a207bff7d'::bytea, 'UTF8'));

-- Odd YAML: huge, deep, binary, empty.
SELECT * FROM flagforge_import_yaml(repeat('[', 100000));
SELECT * FROM flagforge_import_yaml(repeat('{a: ', 50000));
SELECT * FROM flagforge_import_yaml('flags: ' || repeat('x', 2000000));
SELECT * FROM flagforge_import_yaml(E'flags:\n  "\\0": {name: x}');
SELECT * FROM flagforge_import_yaml(E'\t\t\n');
SELECT * FROM flagforge_import_yaml('%YAML 1.1' || E'\n---\nflags: {}');

-- Wrong-type arguments never reach C.
SELECT flagforge_evaluate_many('not an array', 'acme');
SELECT flagforge_is_enabled('f', 'acme', 'u', 'not an array');

-- The server is still the one that started before this file.
SELECT pg_postmaster_start_time() = :'started' AS server_never_restarted;
TRUNCATE flagforge_flags CASCADE;
