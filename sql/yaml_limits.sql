-- flagforge_import_yaml on large documents: interrupts are served inside the
-- reader, and rows are written a batch (FF_YAML_BATCH_ROWS, 1000) at a time.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;

-- A statement timeout stops the reader in the middle of a document: this 6 MB
-- list takes the reader about a second, the timeout fires after 200 ms, and the
-- statement ends there (no warning about the parsed document is reached).
CREATE TEMP TABLE big_doc AS
SELECT E'flags:\n  quirk: {name: q, rollout_percentage: 30}\n  big:\n    name: b\n    environments: ['
       || repeat('a,', 3000000) || E'a]\n' AS doc;
SET statement_timeout = '200ms';
SELECT count(*) FROM flagforge_import_yaml((SELECT doc FROM big_doc), dry_run => true);
RESET statement_timeout;
SELECT count(*) AS flags_after_timeout FROM flagforge_flags;

-- The same document without a timeout: the reader is not slowed down.
SELECT count(*) FROM flagforge_import_yaml((SELECT doc FROM big_doc), dry_run => true);
DROP TABLE big_doc;

-- Writes come in batches: count the statements that write the tables.
CREATE TEMP TABLE write_statements (tbl text, op text);
CREATE FUNCTION pg_temp.count_statement() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO write_statements VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
CREATE TRIGGER count_flag_writes AFTER INSERT OR DELETE ON flagforge_flags
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.count_statement();
CREATE TRIGGER count_override_writes AFTER INSERT ON flagforge_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.count_statement();

-- 2,501 flags (every field, quotes and backslashes in lists) and 2,501 overrides
-- in three tenants setting four different sets of fields (1,563 of them the same).
SELECT E'flags:\n' || string_agg(format(
           E'  f%s: {name: "Flag %s", description: "d\\\\%s", default_enabled: %s, is_public: %s,'
           ' rollout_percentage: %s, deprecated: %s, environments: %s}\n',
           i, i, i, (i % 2 = 0)::text, (i % 3 = 0)::text, CASE WHEN i % 2 = 0 THEN i % 101 ELSE 0 END, (i % 5 = 0)::text,
           CASE i % 3 WHEN 0 THEN '~' WHEN 1 THEN '[prod]' ELSE format('[e%s, "q\"x", "b\\s"]', i) END), '' ORDER BY i)
       || E'overrides:\n'
       || (SELECT string_agg(format(E'  t%s:\n', t) || (
              SELECT string_agg(format(E'    f%s: %s\n', i, CASE i % 8
                         WHEN 0 THEN '{rollout_percentage: 40, enabled_for_users: [u1, "u\"2"]}'
                         WHEN 1 THEN '{enabled: null, enabled_for_groups: [g1]}'
                         WHEN 2 THEN '{}'
                         ELSE '{enabled: true}' END), '' ORDER BY i)
              FROM generate_series(1, 2501) i WHERE i % 3 = t), '' ORDER BY t)
           FROM generate_series(0, 2) t) AS doc
FROM generate_series(1, 2501) i \gset
SELECT action, count(*) FROM flagforge_import_yaml(:'doc') GROUP BY action;
SELECT tbl, op, count(*) FROM write_statements GROUP BY tbl, op ORDER BY tbl, op;
SELECT count(*) AS flags, count(*) FILTER (WHERE environments[2:3] = '{q\"x,b\\s}') AS quoted_lists FROM flagforge_flags;
SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments
FROM flagforge_flags WHERE key IN ('f1', 'f2', 'f3', 'f2501') ORDER BY key;
SELECT count(*) AS overrides,
       count(*) FILTER (WHERE enabled) AS enabled,
       count(*) FILTER (WHERE rollout_percentage = 40 AND enabled_for_users = '{u1,u\"2}') AS targeted,
       count(*) FILTER (WHERE enabled_for_groups = '{g1}') AS grouped
FROM flagforge_overrides;

-- Read back, every row is unchanged and nothing is written.
TRUNCATE write_statements;
SELECT action, count(*) FROM flagforge_import_yaml(:'doc') GROUP BY action;
SELECT count(*) AS write_statements FROM write_statements;

-- Prune deletes 2,500 flags (and their overrides) a batch of keys at a time.
SELECT action, count(*) FROM flagforge_import_yaml('flags: {f1: {name: "Flag 1"}}', prune => true)
GROUP BY action ORDER BY action;
SELECT tbl, op, count(*) FROM write_statements GROUP BY tbl, op ORDER BY tbl, op;
SELECT count(*) AS flags_left FROM flagforge_flags;

DROP TRIGGER count_flag_writes ON flagforge_flags;
DROP TRIGGER count_override_writes ON flagforge_overrides;
TRUNCATE flagforge_flags CASCADE;
