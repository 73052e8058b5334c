-- The DBA functions: what the reference's admin endpoints and CLI do.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant;

INSERT INTO flagforge_flags (key, name, default_enabled) VALUES
    ('new_dashboard', 'New Dashboard', false),
    ('dark_mode', 'Dark Mode', true);

-- enable / disable set the override's enabled and nothing else.
SELECT flagforge_enable('new_dashboard', 'acme');
SELECT flagforge_is_enabled('new_dashboard', 'acme') AS acme, flagforge_is_enabled('new_dashboard', 'globex') AS globex;
SELECT flagforge_disable('dark_mode', 'acme');
SELECT flagforge_is_enabled('dark_mode', 'acme') AS acme, flagforge_is_enabled('dark_mode', 'globex') AS globex;
SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups,
       updated_by = current_user AS by_current_user
FROM flagforge_overrides ORDER BY flag_key;

-- set_override with named arguments; NULL (or an omitted argument) leaves a field as it is.
SELECT flagforge_set_override('new_dashboard', 'acme', enabled_for_users => '{alice}', rollout_percentage => 10,
                              updated_by => 'ops-bot');
SELECT enabled, rollout_percentage, enabled_for_users, enabled_for_groups, updated_by
FROM flagforge_overrides WHERE flag_key = 'new_dashboard';
SELECT flagforge_set_override('new_dashboard', 'acme', enabled => false, enabled_for_groups => '{staff}');
SELECT enabled, rollout_percentage, enabled_for_users, enabled_for_groups, updated_by = current_user AS by_current_user
FROM flagforge_overrides WHERE flag_key = 'new_dashboard';
SELECT flagforge_is_enabled('new_dashboard', 'acme', 'alice') AS alice,
       flagforge_is_enabled('new_dashboard', 'acme', 'carol', '{staff}') AS staff,
       flagforge_is_enabled('new_dashboard', 'acme', 'carol') AS carol;

-- Empty lists clear the targeting.
SELECT flagforge_set_override('new_dashboard', 'acme', enabled_for_users => '{}', enabled_for_groups => '{}');
SELECT enabled_for_users, enabled_for_groups FROM flagforge_overrides WHERE flag_key = 'new_dashboard';

-- A new override made by set_override starts with no opinion and empty lists.
SELECT flagforge_set_override('dark_mode', 'globex', rollout_percentage => 50);
SELECT enabled, rollout_percentage, enabled_for_users, enabled_for_groups
FROM flagforge_overrides WHERE tenant_id = 'globex';
SELECT flagforge_is_enabled('dark_mode', 'globex', 'anyone') AS no_opinion_falls_back;

-- clear_override deletes the override; true only if there was one.
SELECT flagforge_clear_override('dark_mode', 'acme') AS cleared;
SELECT flagforge_clear_override('dark_mode', 'acme') AS cleared_again;
SELECT flagforge_is_enabled('dark_mode', 'acme') AS back_to_default;

-- The tenant may come from flagforge.tenant.
SET flagforge.tenant = 'initech';
SELECT flagforge_enable('new_dashboard', NULL);
SELECT flagforge_is_enabled('new_dashboard') AS initech;
RESET flagforge.tenant;

-- An unknown flag is an error naming it, and nothing is written.
SELECT flagforge_enable('no_such_flag', 'acme');
SELECT flagforge_disable('no_such_flag', 'acme');
SELECT flagforge_set_override('no_such_flag', 'acme', enabled => true);
SELECT flagforge_clear_override('no_such_flag', 'acme');
SELECT count(*) AS overrides FROM flagforge_overrides;

-- Bad arguments are refused with a message naming them.
SELECT flagforge_enable(NULL, 'acme');
SELECT flagforge_set_override('dark_mode', 'acme', rollout_percentage => 101);
SELECT flagforge_set_override('dark_mode', 'acme', rollout_percentage => -5);
SELECT flagforge_set_override('dark_mode', 'acme', enabled_for_users => '{alice,NULL}');
SELECT flagforge_set_override('dark_mode', 'acme', enabled_for_groups => '{{a},{b}}');

-- The error carries its errcode (undefined_object) for applications to test.
DO $$
BEGIN
    PERFORM flagforge_enable('no_such_flag', 'acme');
EXCEPTION WHEN undefined_object THEN
    RAISE NOTICE 'caught undefined_object: %', SQLERRM;
END $$;

-- The DBA functions are writers: refused in a read-only transaction.
BEGIN READ ONLY;
SELECT flagforge_enable('dark_mode', 'acme');
ROLLBACK;

TRUNCATE flagforge_flags CASCADE;
