-- The demo the README's first command runs: the FlagForge example flag file,
-- a few tenant overrides, and the answers for several contexts.
\pset footer off
CREATE EXTENSION flagforge;

\echo '-- Importing test/examples/feature-flags.yaml (the FlagForge README example; note the rollout quirk warning):'
\set doc `cat test/examples/feature-flags.yaml`
SELECT * FROM flagforge_import_yaml(:'doc');

\echo '-- Make beta_checkout a real 20% rollout (default on), and a few tenant overrides:'
UPDATE flagforge_flags SET default_enabled = true WHERE key = 'beta_checkout';
SELECT flagforge_enable('new_dashboard', 'acme');
SELECT flagforge_set_override('beta_checkout', 'acme', enabled_for_groups => '{beta_testers}');
SELECT flagforge_disable('dark_mode', 'globex');

\echo '-- Every flag for a few contexts (flagforge_evaluate_all):'
SELECT tenant, user_id, groups, environment,
       flagforge_evaluate_all(tenant, user_id, groups, environment) AS flags
FROM (VALUES ('acme', 'user_42', '{}'::text[], 'production'),
             ('acme', 'user_7', '{beta_testers}', 'production'),
             ('acme', NULL, '{}', 'development'),
             ('globex', 'user_42', '{}', 'production')) AS c(tenant, user_id, groups, environment);

\echo '-- Why (flagforge_explain):'
SELECT flagforge_explain('beta_checkout', 'globex', 'user_42', NULL, 'production');

\echo '-- The 20% rollout of beta_checkout over 10,000 users of globex:'
SELECT count(*) FILTER (WHERE flagforge_is_enabled('beta_checkout', 'globex', 'user-' || i)) AS users_on,
       count(*) AS users
FROM generate_series(1, 10000) i;

\echo '-- The context from settings, as an app sets it per request:'
BEGIN;
SET LOCAL flagforge.tenant = 'acme';
SET LOCAL flagforge.user_id = 'user_7';
SET LOCAL flagforge.groups = 'beta_testers';
SET LOCAL flagforge.environment = 'production';
SELECT flagforge_is_enabled('beta_checkout') AS beta_checkout, flagforge_evaluate_all() AS all_flags;
COMMIT;

\echo '-- The flags as YAML again (flagforge_export_yaml):'
SELECT flagforge_export_yaml(include_overrides => true);
