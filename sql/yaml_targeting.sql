-- The 1.1 targeting in the YAML flag file: export then import round-trips
-- exactly, unchanged writes nothing, a file without the keys keeps rules.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_segments;
RESET client_min_messages;

-- A database built by flagforge_import_unleash of a spec-like document.
\set doc '{"version": 2, "segments": [{"id": 1, "name": "eu", "constraints": [{"contextName": "region", "operator": "IN", "values": ["eu"]}]}], "features": [{"name": "beta", "enabled": true, "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "50", "stickiness": "default", "groupId": "beta"}, "constraints": [{"contextName": "appVersion", "operator": "SEMVER_GT", "value": "2.3.0"}, {"contextName": "plan", "operator": "IN", "values": ["enterprise", "yes"], "caseInsensitive": true}], "segments": [1]}]}, {"name": "off", "enabled": false, "strategies": []}, {"name": "always", "enabled": true, "strategies": [], "variants": [{"name": "a", "weight": 1000, "weightType": "variable", "stickiness": "default", "payload": {"type": "string", "value": "x: y"}}]}, {"name": "child", "enabled": true, "strategies": [], "dependencies": [{"feature": "beta", "variants": ["a"]}, {"feature": "off", "enabled": false}]}]}'
SELECT count(*) AS imported FROM flagforge_import_unleash(:'doc'::jsonb);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('acme', 'beta', true);
INSERT INTO flagforge_rules (flag_key, tenant_id, position, strategy, constraints)
VALUES ('beta', 'acme', 0, 'default', '[{"contextName": "userId", "operator": "STR_STARTS_WITH", "values": ["admin"]}]');

SELECT flagforge_export_yaml(true) AS export \gset
\echo :export

-- Importing the export changes nothing and writes nothing.
SELECT count(*) AS audit_rows_before FROM flagforge_audit \gset
SELECT * FROM flagforge_import_yaml(:'export');
SELECT count(*) - :audit_rows_before AS new_audit_rows FROM flagforge_audit;

-- A fresh database importing it gets the same export, byte for byte.
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_segments;
RESET client_min_messages;
SELECT * FROM flagforge_import_yaml(:'export');
SELECT flagforge_export_yaml(true) = :'export' AS byte_identical;
SELECT flagforge_is_enabled('child', '{"userId": "u1"}'::jsonb) AS child,
       flagforge_is_enabled('off', '{}'::jsonb) AS off;

-- A file without the keys keeps the rules; rules: [] clears them; a change is "updated".
SELECT * FROM flagforge_import_yaml($$
flags:
  beta: {name: beta, default_enabled: true, rollout_percentage: 100}
$$);
SELECT count(*) AS beta_rules_kept FROM flagforge_rules WHERE flag_key = 'beta' AND tenant_id IS NULL;
SELECT * FROM flagforge_import_yaml($$
flags:
  beta:
    name: beta
    default_enabled: true
    rollout_percentage: 100
    kill_switch: true
    rules:
      - strategy: flexibleRollout
        parameters: {rollout: "10", stickiness: userId, groupId: beta}
  child: {name: child, default_enabled: true, rollout_percentage: 100, prerequisites: []}
$$);
SELECT flag_key, position, strategy, parameters FROM flagforge_rules WHERE tenant_id IS NULL ORDER BY 1, 2;
SELECT count(*) AS child_prerequisites FROM flagforge_prerequisites WHERE flag_key = 'child';

-- Errors name the flag and the field (the CONTEXT line: rules of flag "bad" (line 3)).
SELECT * FROM flagforge_import_yaml($$
flags:
  bad:
    name: Bad
    rules: [{strategy: default, segments: [x]}]
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  bad: {name: Bad, rules: [{stratgy: default}]}
$$);
