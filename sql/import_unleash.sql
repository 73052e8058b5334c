-- flagforge_import_unleash: Unleash's client features payload, all or
-- nothing, strict about what is malformed, faithful about what Unleash
-- tolerates.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_segments;
RESET client_min_messages;

\set doc '{"version": 2, "segments": [{"id": 1, "name": "eu", "constraints": [{"contextName": "region", "operator": "IN", "values": ["eu"]}]}], "features": [{"name": "beta", "enabled": true, "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "100", "stickiness": "default", "groupId": "beta"}, "segments": [1]}]}, {"name": "off", "enabled": false, "strategies": []}, {"name": "always", "enabled": true, "strategies": [], "variants": [{"name": "a", "weight": 1000, "payload": {"type": "string", "value": "x"}}]}, {"name": "child", "enabled": true, "strategies": [], "dependencies": [{"feature": "beta"}]}, {"name": "legacy", "enabled": true, "strategies": [{"name": "someday", "parameters": {}}, {"name": "default", "disabled": true}]}]}'

SELECT * FROM flagforge_import_unleash(:'doc'::jsonb, dry_run => true) ORDER BY flag_key;
SELECT count(*) AS nothing_after_dry_run FROM flagforge_flags;
SELECT * FROM flagforge_import_unleash(:'doc'::jsonb) ORDER BY flag_key;
SELECT key, kill_switch, default_enabled, rollout_percentage FROM flagforge_flags ORDER BY key;
SELECT flag_key, position, strategy, segments FROM flagforge_rules ORDER BY flag_key, position;
SELECT c.ctx, flagforge_is_enabled('beta', c.ctx::jsonb) AS beta,
       flagforge_is_enabled('child', c.ctx::jsonb) AS child,
       flagforge_is_enabled('off', c.ctx::jsonb) AS off,
       flagforge_is_enabled('legacy', c.ctx::jsonb) AS legacy
FROM (VALUES ('{"userId": "u1", "properties": {"region": "eu"}}'), ('{"userId": "u1"}')) AS c(ctx);
SELECT flagforge_variant('always', '{}'::jsonb) AS variant;

-- The same document again changes nothing (and writes no audit row).
SELECT count(*) AS audit_rows_before FROM flagforge_audit \gset
SELECT * FROM flagforge_import_unleash(:'doc'::jsonb) ORDER BY flag_key;
SELECT count(*) - :audit_rows_before AS new_audit_rows FROM flagforge_audit;

-- A changed feature is updated; prune deletes the flags the document lacks.
INSERT INTO flagforge_flags (key, name) VALUES ('flagforge_only', 'Not in Unleash');
SELECT * FROM flagforge_import_unleash(
    '{"features": [{"name": "beta", "enabled": false, "strategies": []}]}'::jsonb, prune => true)
ORDER BY flag_key;
SELECT key, kill_switch FROM flagforge_flags ORDER BY key;
SELECT count(*) AS segments_left FROM flagforge_segments;

-- Malformed documents: the feature's index and name and the field; nothing written.
SELECT * FROM flagforge_import_unleash('[]'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": {}}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true}, {"enabled": true}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": "yes"}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true, "strategies": [{"name": "default", "constraints": [{"contextName": "n", "operator": "NUM_LT", "value": "x"}]}]}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true, "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "-1"}}]}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true}, {"name": "a", "enabled": true}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true, "dependencies": [{"feature": 3}]}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "a", "enabled": true, "variants": [{"name": "v", "weight": -5}]}]}'::jsonb);
SELECT * FROM flagforge_import_unleash('{"features": [], "segments": [{"id": "one"}]}'::jsonb);
SELECT key FROM flagforge_flags ORDER BY key;
