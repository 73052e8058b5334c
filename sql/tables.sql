-- The tables enforce every rule themselves, so plain SQL is as safe as the functions.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;

-- A definition with only key and name takes the documented defaults.
INSERT INTO flagforge_flags (key, name) VALUES ('new_dashboard', 'New Dashboard');
SELECT key, name, description, default_enabled, is_public, rollout_percentage,
       deprecated, environments, created_at IS NOT NULL AS has_created_at,
       updated_at = created_at AS fresh
FROM flagforge_flags;

-- Keys are 1 to 255 characters (not bytes).
INSERT INTO flagforge_flags (key, name) VALUES ('', 'empty');
INSERT INTO flagforge_flags (key, name) VALUES (repeat('k', 256), 'too long');
INSERT INTO flagforge_flags (key, name) VALUES (repeat('é', 255), 'longest');
SELECT char_length(key), octet_length(key) FROM flagforge_flags WHERE name = 'longest';

-- name is required; rollout_percentage is 0 to 100.
INSERT INTO flagforge_flags (key) VALUES ('nameless');
INSERT INTO flagforge_flags (key, name, rollout_percentage) VALUES ('r', 'r', 101);
INSERT INTO flagforge_flags (key, name, rollout_percentage) VALUES ('r', 'r', -1);
UPDATE flagforge_flags SET rollout_percentage = NULL WHERE key = 'new_dashboard';

-- environments: NULL (everywhere) or a one-dimensional list without NULLs.
INSERT INTO flagforge_flags (key, name, environments) VALUES ('e1', 'e1', '{staging,NULL}');
INSERT INTO flagforge_flags (key, name, environments) VALUES ('e2', 'e2', '{{a},{b}}');
INSERT INTO flagforge_flags (key, name, environments) VALUES ('e3', 'e3', '{}');
SELECT key, environments FROM flagforge_flags WHERE key = 'e3';

-- updated_at is kept current by the trigger on UPDATE, created_at is not touched.
BEGIN;
UPDATE flagforge_flags SET updated_at = '2000-01-01', created_at = '2000-01-01'
WHERE key = 'new_dashboard';
SELECT updated_at = now() AS updated_now, created_at = '2000-01-01' AS created_kept
FROM flagforge_flags WHERE key = 'new_dashboard';
COMMIT;

-- Overrides: the flag must exist.
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('acme', 'missing', true);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('acme', 'new_dashboard', true);
SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users,
       enabled_for_groups, updated_by FROM flagforge_overrides;

-- One override per tenant and flag.
INSERT INTO flagforge_overrides (tenant_id, flag_key) VALUES ('acme', 'new_dashboard');

-- Override rollout is 0 to 100 or NULL; lists have no NULLs and one dimension.
UPDATE flagforge_overrides SET rollout_percentage = 101;
UPDATE flagforge_overrides SET rollout_percentage = NULL;
UPDATE flagforge_overrides SET enabled_for_users = '{alice,NULL}';
UPDATE flagforge_overrides SET enabled_for_groups = '{{a},{b}}';
UPDATE flagforge_overrides SET enabled_for_users = NULL;

-- updated_at of an override is kept current too.
BEGIN;
UPDATE flagforge_overrides SET updated_at = '2000-01-01';
SELECT updated_at = now() AS updated_now FROM flagforge_overrides;
COMMIT;

-- Renaming a flag carries its overrides along; deleting it deletes them.
UPDATE flagforge_flags SET key = 'dashboard_v2' WHERE key = 'new_dashboard';
SELECT tenant_id, flag_key FROM flagforge_overrides;
DELETE FROM flagforge_flags WHERE key = 'dashboard_v2';
SELECT count(*) AS overrides_left FROM flagforge_overrides;

-- pg_dump keeps the rows of both tables.
SELECT unnest(extconfig)::regclass AS dumped_table FROM pg_extension WHERE extname = 'flagforge';

-- Both tables are closed to PUBLIC (targeting lists are personal data).
CREATE ROLE regress_flagforge_nobody;
SELECT has_table_privilege('regress_flagforge_nobody', 'flagforge_flags', 'SELECT') AS can_read_flags,
       has_table_privilege('regress_flagforge_nobody', 'flagforge_overrides', 'SELECT') AS can_read_overrides;
DROP ROLE regress_flagforge_nobody;

-- Every table, column and function of the extension has a comment.
SELECT c.relname, a.attname
FROM pg_depend d
JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge')
  AND c.relkind = 'r' AND col_description(c.oid, a.attnum) IS NULL;
SELECT p.oid::regprocedure AS uncommented_function
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge')
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT count(*) AS commented_tables FROM pg_class
WHERE relname IN ('flagforge_flags', 'flagforge_overrides')
  AND obj_description(oid, 'pg_class') IS NOT NULL;

TRUNCATE flagforge_flags CASCADE;
