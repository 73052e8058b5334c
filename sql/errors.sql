-- Odd input never crashes the backend: a clear error or a sane answer.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.environment;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('f', 'F', true, 50);

-- NULL flag keys give NULL, as SQL functions do.
SELECT flagforge_is_enabled(NULL, 'acme') IS NULL AS explicit_form,
       flagforge_is_enabled(NULL::text) IS NULL AS context_form;

-- NULL user, groups and environment are the anonymous user, no groups, no environment.
SELECT flagforge_is_enabled('f', 'acme', NULL, NULL, NULL) = (flagforge_bucket('acme', 'f', NULL) < 50) AS all_null;

-- Huge strings (1 MB) are just strings.
SELECT flagforge_is_enabled(repeat('k', 1000000), 'acme') AS huge_key,
       flagforge_is_enabled('f', repeat('t', 1000000), 'u') IS NOT NULL AS huge_tenant,
       flagforge_is_enabled('f', 'acme', repeat('u', 1000000)) IS NOT NULL AS huge_user,
       flagforge_bucket(repeat('t', 1000000), 'f', repeat('u', 1000000)) BETWEEN 0 AND 99 AS huge_bucket;
SELECT flagforge_is_enabled('f', 'acme', 'u', array_fill('g'::text, ARRAY[100000])) IS NOT NULL AS huge_groups;

-- Empty strings everywhere.
SELECT flagforge_is_enabled('', '', '', '{""}', '') AS empty_everything;

-- Groups with NULL elements and more dimensions.
SELECT flagforge_is_enabled('f', 'acme', 'u', '{NULL,NULL}') IS NOT NULL AS null_groups,
       flagforge_is_enabled('f', 'acme', 'u', '{{a,b},{c,d}}') IS NOT NULL AS two_dim_groups,
       flagforge_is_enabled('f', 'acme', 'u', '{}') IS NOT NULL AS empty_groups;

-- Garbage settings are only strings: an unknown environment gates nothing here.
SET flagforge.groups = ',,,,';
SET flagforge.tenant = '   ';
SELECT flagforge_is_enabled('f') IS NOT NULL AS blank_tenant_is_a_tenant;
RESET flagforge.groups; RESET flagforge.tenant;

-- The cache bound must be a sane number.
SET flagforge.cache_memory_limit = -1;
SET flagforge.cache_memory_limit = '1MB';
SHOW flagforge.cache_memory_limit;
RESET flagforge.cache_memory_limit;

-- The trigger function refuses to be called directly.
SELECT flagforge_row_changed();

-- The server is still the one we started with.
SELECT count(*) AS flags FROM flagforge_flags;

TRUNCATE flagforge_flags CASCADE;
