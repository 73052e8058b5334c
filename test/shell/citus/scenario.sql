-- test/shell/citus/scenario.sql: every kind of change of flagforge's tables, each followed by
-- the gating query; run in ONE session on the Citus coordinator (orders distributed, flags
-- reference tables: the query runs on the workers, whose cached connections and caches live
-- across the statements) and on a single node.  test/shell/citus.sh compares the two outputs
-- line by line: each line is "what changed|rows the gate lets through".
\set ON_ERROR_STOP 1
\pset footer off
INSERT INTO orders SELECT i, 't' || (i % 50), i % 997 FROM pg_catalog.generate_series(1, 20000) i;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments)
VALUES ('beta', 'Beta', true, 30, NULL), ('env_only', 'Env', true, 0, '{production}');
SELECT 'copied by the distribution: early', count(*) FROM orders o WHERE flagforge_is_enabled('early', o.tenant_id, o.user_id::text);
UPDATE flagforge_flags SET default_enabled = true WHERE key = 'early';
SELECT 'update early', count(*) FROM orders o WHERE flagforge_is_enabled('early', o.tenant_id, o.user_id::text);
SELECT 'start: beta 30%', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);

-- flags: insert, update, delete
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('fresh', 'Fresh', true, 55);
SELECT 'insert flag fresh', count(*) FROM orders o WHERE flagforge_is_enabled('fresh', o.tenant_id, o.user_id::text);
UPDATE flagforge_flags SET rollout_percentage = 70 WHERE key = 'beta';
SELECT 'update flag beta 70%', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_flags WHERE key = 'fresh';
SELECT 'delete flag fresh', count(*) FROM orders o WHERE flagforge_is_enabled('fresh', o.tenant_id, o.user_id::text);

-- overrides: plain SQL and the DBA functions
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('t1', 'beta', false), ('t2', 'beta', false);
SELECT 'insert overrides t1 t2 off', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
UPDATE flagforge_overrides SET enabled = true, rollout_percentage = 10 WHERE tenant_id = 't1';
SELECT 'update override t1 10%', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
SELECT flagforge_disable('beta', 't3') IS NULL AS disabled_t3 \gset
SELECT 'flagforge_disable t3', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_overrides WHERE tenant_id = 't2';
SELECT 'delete override t2', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);

-- rules: a flag off by default, turned on by an Unleash rule for every tenant and one for a tenant
INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('ruled', 'Ruled', false);
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters)
VALUES ('ruled', 0, 'flexibleRollout', '{"rollout": "40", "stickiness": "userId"}');
SELECT 'insert rule 40%', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
UPDATE flagforge_rules SET parameters = '{"rollout": "15", "stickiness": "userId"}' WHERE flag_key = 'ruled';
SELECT 'update rule 15%', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
INSERT INTO flagforge_overrides (tenant_id, flag_key) VALUES ('t4', 'ruled');
INSERT INTO flagforge_rules (flag_key, tenant_id, position, strategy) VALUES ('ruled', 't4', 0, 'default');
SELECT 'insert rule of tenant t4', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_overrides WHERE tenant_id = 't4';   -- takes its rule with it
SELECT 'delete override t4 and its rule', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_rules WHERE flag_key = 'ruled';
SELECT 'delete rule', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);

-- segments and prerequisites
INSERT INTO flagforge_segments (id, constraints)
VALUES (1, '[{"contextName": "userId", "operator": "STR_STARTS_WITH", "values": ["1"]}]');
INSERT INTO flagforge_rules (flag_key, position, segments) VALUES ('ruled', 0, '{1}');
SELECT 'insert segment and rule', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
UPDATE flagforge_segments SET constraints = '[{"contextName": "userId", "operator": "STR_STARTS_WITH", "values": ["2"]}]';
SELECT 'update segment', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('ruled', 'beta');
SELECT 'insert prerequisite', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_prerequisites;
SELECT 'delete prerequisite', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);

-- the flag-file and Unleash imports
SELECT count(*) AS imported FROM flagforge_import_yaml($$
flags:
  imported: {name: Imported, default_enabled: true, rollout_percentage: 25}
$$) \gset
SELECT 'flagforge_import_yaml', count(*) FROM orders o WHERE flagforge_is_enabled('imported', o.tenant_id, o.user_id::text);
SELECT count(*) AS unleashed FROM flagforge_import_unleash('{"features": [{"name": "unleashed", "enabled": true,
  "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "35", "stickiness": "userId", "groupId": "g"}}]}]}') \gset
SELECT 'flagforge_import_unleash', count(*) FROM orders o WHERE flagforge_is_enabled('unleashed', o.tenant_id, o.user_id::text);

-- the transaction's own uncommitted changes (Citus runs its later statements on the same
-- worker connections), then the rollback
BEGIN;
UPDATE flagforge_flags SET rollout_percentage = 5 WHERE key = 'beta';
SELECT 'uncommitted update flag beta 5%', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('t5', 'beta', true);
SELECT 'uncommitted insert override t5', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
DELETE FROM flagforge_overrides WHERE tenant_id = 't1';
SELECT 'uncommitted delete override t1', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
ROLLBACK;
SELECT 'after rollback', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);

-- the settings forms (on Citus: citus.propagate_set_commands = 'local' sends SET LOCAL along)
BEGIN;
SET LOCAL flagforge.environment = 'production';
SELECT 'SET LOCAL flagforge.environment', count(*) FROM orders o WHERE flagforge_is_enabled('env_only', o.tenant_id, o.user_id::text);
SET LOCAL flagforge.tenant = 't1';
SET LOCAL flagforge.user_id = '7';
SELECT 'SET LOCAL flagforge.tenant, user_id', count(*) FROM orders o WHERE flagforge_is_enabled('beta');
COMMIT;
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('ruled', 1, '[{"contextName": "region", "operator": "IN", "values": ["eu"]}]');
BEGIN;
SET LOCAL flagforge.properties = '{"region": "eu"}';
SELECT 'SET LOCAL flagforge.properties', count(*) FROM orders o WHERE flagforge_is_enabled('ruled', o.tenant_id, o.user_id::text);
COMMIT;
SELECT 'without the settings', count(*) FROM orders o WHERE flagforge_is_enabled('env_only', o.tenant_id, o.user_id::text);

-- truncation
TRUNCATE flagforge_overrides;
SELECT 'truncate overrides', count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text);
