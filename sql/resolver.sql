-- The evaluation order of the reference library, rule by rule.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.environment;

INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments) VALUES
    ('default_on',   'Default on',            true,  0,   NULL),
    ('default_off',  'Default off',           false, 0,   NULL),
    ('quirk',        'Off with a rollout',    false, 20,  NULL),
    ('rollout_100',  'Rollout 100',           true,  100, NULL),
    ('half',         'Half of users',         true,  50,  NULL),
    ('staged',       'Staging and prod only', true,  0,   '{staging,production}'),
    ('nowhere',      'No environment',        true,  0,   '{}'),
    ('targeted',     'Off but targeted',      false, 0,   NULL),
    ('no_opinion',   'Override has no opinion', true, 0,  NULL),
    ('own_rollout',  'Override rollout',      false, 0,   NULL);
UPDATE flagforge_flags SET deprecated = true WHERE key = 'default_on';

-- 2. No override: the default decides (deprecated flags are still evaluated).
SELECT flagforge_is_enabled('default_on', 'acme', 'user_1') AS default_on,
       flagforge_is_enabled('default_off', 'acme', 'user_1') AS default_off,
       flagforge_is_enabled('rollout_100', 'acme', 'user_1') AS rollout_100;

-- The quirk: a rollout only narrows a flag that is on, so this is off for everyone.
SELECT count(*) FILTER (WHERE flagforge_is_enabled('quirk', 'acme', 'user-' || i)) AS quirk_on
FROM generate_series(1, 1000) i;

-- A 50% rollout lands near half of 1,000 users, exactly where the buckets say.
SELECT count(*) FILTER (WHERE flagforge_is_enabled('half', 'acme', 'user-' || i)) AS half_on,
       count(*) FILTER (WHERE flagforge_is_enabled('half', 'acme', 'user-' || i)
                        <> (flagforge_bucket('acme', 'half', 'user-' || i) < 50)) AS disagree_with_bucket
FROM generate_series(1, 1000) i;

-- Rollout 0 and 100 mean everyone.
SELECT count(*) FILTER (WHERE flagforge_is_enabled('default_on', 'acme', 'user-' || i)) AS rollout_0_on,
       count(*) FILTER (WHERE flagforge_is_enabled('rollout_100', 'acme', 'user-' || i)) AS rollout_100_on
FROM generate_series(1, 1000) i;

-- The anonymous user (NULL) is bucketed as the empty user id.
SELECT flagforge_is_enabled('half', 'acme', NULL) AS anonymous,
       flagforge_bucket('acme', 'half', NULL) < 50 AS bucket_says;

-- 1. Environment gate: a listed environment passes, another or none is off.
SELECT flagforge_is_enabled('staged', 'acme', 'u', NULL, 'production') AS production,
       flagforge_is_enabled('staged', 'acme', 'u', NULL, 'staging') AS staging,
       flagforge_is_enabled('staged', 'acme', 'u', NULL, 'development') AS development,
       flagforge_is_enabled('staged', 'acme', 'u', NULL, NULL) AS no_environment,
       flagforge_is_enabled('staged', 'acme', 'u', NULL, 'Production') AS case_matters,
       flagforge_is_enabled('nowhere', 'acme', 'u', NULL, 'production') AS empty_list;

-- Tenant overrides.
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage,
                                 enabled_for_users, enabled_for_groups) VALUES
    ('acme', 'default_off', true,  NULL, '{}', '{}'),
    ('acme', 'default_on',  false, NULL, '{}', '{}'),
    ('acme', 'targeted',    false, NULL, '{alice,bob}', '{beta_testers}'),
    ('acme', 'no_opinion',  NULL,  NULL, '{}', '{}'),
    ('acme', 'quirk',       true,  NULL, '{}', '{}'),
    ('acme', 'own_rollout', true,  30,   '{}', '{}'),
    ('acme', 'staged',      true,  NULL, '{alice}', '{}');

-- 5. Override on beats default off; override off beats default on.
SELECT flagforge_is_enabled('default_off', 'acme', 'user_1') AS override_on,
       flagforge_is_enabled('default_on', 'acme', 'user_1') AS override_off;

-- 3./4. User and group targeting beat a disabled override.
SELECT flagforge_is_enabled('targeted', 'acme', 'alice') AS user_alice,
       flagforge_is_enabled('targeted', 'acme', 'carol') AS user_carol,
       flagforge_is_enabled('targeted', 'acme', 'carol', '{beta_testers}') AS group_member,
       flagforge_is_enabled('targeted', 'acme', 'carol', '{staff,beta_testers}') AS one_of_groups,
       flagforge_is_enabled('targeted', 'acme', 'carol', '{staff}') AS other_group,
       flagforge_is_enabled('targeted', 'acme', NULL, '{beta_testers}') AS anonymous_in_group,
       flagforge_is_enabled('targeted', 'acme', 'Alice') AS user_case_matters;

-- The environment gate comes before user targeting.
SELECT flagforge_is_enabled('staged', 'acme', 'alice', NULL, 'development') AS targeted_but_gated;

-- 6. An override with no opinion falls back to the default.
SELECT flagforge_is_enabled('no_opinion', 'acme', 'user_1') AS no_opinion;

-- An override that switches a flag on does not apply the definition's rollout:
-- its own rollout is NULL (everyone).
SELECT count(*) FILTER (WHERE flagforge_is_enabled('quirk', 'acme', 'user-' || i)) AS quirk_switched_on
FROM generate_series(1, 1000) i;

-- The override's own rollout (30%) decides, by the same bucket.
SELECT count(*) FILTER (WHERE flagforge_is_enabled('own_rollout', 'acme', 'user-' || i)) AS own_rollout_on,
       count(*) FILTER (WHERE flagforge_is_enabled('own_rollout', 'acme', 'user-' || i)
                        <> (flagforge_bucket('acme', 'own_rollout', 'user-' || i) < 30)) AS disagree
FROM generate_series(1, 1000) i;

-- Tenant isolation: acme's overrides mean nothing for globex.
SELECT flagforge_is_enabled('default_off', 'globex', 'user_1') AS globex_default_off,
       flagforge_is_enabled('default_on', 'globex', 'user_1') AS globex_default_on,
       flagforge_is_enabled('targeted', 'globex', 'alice') AS globex_alice;

-- The tenant is part of the bucket: the same user may differ between tenants.
SELECT count(*) FILTER (WHERE flagforge_is_enabled('half', 'acme', 'user-' || i)
                        <> flagforge_is_enabled('half', 'globex', 'user-' || i)) > 300 AS tenants_bucket_apart
FROM generate_series(1, 1000) i;

-- Unknown keys are off, never an error.
SELECT flagforge_is_enabled('no_such_flag', 'acme', 'user_1') AS unknown,
       flagforge_is_enabled('', 'acme') AS empty_key;

-- Overrides of a tenant whose id looks like another's are separate.
SELECT flagforge_is_enabled('default_off', 'acme ', 'user_1') AS trailing_space,
       flagforge_is_enabled('default_off', 'ACME', 'user_1') AS upper_case;

-- A scan takes a fast path once it knows no tenant overrides the flag and no
-- environment limits it; the answers stay the resolver's, NULL tenants
-- (flagforge.tenant) and anonymous users included.
CREATE TEMP TABLE scan_rows AS
SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE 't' || (i % 7) END AS tenant_id,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 'user-' || i END AS user_id
FROM generate_series(1, 3000) i;
SET flagforge.tenant = 'fallback';
SELECT count(*) FILTER (WHERE flagforge_is_enabled('half', tenant_id, user_id)
                        IS DISTINCT FROM (flagforge_bucket(COALESCE(tenant_id, 'fallback'), 'half', user_id) < 50)) AS disagreements,
       count(*) FILTER (WHERE flagforge_is_enabled('half', tenant_id, user_id)) AS on_rows
FROM scan_rows;
-- Once a tenant overrides the flag, the scan takes the full path again.
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('t3', 'half', false);
SELECT count(*) FILTER (WHERE flagforge_is_enabled('half', tenant_id, user_id)
                        IS DISTINCT FROM (tenant_id IS DISTINCT FROM 't3'
                                          AND flagforge_bucket(COALESCE(tenant_id, 'fallback'), 'half', user_id) < 50)) AS disagreements
FROM scan_rows;
RESET flagforge.tenant;

TRUNCATE flagforge_flags CASCADE;
