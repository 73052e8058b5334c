-- Benchmark 2 baseline: the same jsonb read from a one-row table (pgbench script).
SELECT j FROM one_row;
