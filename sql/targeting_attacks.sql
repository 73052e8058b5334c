-- Attacks on the targeting model (issue 13) that flagforge refuses: by a
-- role with no grants, by a tenant-bound role, and by a superuser attaching
-- the new trigger functions where they do not belong.  Attacks that
-- succeeded are in the red team's report, not here.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
DELETE FROM flagforge_segments;
RESET client_min_messages;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage)
VALUES ('t_flag', 'T', true, 100), ('t_other', 'O', true, 100);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled)
VALUES ('acme', 't_flag', true), ('globex', 't_flag', true);
INSERT INTO flagforge_rules (flag_key, tenant_id, position, strategy)
VALUES ('t_flag', NULL, 0, 'default'), ('t_flag', 'acme', 0, 'default'),
       ('t_flag', 'globex', 0, 'userWithId');
CREATE ROLE regress_nobody LOGIN;
GRANT CREATE ON SCHEMA public TO regress_nobody;

-- 1. The new trigger functions and tables are closed to PUBLIC.
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer,
       has_function_privilege('regress_nobody', p.oid, 'EXECUTE') AS nobody_can_execute
FROM pg_proc p
WHERE p.proname IN ('flagforge_rule_needs_override', 'flagforge_drop_override_rules',
                    'flagforge_refuse_prerequisite_cycle')
ORDER BY 1;
SELECT c.relname, has_table_privilege('regress_nobody', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER') AS nobody_has_any
FROM pg_class c
WHERE c.relname IN ('flagforge_segments', 'flagforge_rules', 'flagforge_prerequisites')
ORDER BY 1;
-- The SECURITY DEFINER trigger pins its search_path.
SELECT proconfig FROM pg_proc WHERE proname = 'flagforge_drop_override_rules';

-- 2. A role with no grants: no read, no write, no trigger, no import.
SET ROLE regress_nobody;
SELECT count(*) FROM flagforge_rules;
SELECT count(*) FROM flagforge_segments;
SELECT count(*) FROM flagforge_prerequisites;
INSERT INTO flagforge_rules (flag_key, position) VALUES ('t_flag', 9);
INSERT INTO flagforge_segments (id) VALUES (1);
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_flag', 't_other');
DELETE FROM flagforge_overrides;
CREATE TEMP TABLE flagforge_gone_overrides (tenant_id text, flag_key text);
CREATE TRIGGER d AFTER DELETE ON pg_temp.flagforge_gone_overrides
    REFERENCING OLD TABLE AS flagforge_gone_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION flagforge_drop_override_rules();
CREATE TRIGGER n BEFORE INSERT ON pg_temp.flagforge_gone_overrides
    FOR EACH ROW EXECUTE FUNCTION flagforge_rule_needs_override();
CREATE TRIGGER c BEFORE INSERT ON pg_temp.flagforge_gone_overrides
    FOR EACH ROW EXECUTE FUNCTION flagforge_refuse_prerequisite_cycle();
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_flag", "enabled": false}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_new", "enabled": true}]}', dry_run => true);
-- Evaluation with a jsonb context needs no grant.
SELECT flagforge_is_enabled('t_flag', '{"tenant": "globex"}'::jsonb) AS nobody_evaluates;
DROP TABLE pg_temp.flagforge_gone_overrides;
RESET ROLE;
SELECT kill_switch FROM flagforge_flags WHERE key = 't_flag';

-- 3. Attached by a superuser anywhere but their own table, they refuse.
CREATE TEMP TABLE regress_gone (tenant_id text, flag_key text, parent_key text);
INSERT INTO regress_gone VALUES ('acme', 't_flag', 't_other');
CREATE TRIGGER d AFTER DELETE ON regress_gone REFERENCING OLD TABLE AS flagforge_gone_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION flagforge_drop_override_rules();
DELETE FROM regress_gone;
DROP TRIGGER d ON regress_gone;
CREATE TRIGGER d AFTER TRUNCATE ON regress_gone
    FOR EACH STATEMENT EXECUTE FUNCTION flagforge_drop_override_rules();
TRUNCATE regress_gone;
DROP TRIGGER d ON regress_gone;
CREATE TRIGGER n BEFORE INSERT ON regress_gone
    FOR EACH ROW EXECUTE FUNCTION flagforge_rule_needs_override();
INSERT INTO regress_gone VALUES ('globex', 't_flag', 't_other');
DROP TRIGGER n ON regress_gone;
CREATE TRIGGER c BEFORE INSERT ON regress_gone
    FOR EACH ROW EXECUTE FUNCTION flagforge_refuse_prerequisite_cycle();
INSERT INTO regress_gone VALUES ('globex', 't_flag', 't_flag');
DROP TABLE regress_gone;
SELECT flag_key, tenant_id, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST;

-- 4. The layout of the new tables, their policies and triggers cannot change.
ALTER TABLE flagforge_rules DISABLE ROW LEVEL SECURITY;
ALTER TABLE flagforge_rules NO FORCE ROW LEVEL SECURITY;
DROP POLICY flagforge_tenant_scoped_read ON flagforge_rules;
ALTER POLICY flagforge_tenant_scoped_read ON flagforge_rules USING (true);
CREATE POLICY regress_open ON flagforge_rules USING (true);
ALTER TABLE flagforge_rules DISABLE TRIGGER flagforge_rules_need_override;
ALTER TABLE flagforge_rules ENABLE REPLICA TRIGGER flagforge_rules_need_override;
ALTER TABLE flagforge_overrides DISABLE TRIGGER flagforge_overrides_drop_rules;
ALTER TABLE flagforge_prerequisites DISABLE TRIGGER flagforge_prerequisites_no_cycle;
ALTER TABLE flagforge_prerequisites DISABLE TRIGGER ALL;
DROP TRIGGER flagforge_prerequisites_no_cycle ON flagforge_prerequisites;
ALTER TABLE flagforge_rules DROP CONSTRAINT flagforge_rules_valid;
ALTER TABLE flagforge_segments DROP CONSTRAINT flagforge_segments_constraints;
ALTER TABLE flagforge_flags DROP CONSTRAINT flagforge_flags_variants;
ALTER TABLE flagforge_flags ALTER COLUMN kill_switch DROP NOT NULL;
ALTER TABLE flagforge_rules ALTER COLUMN constraints TYPE json;
ALTER TABLE flagforge_rules ALTER COLUMN segments TYPE bigint[];
ALTER TABLE flagforge_segments ADD COLUMN regress_x int;
ALTER TABLE flagforge_prerequisites DROP CONSTRAINT flagforge_prerequisites_not_self;
ALTER TABLE flagforge_rules RENAME TO regress_rules;
ALTER TABLE flagforge_rules RENAME COLUMN tenant_id TO regress_tenant;
CREATE RULE regress_r AS ON INSERT TO flagforge_segments DO INSTEAD NOTHING;

-- 5. Row-level security on flagforge_rules: a bound role (also through a
-- group it belongs to) reads the flag's rules and its own tenant's, and
-- writes only its own tenant's.
CREATE ROLE regress_rules_group NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_overrides, flagforge_rules TO regress_rules_group;
GRANT SELECT ON flagforge_flags, flagforge_segments TO regress_rules_group;
CREATE ROLE regress_acme LOGIN IN ROLE regress_rules_group;
INSERT INTO flagforge_tenant_roles VALUES ('regress_acme', 'acme');
SELECT flagforge_enable_tenant_security();
CREATE FUNCTION public.regress_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RAISE EXCEPTION 'planted operator ran as %', current_user; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.regress_eq);
SET SESSION AUTHORIZATION regress_acme;
SELECT flag_key, tenant_id, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST;
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('t_flag', NULL, 5);
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('t_flag', 'globex', 5);
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('t_flag', 'initech', 5);
UPDATE flagforge_rules SET strategy = 'hijacked' WHERE tenant_id IS NULL OR tenant_id = 'globex';
UPDATE flagforge_rules SET tenant_id = 'globex' WHERE tenant_id = 'acme';
UPDATE flagforge_rules SET tenant_id = NULL WHERE tenant_id = 'acme';
DELETE FROM flagforge_rules WHERE tenant_id IS NULL OR tenant_id = 'globex';
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('t_flag', 'acme', 0)
ON CONFLICT (flag_key, tenant_id, position) DO UPDATE SET strategy = 'own_tenant_ok';
-- Through the group it belongs to, it is still bound.
SET ROLE regress_rules_group;
SELECT flag_key, tenant_id, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST;
INSERT INTO flagforge_rules (flag_key, tenant_id, position) VALUES ('t_flag', NULL, 6);
UPDATE flagforge_rules SET strategy = 'hijacked' WHERE tenant_id IS DISTINCT FROM 'acme';
DELETE FROM flagforge_rules WHERE tenant_id IS DISTINCT FROM 'acme';
RESET ROLE;
-- A planted transition table and planted operators change nothing: deleting
-- its own override takes only its own tenant's rules with it.
CREATE TEMP TABLE flagforge_gone_overrides (tenant_id text, flag_key text);
INSERT INTO flagforge_gone_overrides VALUES ('globex', 't_flag');
SET search_path = pg_temp, public, pg_catalog;
DELETE FROM flagforge_overrides WHERE tenant_id OPERATOR(pg_catalog.=) 'globex';
DELETE FROM flagforge_overrides WHERE tenant_id OPERATOR(pg_catalog.=) 'acme';
RESET search_path;
DROP TABLE pg_temp.flagforge_gone_overrides;
RESET SESSION AUTHORIZATION;
DROP OPERATOR public.= (text, text);
DROP FUNCTION public.regress_eq(text, text);
SELECT flag_key, tenant_id, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST;
SELECT tenant_id, flag_key FROM flagforge_overrides ORDER BY 1;
-- The rule's deletion is in the trail; the bound role reads only its tenant's rows.
SELECT action, table_name, tenant_id FROM flagforge_audit
WHERE table_name = 'public.flagforge_rules' AND action = 'DELETE' AND flag_key = 't_flag' ORDER BY id;
SET SESSION AUTHORIZATION regress_acme;
SELECT count(*) AS audit_rows_seen FROM flagforge_audit;
RESET SESSION AUTHORIZATION;
GRANT SELECT ON flagforge_audit TO regress_rules_group;
SET SESSION AUTHORIZATION regress_acme;
SELECT DISTINCT tenant_id FROM flagforge_audit WHERE tenant_id IS NOT NULL ORDER BY 1;
RESET SESSION AUTHORIZATION;
REVOKE SELECT ON flagforge_audit FROM regress_rules_group;
SELECT flagforge_disable_tenant_security();
DELETE FROM flagforge_tenant_roles WHERE role_name = 'regress_acme';

-- 6. Prerequisite cycles are refused: directly, in one statement, by
-- UPDATE, and through a key rename that cascades.
INSERT INTO flagforge_flags (key, name) VALUES ('t_a', 'a'), ('t_b', 'b'), ('t_c', 'c');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_a', 't_a');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_a', 't_b');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_b', 't_a');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_b', 't_c'), ('t_c', 't_a');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_b', 't_c');
UPDATE flagforge_prerequisites SET parent_key = 't_a' WHERE flag_key = 't_b';
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_c', 't_z');
UPDATE flagforge_flags SET key = 't_z' WHERE key = 't_a';
SELECT flag_key, parent_key FROM flagforge_prerequisites ORDER BY 1, 2;
-- The setting with another value is no escape either.
SET flagforge.importing = 'yes';
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_c', 't_a');
RESET flagforge.importing;
-- A cycle in an Unleash payload is stored (every flag of it off), and the
-- setting the import uses does not outlive it.
SELECT * FROM flagforge_import_unleash('{"features": [
  {"name": "t_u1", "enabled": true, "strategies": [{"name": "default"}], "dependencies": [{"feature": "t_u2"}]},
  {"name": "t_u2", "enabled": true, "strategies": [{"name": "default"}], "dependencies": [{"feature": "t_u1"}]}]}');
SELECT current_setting('flagforge.importing') AS importing_after;
SELECT flagforge_is_enabled('t_u1', '{}'::jsonb) AS u1, flagforge_is_enabled('t_u2', '{}'::jsonb) AS u2;
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('t_c', 't_b'), ('t_b', 't_c');
DELETE FROM flagforge_flags WHERE key IN ('t_u1', 't_u2');

-- 7. Hostile constraints, rules and variants: an error naming the field, never a crash.
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "NUM_EQ", "value": "-0x10"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "NUM_EQ", "value": 1}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "SEMVER_EQ", "value": "99999999999999999999.0.0"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "SEMVER_EQ", "value": "01.0.0"}]');
SELECT flagforge_check_constraints(jsonb_build_array(jsonb_build_object('contextName', 'a', 'operator', 'SEMVER_EQ', 'value', '1.0.0-' || repeat('a', 300))))::text AS over_256_characters;
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "DATE_AFTER", "value": "2024-01-01T00:00:00+99:99"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "DATE_AFTER", "value": "2023-02-29T00:00:00Z"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "DATE_AFTER", "value": "2024-01-01"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "REGEX"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "IN", "values": [1]}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "IN", "values": "x"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "IN", "values": [[[[]]]]}]');
SELECT flagforge_check_constraints(('[' || repeat('[', 5000) || repeat(']', 5000) || ']')::jsonb);
SELECT flagforge_check_constraints('[1]');
SELECT flagforge_check_constraints('[null]');
SELECT flagforge_check_constraints('{}');
SELECT flagforge_check_constraints('"x"');
SELECT flagforge_check_constraints('null');
SELECT flagforge_check_constraints('[{"contextName": null, "operator": "IN"}]');
SELECT flagforge_check_constraints('[{"contextName": "a"}]');
SELECT flagforge_check_constraints('[{"contextName": "a", "operator": "IN", "inverted": "yes"}]');
SELECT flagforge_check_constraints('[{"contextName": "", "operator": "IN"}]');
-- Odd but valid: stored, and never a crash at evaluation.
SELECT flagforge_check_constraints(jsonb_build_array(
    '{"contextName": "a", "operator": "NUM_EQ", "value": "1e400"}'::jsonb,
    jsonb_build_object('contextName', 'a', 'operator', 'NUM_EQ', 'value', '0x' || repeat('f', 10000)),
    jsonb_build_object('contextName', 'a', 'operator', 'NUM_LT', 'value', repeat('9', 100000)),
    '{"contextName": "a", "operator": "SEMVER_EQ", "value": "\u00a01.0.0\u3000"}'::jsonb,
    '{"contextName": "a", "operator": "DATE_AFTER", "value": "9999-12-31T23:59:59.999999999999Z"}'::jsonb,
    '{"contextName": "a", "operator": "DATE_BEFORE", "value": "0000-02-29T00:00:00Z"}'::jsonb,
    '{"contextName": "a", "operator": "REGEX", "value": "(a{1000}){1000}"}'::jsonb,
    '{"contextName": "a", "operator": "REGEX", "value": "(a)\\1(?=x)"}'::jsonb,
    '{"contextName": "a", "operator": "REGEX", "value": "\\C+\ud83d\ude00"}'::jsonb,
    jsonb_build_object('contextName', 'a', 'operator', 'REGEX', 'caseInsensitive', true, 'value', repeat('(', 2000) || repeat(')', 2000)),
    jsonb_build_object('contextName', 'a', 'operator', 'IN_CIDR', 'values', jsonb_build_array('::ffff:1.2.3.4/200', '1.2.3.4/-1', '999.1.1.1/8', '::/0', repeat(':', 5000), '1.2.3.4/99999999999999999999')),
    jsonb_build_object('contextName', 'a', 'operator', 'STR_CONTAINS', 'caseInsensitive', true, 'values', jsonb_build_array(repeat('İ', 10000))),
    jsonb_build_object('contextName', repeat('x', 100000), 'operator', 'IN', 'values', '[]'::jsonb))) AS odd_but_valid;
-- An unknown operator (even 100,000 characters of one) is stored only as the Unleash import writes it.
SET flagforge.importing = 'unleash';
SELECT flagforge_check_constraints(jsonb_build_array(
    jsonb_build_object('contextName', 'a', 'operator', repeat('X', 100000)))) AS unknown_operator_kept_by_import;
RESET flagforge.importing;
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": "1e400"}', '[]', '[]');
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": "100.0000000001"}', '[]', '[]');
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": "-1"}', '[]', '[]');
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": [1]}', '[]', '[]');
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": {"a": 1}}', '[]', '[]');
SELECT flagforge_check_rule('gradualRolloutRandom', '{"percentage": "NaN"}', '[]', '[]');
SELECT flagforge_check_rule('gradualRolloutRandom', '{"percentage": "Infinity"}', '[]', '[]');
SELECT flagforge_check_rule('default', '[]', '[]', '[]');
SELECT flagforge_check_rule('default', '{}', '{}', '[]');
SELECT flagforge_check_rule('default', '{}', '[]', '{}');
SELECT flagforge_check_rule('flexibleRollout', '{"rollout": "0x64", "stickiness": "", "groupId": ""}', '[]', '[]')
   AND flagforge_check_rule('userWithId', jsonb_build_object('userIds', repeat(',', 100000)), '[]', '[]')
   AND flagforge_check_rule('remoteAddress', jsonb_build_object('IPs', repeat(', ', 50000) || '::/129'), '[]', '[]')
   AND flagforge_check_rule('applicationHostname', jsonb_build_object('hostNames', repeat('İ,', 20000)), '[]', '[]')
   AND flagforge_check_rule(repeat('x', 100000), '{}', '[]', '[]') AS odd_rules_valid;
SELECT flagforge_check_variants('[{"name": "a", "weight": -1}]');
SELECT flagforge_check_variants('[{"name": "a", "weight": 1e400}]');
SELECT flagforge_check_variants('[{"name": "a", "weight": -1e-400}]');
SELECT flagforge_check_variants('[{"name": "a", "weight": 1.5}]');
SELECT flagforge_check_variants('[{"name": "a", "weight": 1000001}]');
SELECT flagforge_check_variants('[{"name": "a", "weight": "5"}]');
SELECT flagforge_check_variants('[{"name": ""}]');
SELECT flagforge_check_variants('[{"weight": 1}]');
SELECT flagforge_check_variants('[{"name": "a", "weightType": "FIX"}]');
SELECT flagforge_check_variants('[{"name": "a", "payload": {"type": "json", "value": {"x": 1}}}]');
SELECT flagforge_check_variants('[{"name": "a", "payload": {"type": "json"}}]');
SELECT flagforge_check_variants('[{"name": "a", "overrides": [{"values": ["x"]}]}]');
SELECT flagforge_check_variants('[{"name": "a", "overrides": "x"}]');
-- A bad value is refused at INSERT, in every table that holds one.
INSERT INTO flagforge_segments (id, constraints) VALUES (1, '[{"contextName": "a", "operator": "NUM_EQ", "value": "x"}]');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters) VALUES ('t_flag', 7, 'flexibleRollout', '{"rollout": "101"}');
INSERT INTO flagforge_rules (flag_key, position, segments) VALUES ('t_flag', 7, '{{1},{2}}');
INSERT INTO flagforge_rules (flag_key, position, segments) VALUES ('t_flag', 7, '{1,NULL}');
INSERT INTO flagforge_rules (flag_key, position) VALUES ('t_flag', -1);
UPDATE flagforge_flags SET variants = '[{"name": "a", "weight": -5}]' WHERE key = 't_flag';
INSERT INTO flagforge_prerequisites (flag_key, parent_key, variants) VALUES ('t_flag', 't_other', '{NULL}');

-- 8. Hostile evaluation contexts: an error naming the field, or an answer.
INSERT INTO flagforge_flags (key, name) VALUES ('t_ops', 'ops');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters, constraints, variants) VALUES
('t_ops', 0, 'flexibleRollout', '{"rollout": "100", "stickiness": "s"}',
 '[{"contextName": "s", "operator": "STR_CONTAINS", "caseInsensitive": true, "values": ["İx", "ab"], "inverted": true},
   {"contextName": "n", "operator": "NUM_GT", "value": "-1e308"},
   {"contextName": "v", "operator": "SEMVER_LT", "value": "9007199254740991.0.0"},
   {"contextName": "r", "operator": "REGEX", "value": "^(a|b)*$", "caseInsensitive": true},
   {"contextName": "remoteAddress", "operator": "IN_CIDR", "values": ["0.0.0.0/0", "::/0", "1.2.3.4/200"]}]',
 '[{"name": "a", "weight": 1000000, "stickiness": "s", "overrides": [{"contextName": "s", "values": ["q"]}]}, {"name": "b", "weight": 0}]');
SELECT flagforge_is_enabled('t_ops', jsonb_build_object('s', repeat('İ', 100000), 'n', '1e400', 'v', '1.2.3',
       'r', repeat('a', 100000), 'remoteAddress', '::1')) AS long_values;
SELECT flagforge_variant('t_ops', jsonb_build_object('s', 'x', 'n', 1e400::numeric::text::jsonb, 'v', '1.2.3',
       'r', 'AB', 'remoteAddress', '1.2.3.4')) AS huge_number;
SELECT flagforge_is_enabled('t_ops', jsonb_build_object('s', 'x', 'n', '0x' || repeat('f', 1000), 'v', 'v1.2.3',
       'r', 'a', 'remoteAddress', repeat(':', 10000))) AS odd_values;
SELECT flagforge_explain('t_ops', '{"s": true, "n": false, "v": null, "r": 1, "currentTime": "0000-01-01T00:00:00Z"}'::jsonb)->>'step' AS scalar_values;
SELECT flagforge_is_enabled('t_ops', '{"currentTime": "2024-13-01T00:00:00Z"}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"currentTime": 12}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"groups": [1]}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"groups": "x"}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"properties": []}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"properties": {"a": {"b": 1}}}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"tenant": {"a": 1}}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '{"userId": [1]}'::jsonb);
SELECT flagforge_is_enabled('t_ops', '[]'::jsonb);
SELECT flagforge_is_enabled('t_ops', '"x"'::jsonb);
SELECT flagforge_is_enabled('t_ops', 'null'::jsonb);
SELECT flagforge_is_enabled('t_ops', NULL::jsonb) IS NULL AS null_context;
SELECT flagforge_is_enabled('t_ops', ('{"x": ' || repeat('[', 5000) || repeat(']', 5000) || '}')::jsonb) AS deep_context;
SELECT flagforge_is_enabled('t_ops', jsonb_build_object('sessionId', repeat('x', 1000000))) AS long_session;
SELECT flagforge_evaluate_all('{"tenant": 1e400}'::jsonb) ? 't_ops' AS numeric_tenant;
SET flagforge.properties = '[1]';
SET flagforge.properties = '{"a": {"b": 1}}';
SET flagforge.properties = '{"a": [1]}';
SET flagforge.properties = '{"a": ';
SET flagforge.properties = '{"s": "x", "n": 1, "v": "1.2.3", "r": "ab", "remoteAddress": "::1"}';
SELECT flagforge_evaluate_all('{"tenant": "acme"}'::jsonb)->'t_ops' AS from_context;
SET flagforge.tenant = 'acme';
SELECT flagforge_evaluate_all()->'t_ops' AS from_settings;
RESET flagforge.tenant;
RESET flagforge.properties;

-- 9. An Unleash payload's hostile shapes are refused, naming the feature and field.
SELECT * FROM flagforge_import_unleash('[]');
SELECT * FROM flagforge_import_unleash('{"features": {}}');
SELECT * FROM flagforge_import_unleash('{"features": [1]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "", "enabled": true}]}');
SELECT * FROM flagforge_import_unleash(jsonb_build_object('features', jsonb_build_array(jsonb_build_object('name', repeat('x', 256), 'enabled', true))));
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true}, {"name": "t_d", "enabled": true}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": "yes"}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true, "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "200"}}]}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true, "strategies": [{"name": "default", "segments": ["1"]}]}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true, "dependencies": [{"feature": "t_d"}]}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true, "dependencies": [{"feature": "x", "variants": [1]}]}]}');
SELECT * FROM flagforge_import_unleash('{"features": [{"name": "t_d", "enabled": true, "variants": [{"name": "a", "weight": -1}]}]}');
SELECT * FROM flagforge_import_unleash('{"features": [], "segments": [{"id": "1"}]}');
SELECT * FROM flagforge_import_unleash('{"features": [], "segments": [{"id": 1, "constraints": [{"contextName": "a", "operator": "DATE_AFTER", "value": "x"}]}]}');
SELECT count(*) AS nothing_written FROM flagforge_flags WHERE key = 't_d';

-- Clean up.
SET client_min_messages = warning;
REVOKE ALL ON flagforge_overrides, flagforge_rules, flagforge_flags, flagforge_segments FROM regress_rules_group;
DROP ROLE regress_acme;
DROP ROLE regress_rules_group;
REVOKE CREATE ON SCHEMA public FROM regress_nobody;
DROP ROLE regress_nobody;
TRUNCATE flagforge_flags CASCADE;
DELETE FROM flagforge_segments;
RESET client_min_messages;
