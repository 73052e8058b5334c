-- Targeting (Unleash's model): rules, segments, prerequisites, variants and
-- the kill switch, checked when written and decided in the documented order.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_segments;
RESET client_min_messages;

-- A flag that uses none of the new fields decides as in 1.0.
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage)
VALUES ('plain', 'Plain', true, 30);
SELECT count(*) FILTER (WHERE flagforge_is_enabled('plain', 'acme', 'u' || i)) AS on_of_1000,
       count(*) FILTER (WHERE flagforge_bucket('acme', 'plain', 'u' || i) < 30) AS bucket_below_30
FROM generate_series(1, 1000) i;

-- Bad targeting is an error when written, naming what is wrong.
INSERT INTO flagforge_flags (key, name) VALUES ('checkout', 'Checkout');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '[{"contextName": "age", "operator": "NUM_GT", "value": "ten"}]');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '[{"contextName": "currentTime", "operator": "DATE_AFTER", "value": "next monday"}]');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '[{"contextName": "version", "operator": "SEMVER_GT", "value": "2.x"}]');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '[{"operator": "IN", "values": ["a"]}]');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '{"contextName": "plan"}');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters)
VALUES ('checkout', 0, 'flexibleRollout', '{"rollout": "150"}');
INSERT INTO flagforge_rules (flag_key, position, variants)
VALUES ('checkout', 0, '[{"name": "a", "weight": 1, "weightType": "heavy"}]');
UPDATE flagforge_flags SET variants = '[{"weight": 1}]' WHERE key = 'checkout';
INSERT INTO flagforge_segments (id, constraints)
VALUES (1, '[{"contextName": "plan", "operator": "IN", "values": [1]}]');
SELECT count(*) AS nothing_written FROM flagforge_rules;

-- A bad operator is an error when written; what Unleash's own payloads may hold is
-- kept when flagforge_import_unleash writes it: an unknown operator or strategy never matches.
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('checkout', 0, '[{"contextName": "plan", "operator": "SOUNDS_LIKE", "values": ["pro"]}]');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "tolerant", "enabled": true, "strategies": [
    {"name": "default", "constraints": [{"contextName": "plan", "operator": "SOUNDS_LIKE", "values": ["pro"]}]},
    {"name": "myCustomStrategy"}]}]}');
SELECT flagforge_is_enabled('tolerant', '{"properties": {"plan": "pro"}}'::jsonb) AS unknown_never_matches;
DELETE FROM flagforge_flags WHERE key = 'tolerant';

-- Rules: the first that matches turns the flag on; none matching: off
-- (default_enabled only decides a flag without rules).
UPDATE flagforge_flags SET default_enabled = true WHERE key = 'checkout';
INSERT INTO flagforge_segments (id, name, constraints)
VALUES (7, 'eu', '[{"contextName": "region", "operator": "IN", "values": ["eu-west", "eu-central"]}]');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters, constraints, segments) VALUES
    ('checkout', 0, 'default', '{}',
     '[{"contextName": "plan", "operator": "IN", "values": ["enterprise"]},
       {"contextName": "seats", "operator": "NUM_GT", "value": "10"},
       {"contextName": "appVersion", "operator": "SEMVER_GT", "value": "2.3.0"}]', '{}'),
    ('checkout', 1, 'userWithId', '{"userIds": "alice, bob"}', '[]', '{7}');
SELECT c.label, flagforge_is_enabled('checkout', c.context) AS on
FROM (VALUES
    ('enterprise, 12 seats, 2.4.0', '{"properties": {"plan": "enterprise", "seats": "12", "appVersion": "2.4.0"}}'::jsonb),
    ('enterprise, 12 seats, 2.3.0', '{"properties": {"plan": "enterprise", "seats": "12", "appVersion": "2.3.0"}}'),
    ('alice in eu-west', '{"userId": "alice", "properties": {"region": "eu-west"}}'),
    ('alice in us-east', '{"userId": "alice", "properties": {"region": "us-east"}}'),
    ('nobody', '{}')) AS c(label, context)
ORDER BY c.label;

-- The argument forms see the rules too (userId is the user argument).
SELECT flagforge_is_enabled('checkout', 'acme', 'alice') AS alice_no_region,
       flagforge_is_enabled('checkout', 'acme', 'carol') AS carol;

-- A rule-only flag needs no tenant; a flag whose FlagForge part hashes the
-- tenant gets today's error without one.
SELECT flagforge_is_enabled('checkout', '{"userId": "bob", "properties": {"region": "eu-central"}}'::jsonb) AS no_tenant_needed;
SELECT flagforge_is_enabled('plain', '{"userId": "bob"}'::jsonb);
SELECT flagforge_is_enabled('plain', '{"userId": "bob", "tenant": "acme"}'::jsonb)
       = flagforge_is_enabled('plain', 'acme', 'bob') AS same_as_the_argument_form;

-- Explain says which rule decided, with OpenFeature's reason.
SELECT flagforge_explain('checkout', '{"userId": "alice", "properties": {"region": "eu-west"}}'::jsonb)
       - 'tenant' AS explained;
SELECT flagforge_explain('checkout', '{}'::jsonb) ->> 'step' AS step,
       flagforge_explain('checkout', '{}'::jsonb) ->> 'reason' AS reason;

-- The kill switch beats every target.
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled_for_users) VALUES ('acme', 'checkout', '{alice}');
UPDATE flagforge_flags SET kill_switch = true WHERE key = 'checkout';
SELECT flagforge_is_enabled('checkout', 'acme', 'alice') AS targeted_but_killed,
       flagforge_explain('checkout', 'acme', 'alice') ->> 'reason' AS reason,
       flagforge_variant('checkout', '{"tenant": "acme", "userId": "alice"}'::jsonb) AS variant;
UPDATE flagforge_flags SET kill_switch = false WHERE key = 'checkout';

-- A tenant's own rules belong to its override: after its user and group
-- targets, before its on/off.
INSERT INTO flagforge_rules (flag_key, tenant_id, position, constraints)
VALUES ('checkout', 'globex', 0, '[{"contextName": "plan", "operator": "IN", "values": ["free"]}]');
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('globex', 'checkout', false);
INSERT INTO flagforge_rules (flag_key, tenant_id, position, constraints)
VALUES ('checkout', 'globex', 0, '[{"contextName": "plan", "operator": "IN", "values": ["free"]}]');
SELECT flagforge_is_enabled('checkout', '{"tenant": "globex", "properties": {"plan": "free"}}'::jsonb) AS free_plan,
       flagforge_is_enabled('checkout', '{"tenant": "globex", "properties": {"plan": "pro"}}'::jsonb) AS pro_plan_off,
       flagforge_explain('checkout', '{"tenant": "globex", "properties": {"plan": "free"}}'::jsonb) ->> 'step' AS step;
-- Deleting (or truncating) overrides takes their rules along; TRUNCATE works as in 1.0.
DELETE FROM flagforge_overrides WHERE tenant_id = 'globex';
SELECT count(*) AS tenant_rules_left FROM flagforge_rules WHERE tenant_id IS NOT NULL;
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('globex', 'checkout', false);
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('checkout', 'globex', 0);
TRUNCATE flagforge_overrides;
SELECT count(*) FILTER (WHERE tenant_id IS NOT NULL) AS tenant_rules,
       count(*) FILTER (WHERE tenant_id IS NULL) AS flag_rules FROM flagforge_rules;

-- Prerequisites: parent on, off, or on one of some variants; cycles refused.
INSERT INTO flagforge_flags (key, name, default_enabled, variants) VALUES
    ('parent', 'Parent', true, '[{"name": "blue", "weight": 1000, "payload": {"type": "string", "value": "b"}}]'),
    ('child', 'Child', true, '[]'),
    ('grandchild', 'Grandchild', true, '[]');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('child', 'parent');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('grandchild', 'child');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('parent', 'grandchild');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('parent', 'parent');
SELECT flagforge_is_enabled('child', '{"tenant": "acme"}'::jsonb) AS child_parent_on,
       flagforge_is_enabled('grandchild', '{"tenant": "acme"}'::jsonb) AS grandchild_parent_has_prerequisites;
UPDATE flagforge_prerequisites SET variants = '{red}' WHERE flag_key = 'child';
SELECT flagforge_is_enabled('child', '{"tenant": "acme"}'::jsonb) AS child_needs_red,
       flagforge_explain('child', '{"tenant": "acme"}'::jsonb) ->> 'reason' AS reason;
UPDATE flagforge_prerequisites SET variants = '{blue, red}' WHERE flag_key = 'child';
SELECT flagforge_is_enabled('child', '{"tenant": "acme"}'::jsonb) AS child_blue_ok;

-- Variants: the flag's (by weight, grouped by its key), a matching rule's win.
SELECT flagforge_variant('parent', '{"userId": "u1", "tenant": "acme"}'::jsonb) AS flag_variant,
       flagforge_variant('child', '{"tenant": "acme"}'::jsonb) AS no_variants,
       flagforge_variant('missing', '{}'::jsonb) AS unknown_flag;
INSERT INTO flagforge_rules (flag_key, position, variants)
VALUES ('parent', 0, '[{"name": "green", "weight": 1, "payload": {"type": "json", "value": "{\"x\": 1}"}}]');
SELECT flagforge_variant('parent', '{"userId": "u1", "tenant": "acme"}'::jsonb) AS rule_variant;

-- The settings forms gain Unleash's fields through settings.
SET flagforge.properties = 'not json';
SET flagforge.properties = '[1]';
SET flagforge.properties = '{"plan": {"nested": true}}';
BEGIN;
SET LOCAL flagforge.tenant = 'acme';
SET LOCAL flagforge.properties = '{"plan": "enterprise", "seats": 40, "appVersion": "3.0.0"}';
SELECT flagforge_is_enabled('checkout') AS from_settings,
       (flagforge_evaluate_all() ->> 'checkout')::boolean AS in_evaluate_all;
ROLLBACK;

-- Dates compare with the context's currentTime, else the statement's time.
INSERT INTO flagforge_flags (key, name) VALUES ('launch', 'Launch');
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('launch', 0, '[{"contextName": "currentTime", "operator": "DATE_AFTER", "value": "2026-01-01T09:00:00Z"}]');
SELECT flagforge_is_enabled('launch', '{"currentTime": "2025-12-31T23:59:59Z"}'::jsonb) AS before_launch,
       flagforge_is_enabled('launch', '{"currentTime": "2026-01-01T09:00:01.000Z"}'::jsonb) AS after_launch,
       flagforge_is_enabled('launch', '{}'::jsonb) = (now() > '2026-01-01T09:00:00Z') AS statement_time;
SELECT flagforge_is_enabled('launch', '{"currentTime": "yesterday"}'::jsonb);

-- A bad context is an error that names the field.
SELECT flagforge_is_enabled('checkout', '[1, 2]'::jsonb);
SELECT flagforge_is_enabled('checkout', '{"groups": "admins"}'::jsonb);
SELECT flagforge_is_enabled('checkout', '{"properties": {"plan": ["a"]}}'::jsonb);
SELECT flagforge_is_enabled('checkout', '{"userId": {"id": 1}}'::jsonb);

-- A change is seen by the next statement, and recorded in the audit trail.
INSERT INTO flagforge_rules (flag_key, position, constraints)
VALUES ('launch', 1, '[{"contextName": "userId", "operator": "IN", "values": ["beta-tester"]}]');
SELECT flagforge_is_enabled('launch', '{"userId": "beta-tester", "currentTime": "2020-01-01T00:00:00Z"}'::jsonb) AS second_rule;
SELECT action, table_name, flag_key, tenant_id, new_row ->> 'position' AS position
FROM flagforge_audit WHERE table_name LIKE '%flagforge_rules' ORDER BY id DESC LIMIT 1;

-- Limits that keep one writer from costing every session (the red team's findings):
-- a rule names at most 100 segments, and shares their constraints rather than copying them;
INSERT INTO flagforge_rules (flag_key, position, segments)
SELECT 'launch', 5, array_agg(7) FROM generate_series(1, 101);
INSERT INTO flagforge_rules (flag_key, position, segments)
SELECT 'launch', 5, array_agg(7) FROM generate_series(1, 100);
SELECT flagforge_is_enabled('launch', '{"properties": {"region": "eu-west"}, "currentTime": "2020-01-01T00:00:00Z"}'::jsonb) AS hundred_segments;
-- a REGEX pattern is at most 4 KB, and one RE2 cannot build in 1 MB never matches;
SELECT flagforge_check_constraints(jsonb_build_array(jsonb_build_object(
    'contextName', 'userId', 'operator', 'REGEX', 'value', repeat('a', 4097))));
SELECT flagforge_check_constraints('[{"contextName": "userId", "operator": "REGEX", "value": "\\pL{1000}\\pL{1000}"}]') AS stored;
-- the weights of a list of variants add up to at most 100,000,000;
SELECT flagforge_check_variants((SELECT jsonb_agg(jsonb_build_object('name', 'v' || g, 'weight', 1000000))
                                 FROM generate_series(1, 101) g));
-- a top-level context key wins over a property of the same name.
SELECT flagforge_is_enabled('checkout', '{"plan": "enterprise", "properties": {"plan": "free", "seats": "40", "appVersion": "3.0.0"}}'::jsonb) AS top_level_wins;
-- (round 2) a list holds at most 1,000 constraints, and flagforge.properties at most 64 KB.
SELECT flagforge_check_constraints((SELECT jsonb_agg('{"contextName": "a", "operator": "IN", "values": ["x"]}'::jsonb)
                                    FROM generate_series(1, 1001)));
DO $$
BEGIN
    PERFORM set_config('flagforge.properties', json_build_object('big', repeat('x', 70000))::text, false);
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'refused: %', (SELECT regexp_replace(SQLERRM, ':.*', ''));
END $$;
