-- flagforge_evaluate_all and flagforge_evaluate_many return jsonb objects.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.user_id; RESET flagforge.groups; RESET flagforge.environment;

-- No flags: an empty object.
SELECT flagforge_evaluate_all('acme');

INSERT INTO flagforge_flags (key, name, default_enabled, is_public, environments) VALUES
    ('new_dashboard', 'New Dashboard', false, true, '{staging,production}'),
    ('beta_checkout', 'Beta Checkout', false, false, NULL),
    ('dark_mode', 'Dark Mode', true, true, NULL),
    ('ünïcödé 🚀', 'Unicode key', true, false, NULL),
    ('a', 'Short key', false, false, NULL);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_groups) VALUES
    ('acme', 'beta_checkout', NULL, '{beta}'),
    ('acme', 'new_dashboard', true, '{}'),
    ('acme', 'dark_mode', false, '{}');

-- Every flag, for several contexts.
SELECT flagforge_evaluate_all('acme', 'user_42', '{beta}', 'production');
SELECT flagforge_evaluate_all('acme', 'user_42', NULL, 'staging');
SELECT flagforge_evaluate_all('acme');
SELECT flagforge_evaluate_all('globex', 'user_42', '{beta}', 'production');

-- public_only keeps the is_public flags (for unauthenticated clients).
SELECT flagforge_evaluate_all('acme', NULL, NULL, 'production', public_only => true);

-- Named arguments, as ORMs send them.
SELECT flagforge_evaluate_all(tenant => 'acme', environment => 'production', groups => '{beta}');

-- The result agrees with flagforge_is_enabled for every flag.
SELECT count(*) AS disagreements
FROM flagforge_flags f,
     LATERAL (VALUES ('acme'), ('globex')) t(tenant),
     LATERAL (VALUES (NULL::text[]), ('{beta}')) g(groups),
     LATERAL (VALUES (NULL::text), ('production')) e(env)
WHERE (flagforge_evaluate_all(t.tenant, 'u', g.groups, e.env) ->> f.key)::boolean
      IS DISTINCT FROM flagforge_is_enabled(f.key, t.tenant, 'u', g.groups, e.env);

-- The context form reads the settings.
SET flagforge.tenant = 'acme';
SET flagforge.groups = 'beta';
SET flagforge.environment = 'production';
SELECT flagforge_evaluate_all();
RESET flagforge.tenant; RESET flagforge.groups; RESET flagforge.environment;

-- evaluate_many: only the keys asked for; unknown keys present and false.
SELECT flagforge_evaluate_many('{dark_mode,beta_checkout,no_such_flag}', 'acme', NULL, '{beta}');
SELECT flagforge_evaluate_many('{}', 'acme');
SELECT flagforge_evaluate_many('{dark_mode,dark_mode}', 'globex');
SELECT flagforge_evaluate_many('{dark_mode,NULL}', 'globex') AS null_keys_skipped;
SELECT flagforge_evaluate_many(NULL, 'acme') IS NULL AS null_array;
SELECT flagforge_evaluate_many('{{dark_mode},{a}}', 'globex') AS two_dimensional;

-- Groups arrays with NULL elements or two dimensions are read element by element.
SELECT flagforge_evaluate_many('{beta_checkout}', 'acme', 'u', '{NULL,beta}') AS null_group_skipped,
       flagforge_evaluate_many('{beta_checkout}', 'acme', 'u', '{{x},{beta}}') AS two_dim_groups;

TRUNCATE flagforge_flags CASCADE;
