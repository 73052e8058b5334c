-- Benchmark 6 control writer: the same kind of upsert on a plain table flagforge does not
-- watch (pgbench script), to tell the readers' loss to CPU and WAL from their loss to cache
-- invalidations.
\set t random(0, 999)
\set on random(0, 1)
INSERT INTO control_overrides (tenant_id, flag_key, enabled) VALUES ('t' || :t, 'f1', :on = 1)
    ON CONFLICT (tenant_id, flag_key) DO UPDATE SET enabled = excluded.enabled, updated_at = now();
