-- Freshness within a session: own changes are seen at once, a rollback
-- restores, evaluation never writes.  (Other sessions: test/isolation.)
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant;

INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('f', 'F', false);
SELECT flagforge_is_enabled('f', 'acme') AS before;

-- A plain UPDATE is seen by the next statement.
UPDATE flagforge_flags SET default_enabled = true WHERE key = 'f';
SELECT flagforge_is_enabled('f', 'acme') AS after_update;

-- Uncommitted changes are seen by their own transaction; a rollback restores.
BEGIN;
UPDATE flagforge_flags SET default_enabled = false WHERE key = 'f';
SELECT flagforge_is_enabled('f', 'acme') AS in_transaction;
SELECT flagforge_enable('f', 'acme');
SELECT flagforge_is_enabled('f', 'acme') AS enabled_in_transaction;
ROLLBACK;
SELECT flagforge_is_enabled('f', 'acme') AS after_rollback,
       (SELECT count(*) FROM flagforge_overrides) AS overrides;

-- A rolled-back savepoint restores too.
BEGIN;
SELECT flagforge_disable('f', 'acme');
SAVEPOINT s;
SELECT flagforge_enable('f', 'acme');
SELECT flagforge_is_enabled('f', 'acme') AS inside_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT flagforge_is_enabled('f', 'acme') AS after_savepoint_rollback;
COMMIT;
SELECT flagforge_is_enabled('f', 'acme') AS committed;

-- New flags, deleted flags and TRUNCATE are seen at once.
INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('g', 'G', true);
SELECT flagforge_evaluate_all('acme') AS with_g;
DELETE FROM flagforge_flags WHERE key = 'g';
SELECT flagforge_evaluate_all('acme') AS without_g;
TRUNCATE flagforge_overrides;
SELECT flagforge_is_enabled('f', 'acme') AS after_truncate;
TRUNCATE flagforge_flags CASCADE;
SELECT flagforge_evaluate_all('acme') AS nothing_left;

-- A change made inside a function is seen by the next statement of the function.
INSERT INTO flagforge_flags (key, name) VALUES ('f', 'F');
DO $$
BEGIN
    RAISE NOTICE 'before: %', flagforge_is_enabled('f', 'acme');
    PERFORM flagforge_enable('f', 'acme');
    RAISE NOTICE 'after: %', flagforge_is_enabled('f', 'acme');
END $$;

-- Evaluation never writes: it works in a read-only transaction.
BEGIN READ ONLY;
SELECT flagforge_is_enabled('f', 'acme') AS read_only, flagforge_evaluate_all('acme') AS all_flags,
       flagforge_evaluate_many('{f}', 'acme') AS many;
COMMIT;

-- The functions are marked honestly.
SELECT p.proname, p.provolatile, p.proparallel
FROM pg_proc p
WHERE p.proname LIKE 'flagforge\_%' AND p.prorettype <> 'trigger'::regtype
ORDER BY p.proname, p.pronargs;

-- A parallel plan gives the same answers as a serial one.
CREATE TABLE freshness_rows AS
SELECT 'tenant-' || (i % 7) AS tenant_id, 'user-' || i AS user_id FROM generate_series(1, 20000) i;
UPDATE flagforge_flags SET default_enabled = true, rollout_percentage = 30 WHERE key = 'f';
SELECT flagforge_enable('f', 'tenant-3');
ANALYZE freshness_rows;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS serial FROM freshness_rows WHERE flagforge_is_enabled('f', tenant_id, user_id);
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM freshness_rows WHERE flagforge_is_enabled('f', tenant_id, user_id);
SELECT count(*) AS parallel FROM freshness_rows WHERE flagforge_is_enabled('f', tenant_id, user_id);
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE freshness_rows;

-- Dropping and re-creating the extension in the same session works.
DROP EXTENSION flagforge;
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('h', 'H', true);
SELECT flagforge_evaluate_all('acme') AS recreated;

TRUNCATE flagforge_flags CASCADE;
