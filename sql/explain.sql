-- flagforge_explain and flagforge_status: the value and why, in OpenFeature's reasons.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant; RESET flagforge.environment;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments, deprecated, is_public) VALUES
    ('static_on', 'Static on', true, 0, NULL, false, true),
    ('default_off', 'Default off', false, 0, NULL, false, false),
    ('quirk', 'Quirk', false, 20, NULL, true, false),
    ('split', 'Split', true, 50, NULL, false, false),
    ('gated', 'Gated', true, 0, '{production}', false, true),
    ('targeted', 'Targeted', false, 0, NULL, false, false),
    ('tenant_off', 'Tenant off', true, 0, NULL, false, false),
    ('tenant_on', 'Tenant on', false, 0, NULL, false, false),
    ('tenant_split', 'Tenant split', false, 0, NULL, false, false);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups) VALUES
    ('acme', 'targeted', false, NULL, '{alice}', '{beta}'),
    ('acme', 'tenant_off', false, NULL, '{}', '{}'),
    ('acme', 'tenant_on', true, NULL, '{}', '{}'),
    ('acme', 'tenant_split', true, 50, '{}', '{}');

-- One reason per step of the evaluation order.
SELECT e ->> 'reason' AS reason, e ->> 'step' AS step, (e ->> 'value')::boolean AS value,
       e ->> 'bucket' AS bucket, e ->> 'detail' AS detail
FROM (VALUES ('static_on', 'bob', NULL::text[], NULL::text),
             ('default_off', 'bob', NULL, NULL),
             ('quirk', 'bob', NULL, NULL),
             ('split', 'bob', NULL, NULL),
             ('split', 'user-7', NULL, NULL),
             ('gated', 'bob', NULL, 'staging'),
             ('gated', 'bob', NULL, NULL),
             ('gated', 'bob', NULL, 'production'),
             ('targeted', 'alice', NULL, NULL),
             ('targeted', 'carol', '{beta}', NULL),
             ('targeted', 'carol', NULL, NULL),
             ('tenant_off', 'bob', NULL, NULL),
             ('tenant_on', 'bob', NULL, NULL),
             ('tenant_split', 'bob', NULL, NULL)) AS c(flag, usr, groups, env),
     LATERAL (SELECT flagforge_explain(c.flag, 'acme', c.usr, c.groups, c.env) AS e) x;

-- An unknown key: value false, reason ERROR, error_code FLAG_NOT_FOUND.
SELECT flagforge_explain('no_such_flag', 'acme');

-- The context forms read every setting, as flagforge_is_enabled(key) does.
SET flagforge.tenant = 'acme';
SET flagforge.groups = 'beta';
SET flagforge.user_id = 'carol';
SELECT flagforge_explain('targeted') ->> 'reason' AS reason, flagforge_is_enabled('targeted') AS is_enabled,
       flagforge_explain('tenant_on') ->> 'tenant' AS tenant, flagforge_explain(NULL) IS NULL AS null_key;
SELECT key, value, reason FROM flagforge_status() WHERE key IN ('targeted', 'tenant_on');
RESET flagforge.tenant; RESET flagforge.groups; RESET flagforge.user_id;

-- value always equals flagforge_is_enabled, over many contexts.
SELECT count(*) AS contexts,
       count(*) FILTER (WHERE (flagforge_explain(f.key, t, 'user-' || u, g, e) ->> 'value')::boolean
                        IS DISTINCT FROM flagforge_is_enabled(f.key, t, 'user-' || u, g, e)) AS disagreements
FROM flagforge_flags f, unnest(ARRAY['acme', 'globex']) t, generate_series(1, 30) u,
     (VALUES (NULL::text[]), ('{beta}')) g(g), unnest(ARRAY[NULL, 'production']) e;

-- The bucket reported is flagforge_bucket's.
SELECT (flagforge_explain('split', 'acme', 'user-7') ->> 'bucket')::int = flagforge_bucket('acme', 'split', 'user-7') AS same_bucket;

-- flagforge_status: one row per flag, by key, for DBAs and the CLI.
SELECT * FROM flagforge_status('acme', 'alice', NULL, 'production');
SELECT count(*) FILTER (WHERE s.value IS DISTINCT FROM flagforge_is_enabled(s.key, 'globex', 'bob', '{beta}', NULL)) AS disagreements
FROM flagforge_status('globex', 'bob', '{beta}') s;

TRUNCATE flagforge_flags CASCADE;
