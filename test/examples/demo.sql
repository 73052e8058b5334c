-- The demo the README's first command runs: the seed README's example flags,
-- a few tenant overrides, and the answers for several contexts.
\pset footer off
CREATE EXTENSION flagforge;

INSERT INTO flagforge_flags (key, name, description, default_enabled, is_public, rollout_percentage, environments) VALUES
    ('new_dashboard', 'New Dashboard', 'Redesigned dashboard UI', false, true, 0, '{staging,production}'),
    ('beta_checkout', 'Beta Checkout Flow', 'New one-page checkout', true, false, 20, NULL),
    ('dark_mode', 'Dark Mode', 'Dark theme for all users', true, true, 0, NULL);

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
