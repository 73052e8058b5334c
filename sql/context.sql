-- The context: arguments first, then the flagforge.* settings.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.user_id; RESET flagforge.groups; RESET flagforge.environment;

INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments) VALUES
    ('beta', 'Beta', false, 0, NULL),
    ('prod_only', 'Production only', true, 0, '{production}'),
    ('half', 'Half', true, 50, NULL);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users, enabled_for_groups)
VALUES ('acme', 'beta', false, '{user_42}', '{staff}');

-- The context form reads every setting.
SET flagforge.tenant = 'acme';
SET flagforge.user_id = 'user_42';
SELECT flagforge_is_enabled('beta') AS targeted_user;
SET flagforge.user_id = 'user_7';
SELECT flagforge_is_enabled('beta') AS other_user;

-- flagforge.groups is comma-separated; blanks around names are trimmed.
SET flagforge.groups = 'sales, staff';
SELECT flagforge_is_enabled('beta') AS group_from_setting;
SET flagforge.groups = ' ,, sales ,';
SELECT flagforge_is_enabled('beta') AS not_in_group;
RESET flagforge.groups;

-- An empty user setting is the anonymous user, bucketed as ''.
SET flagforge.user_id = '';
SELECT flagforge_is_enabled('half') = (flagforge_bucket('acme', 'half', '') < 50) AS anonymous_bucket;

-- flagforge.environment feeds the gate; the argument wins over it.
SET flagforge.environment = 'production';
SELECT flagforge_is_enabled('prod_only') AS from_setting,
       flagforge_is_enabled('prod_only', 'acme', NULL, NULL, NULL) AS null_arg_uses_setting,
       flagforge_is_enabled('prod_only', 'acme', NULL, NULL, 'staging') AS arg_wins;
RESET flagforge.environment;
SELECT flagforge_is_enabled('prod_only') AS no_environment;

-- The explicit form takes its arguments as given: the settings' user and
-- groups are not used (a NULL user is anonymous).
SET flagforge.user_id = 'user_42';
SET flagforge.groups = 'staff';
SELECT flagforge_is_enabled('beta', 'acme') AS explicit_anonymous,
       flagforge_is_enabled('beta', 'acme', 'user_42') AS explicit_user;
RESET flagforge.groups;

-- A NULL tenant argument falls back to flagforge.tenant.
SELECT flagforge_is_enabled('beta', NULL, 'user_42') AS tenant_from_setting;

-- SET LOCAL lasts for the transaction, as an app sets it per request.
RESET flagforge.tenant;
BEGIN;
SET LOCAL flagforge.tenant = 'acme';
SET LOCAL flagforge.user_id = 'user_42';
SELECT flagforge_is_enabled('beta') AS in_transaction, flagforge_evaluate_all() AS all_flags;
COMMIT;
SHOW flagforge.tenant;

-- No tenant from any source is an error that says how to give one.
\set VERBOSITY default
SELECT flagforge_is_enabled('beta');
SELECT flagforge_is_enabled('beta', NULL);
SELECT flagforge_evaluate_all();
SELECT flagforge_evaluate_all(NULL);
SELECT flagforge_enable('beta', NULL);
\set VERBOSITY terse

-- An explicit empty tenant is a tenant like any other.
SELECT flagforge_is_enabled('half', '', 'u') = (flagforge_bucket('', 'half', 'u') < 50) AS empty_tenant;

-- The settings are reserved: a misspelt one is refused, not silently ignored.
SET flagforge.tenent = 'acme';

RESET flagforge.user_id;
TRUNCATE flagforge_flags CASCADE;
