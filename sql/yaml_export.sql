-- flagforge_export_yaml: deterministic, quoted where needed, read back unchanged.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;

-- Nothing to export.
SELECT flagforge_export_yaml();

-- Awkward keys and strings: YAML 1.1 words, colons, hashes, quotes, leading
-- dashes, newlines, unicode, empty strings and tenants.
INSERT INTO flagforge_flags (key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments) VALUES
    ('yes', 'on', E'multi\nline: # not a comment', true, true, 0, false, '{}'),
    ('🚀 launch', '吉 星 高 照', 'My 🚀 is full of 🦎.', true, false, 40, true, '{prod,"a b",-x}'),
    ('plain', 'Plain', '', false, false, 0, false, NULL),
    ('123', '"quoted"', '''single''', false, false, 100, false, '{"null",~}'),
    ('key: colon', ' padded ', E'tab\there', false, false, 0, false, NULL);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups) VALUES
    ('acme', 'plain', true, NULL, '{a:b,-x}', '{}'),
    ('', 'yes', NULL, NULL, '{}', '{"#hash"}'),
    ('globex', '🚀 launch', false, 30, '{}', '{beta}');

SELECT flagforge_export_yaml() AS flags_only;
SELECT flagforge_export_yaml(include_overrides => true) AS with_overrides;

-- Importing the export changes nothing: every flag unchanged, every override unchanged.
SELECT * FROM flagforge_import_yaml(flagforge_export_yaml(true));

-- The export is deterministic.
SELECT flagforge_export_yaml(true) = flagforge_export_yaml(true) AS deterministic;

-- A fresh database gets identical rows from the export.
CREATE TEMP TABLE before_flags AS
SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments FROM flagforge_flags;
CREATE TEMP TABLE before_overrides AS
SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups FROM flagforge_overrides;
SELECT flagforge_export_yaml(true) AS doc \gset
TRUNCATE flagforge_flags CASCADE;
SELECT count(*) AS imported FROM flagforge_import_yaml(:'doc');
SELECT count(*) AS differing_flags FROM (
    (SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments FROM flagforge_flags
     EXCEPT SELECT * FROM before_flags)
    UNION ALL
    (SELECT * FROM before_flags EXCEPT
     SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments FROM flagforge_flags)) d;
SELECT count(*) AS differing_overrides FROM (
    (SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups FROM flagforge_overrides
     EXCEPT SELECT * FROM before_overrides)
    UNION ALL
    (SELECT * FROM before_overrides EXCEPT
     SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups FROM flagforge_overrides)) d;

-- 10,000 flags export and import back unchanged.
TRUNCATE flagforge_flags CASCADE;
INSERT INTO flagforge_flags (key, name, rollout_percentage, default_enabled)
SELECT 'flag_' || i, 'Flag ' || i, CASE WHEN i % 2 = 0 THEN i % 101 ELSE 0 END, i % 2 = 0
FROM generate_series(1, 10000) i;
SELECT action, count(*) FROM flagforge_import_yaml(flagforge_export_yaml()) GROUP BY action;

TRUNCATE flagforge_flags CASCADE;
