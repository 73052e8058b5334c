-- Benchmark 6 writer: switch f1 on or off for a random tenant (pgbench script).
\set t random(0, 999)
\set on random(0, 1)
\if :on
SELECT flagforge_enable('f1', 't' || :t);
\else
SELECT flagforge_disable('f1', 't' || :t);
\endif
