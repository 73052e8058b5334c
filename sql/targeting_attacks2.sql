-- Round 2 of the red team on targeting (issue 13): what flagforge refuses
-- through the flag file's targeting keys (a tenant-bound role, the README's
-- admin role, a role with no grants, hostile documents), the round-1 limits
-- and the cycle setting.  Attacks that succeeded are in the red team's
-- report, not here.
\set VERBOSITY terse
SET client_min_messages = warning;
TRUNCATE flagforge_flags CASCADE;
DELETE FROM flagforge_segments;
RESET client_min_messages;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage)
VALUES ('y_flag', 'Y', true, 100), ('y_other', 'O', true, 100);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled)
VALUES ('acme', 'y_flag', true), ('globex', 'y_flag', true);
INSERT INTO flagforge_rules (flag_key, tenant_id, position, strategy)
VALUES ('y_flag', NULL, 0, 'default'), ('y_flag', 'acme', 0, 'default'),
       ('y_flag', 'globex', 0, 'userWithId');
INSERT INTO flagforge_segments (id, name) VALUES (1, 'one');
CREATE ROLE regress_y_nobody LOGIN;
CREATE ROLE regress_y_admin NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides TO regress_y_admin;
GRANT EXECUTE ON FUNCTION flagforge_import_yaml(text, boolean, boolean),
    flagforge_export_yaml(boolean) TO regress_y_admin;
CREATE ROLE regress_y_group NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides, flagforge_rules,
    flagforge_prerequisites, flagforge_segments TO regress_y_group;
GRANT EXECUTE ON FUNCTION flagforge_import_yaml(text, boolean, boolean),
    flagforge_export_yaml(boolean) TO regress_y_group;
CREATE ROLE regress_y_acme LOGIN IN ROLE regress_y_group;
INSERT INTO flagforge_tenant_roles VALUES ('regress_y_acme', 'acme');

-- 1. A role with no grants: no export, no import.
SET ROLE regress_y_nobody;
SELECT flagforge_export_yaml();
SELECT * FROM flagforge_import_yaml('flags: {}');
RESET ROLE;

-- 2. An admin role granted only the 1.0 tables writes no rules
-- and no segments through the file.
SET ROLE regress_y_admin;
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100, rules: [{strategy: hijack}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100, rules: []}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100, prerequisites: [{flag: y_other}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"1": {name: hijacked}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100}
overrides:
  acme: {y_flag: {rules: [{strategy: hijack}]}}
$$);
RESET ROLE;

-- 3. A tenant-bound role: the export shows the flag's rules and its own
-- tenant's only; the file writes neither the flag's rules nor another
-- tenant's.
SELECT flagforge_enable_tenant_security();
SET SESSION AUTHORIZATION regress_y_acme;
SELECT flagforge_export_yaml(true);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100, rules: [{strategy: hijack}]}
$$);
-- Nor clear them: rules: [] names the flag's rules, which it may see but not delete.
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100, rules: []}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100}
overrides:
  globex: {y_flag: {rules: []}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100}
overrides:
  globex: {y_flag: {enabled: true, rules: [{strategy: hijack}]}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100}
overrides:
  initech: {y_flag: {enabled: true, rules: [{strategy: hijack}]}}
$$);
-- Its own tenant's rules it may replace.
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, default_enabled: true, rollout_percentage: 100}
overrides:
  acme: {y_flag: {enabled: true, rules: [{strategy: own_tenant_ok}]}}
$$);
RESET SESSION AUTHORIZATION;
SELECT flagforge_disable_tenant_security();
SELECT flag_key, tenant_id, position, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST, position;
SELECT id, name FROM flagforge_segments ORDER BY id;

-- 4. Hostile documents: an error with line and column (or the server's
-- check, naming flag and field), never a crash; nothing is written.
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, parameters: &a {x: "1"}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, parameters: {x: !!binary aGVsbG8=}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, parameters: {<<: {x: "1"}}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, tenant_id: globex}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, position: 5}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: flexibleRollout, parameters: {rollout: .inf}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: flexibleRollout, parameters: {rollout: 1e999}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: flexibleRollout, parameters: {rollout: 100.5}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: flexibleRollout, parameters: {rollout: true}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, segments: [99999999999]}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, segments: [1.5]}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, segments: {a: 1}}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, segments: [[1]]}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, segments: [~]}]}
$$);
SELECT * FROM flagforge_import_yaml(
  E'flags:\n  y_flag: {name: Y, rules: [{strategy: default, segments: ['
  || (SELECT string_agg(i::text, ', ') FROM generate_series(1, 101) i) || ']}]}');
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: {strategy: default}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [1]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: ~}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [~]}
$$);
SELECT * FROM flagforge_import_yaml(
  E'flags:\n  y_flag: {name: Y, rules: [{strategy: default, parameters: '
  || repeat('{a: ', 70) || '"1"' || repeat('}', 70) || '}]}');
SELECT * FROM flagforge_import_yaml(
  E'flags:\n  y_flag: {name: Y, rules: [{strategy: default, parameters: {x: '
  || repeat('[', 20000) || repeat(']', 20000) || '}}]}');
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, rules: [{strategy: default, parameters: {x: [[]]}}]}
$$);
SELECT * FROM flagforge_import_yaml(
  E'flags:\n  y_flag: {name: Y, rules: [{strategy: default, constraints: [{contextName: a, operator: REGEX, value: "'
  || repeat('a', 5000) || '"}]}]}');
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_flag}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: ~}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other, enabled: "yes"}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other, enabled: ~}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other, variants: [~]}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other}, {flag: y_other}]}
$$);
-- A cycle the document itself closes is refused (the flag file is not an
-- Unleash payload), and so is one with flagforge.importing set to anything else.
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other}]}
  y_other: {name: O, prerequisites: [{flag: y_flag}]}
$$);
SET flagforge.importing = 'yaml';
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, prerequisites: [{flag: y_other}]}
  y_other: {name: O, prerequisites: [{flag: y_flag}]}
$$);
RESET flagforge.importing;
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"abc": {name: x}}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"1": {name: x}, " 1": {name: y}}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"99999999999": {name: x}}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"1": ~}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: [1]
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"1": {name: x, constraints: [{contextName: a, operator: NUM_EQ, value: x}]}}
$$);
SELECT * FROM flagforge_import_yaml($$flags: {}
segments: {"1": {name: x, id: 2}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, kill_switch: "true"}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, kill_switch: ~}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, variants: {a: 1}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, variants: [{name: a, weight: 1000001}]}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y, variants: [{name: a, weight: -1}]}
$$);
SELECT * FROM flagforge_import_yaml(
  E'flags:\n  y_flag:\n    name: Y\n    variants:\n'
  || (SELECT string_agg('      - {name: v' || i || ', weight: 1000000}', E'\n') FROM generate_series(1, 101) i));
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y}
overrides:
  acme: {y_flag: {prerequisites: [{flag: y_other}]}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y}
overrides:
  acme: {y_flag: {kill_switch: true}}
$$);
SELECT * FROM flagforge_import_yaml($$flags:
  y_flag: {name: Y}
overrides:
  acme: {y_flag: {variants: []}}
$$);
-- Nothing of the above was written.
SELECT key, kill_switch, variants FROM flagforge_flags ORDER BY key;
SELECT flag_key, tenant_id, position, strategy FROM flagforge_rules ORDER BY tenant_id NULLS FIRST, position;
SELECT count(*) AS prerequisites FROM flagforge_prerequisites;
SELECT id, name, constraints FROM flagforge_segments ORDER BY id;

-- Clean up.
SET client_min_messages = warning;
DELETE FROM flagforge_tenant_roles WHERE role_name = 'regress_y_acme';
REVOKE ALL ON flagforge_flags, flagforge_overrides, flagforge_rules, flagforge_prerequisites,
    flagforge_segments FROM regress_y_group, regress_y_admin;
REVOKE ALL ON FUNCTION flagforge_import_yaml(text, boolean, boolean),
    flagforge_export_yaml(boolean) FROM regress_y_group, regress_y_admin;
DROP ROLE regress_y_acme;
DROP ROLE regress_y_group;
DROP ROLE regress_y_admin;
DROP ROLE regress_y_nobody;
TRUNCATE flagforge_flags CASCADE;
DELETE FROM flagforge_segments;
RESET client_min_messages;
