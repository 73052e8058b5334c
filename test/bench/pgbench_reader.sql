-- Benchmark 6 reader: one flag and every flag for a random tenant (pgbench script).
\set t random(0, 999)
\set u random(1, 1000000)
SELECT flagforge_is_enabled('f1', 't' || :t, 'user-' || :u);
SELECT flagforge_evaluate_all('t' || :t, 'user-' || :u, '{g1,g3}', 'prod');
