-- Benchmark 2: one request's evaluation of every flag (pgbench script).
SELECT flagforge_evaluate_all('t7', 'user-7', '{g1,g3}', 'prod');
