-- test/bench/setup.sql: data generators of the benchmarks (run.sh loads this
-- once per database, after CREATE EXTENSION flagforge).  Everything is
-- deterministic: the same sizes give the same rows, hence the same counts.
--
-- Flags: 'f' (default_enabled true, rollout 20, the flag the row-gating
-- benchmark asks about) plus 'f1' .. 'f<n-1>' with a mix of
-- defaults, rollouts and environment lists.
-- Overrides: per tenant 't<i>', one row on each of f1 ..
-- f<per_tenant> (a mix of on, off, no opinion, rollouts and targeting
-- lists), and optionally one on 'f' (enabled true, rollout 30).
-- Table t(tenant_id, user_id): rows spread over the tenants by a hash of the
-- row number, so consecutive rows belong to different tenants (the per-row
-- "same tenant as last row" shortcut does not help: the honest case).

CREATE OR REPLACE PROCEDURE ffbench_load_flags(nflags integer)
LANGUAGE plpgsql
AS $$
BEGIN
    TRUNCATE flagforge_flags CASCADE;
    INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments, is_public)
    VALUES ('f', 'Row gating flag', true, 20, NULL, true);
    INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments, is_public)
    SELECT 'f' || i, 'Flag ' || i,
           i % 3 <> 0,
           (i * 37) % 101,
           CASE WHEN i % 7 = 0 THEN '{prod,staging}'::text[] WHEN i % 11 = 0 THEN '{staging}'::text[] END,
           i % 2 = 0
      FROM generate_series(1, nflags - 1) i;
END
$$;

CREATE OR REPLACE PROCEDURE ffbench_load_overrides(ntenants integer, per_tenant integer, on_f boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    nflags integer := (SELECT count(*) FROM flagforge_flags WHERE key <> 'f');
BEGIN
    TRUNCATE flagforge_overrides;
    INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage,
                                     enabled_for_users, enabled_for_groups)
    SELECT 't' || t, 'f' || j,
           CASE (t + j) % 3 WHEN 0 THEN true WHEN 1 THEN false END,
           CASE WHEN (t + j) % 4 = 0 THEN (t * j) % 100 END,
           CASE WHEN j % 5 = 0 THEN ARRAY['user-' || t, 'user-' || (t + 1)] ELSE '{}' END,
           CASE WHEN j % 3 = 0 THEN ARRAY['g' || (j % 4), 'g9'] ELSE '{}' END
      FROM generate_series(0, ntenants - 1) t, generate_series(1, least(per_tenant, nflags)) j;
    IF on_f THEN
        INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage)
        SELECT 't' || t, 'f', true, 30 FROM generate_series(0, ntenants - 1) t;
    END IF;
    ANALYZE flagforge_flags;
    ANALYZE flagforge_overrides;
END
$$;

-- The gated table (unlogged: the benchmark is about reading it).
CREATE OR REPLACE PROCEDURE ffbench_load_table(nrows integer, ntenants integer, nsubset integer)
LANGUAGE plpgsql
AS $$
BEGIN
    DROP TABLE IF EXISTS t;
    CREATE UNLOGGED TABLE t (tenant_id text, user_id text);
    INSERT INTO t
    SELECT 't' || ((hashint4(i)::bigint & 2147483647) % ntenants), 'user-' || i
      FROM generate_series(1, nrows) i;
    -- the PL/pgSQL baseline is timed on the first nsubset rows (per row)
    DROP TABLE IF EXISTS t_subset;
    CREATE UNLOGGED TABLE t_subset AS SELECT * FROM t LIMIT nsubset;
END
$$;

-- The one-row table of benchmark 2: the same jsonb evaluate_all returns.
CREATE OR REPLACE PROCEDURE ffbench_load_one_row()
LANGUAGE plpgsql
AS $$
BEGIN
    DROP TABLE IF EXISTS one_row;
    CREATE TABLE one_row AS
    SELECT flagforge_evaluate_all('t7', 'user-7', '{g1,g3}', 'prod') AS j;
END
$$;

-- The control table of benchmark 6: overrides-shaped, without flagforge's triggers.
CREATE TABLE IF NOT EXISTS control_overrides (
    tenant_id  text NOT NULL,
    flag_key   text NOT NULL,
    enabled    boolean,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, flag_key)
);
