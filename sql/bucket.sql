-- flagforge_bucket: MurmurHash3_x86_32 (seed 0) of 'tenant:key:user' mod 100,
-- byte-exact with Python's mmh3.hash(s, signed=False) % 100 on UTF-8.
-- The expected values were checked against test/reference/flagforge_reference.py,
-- an independent Python port that passes every vector of the SPEC.

-- ASCII tenants, keys and users.
SELECT t, k, u, flagforge_bucket(t, k, u)
FROM (VALUES ('acme', 'new_dashboard', 'user_42'),
             ('acme', 'new_dashboard', 'user_43'),
             ('acme', 'beta_checkout', 'user_42'),
             ('globex', 'new_dashboard', 'user_42'),
             ('t1', 'f', 'u'),
             ('a-much-longer-tenant-identifier', 'flag.with.dots', '123456789')) AS v(t, k, u);

-- Unicode is hashed as UTF-8 bytes (emoji are 4 bytes, CJK 3).
SELECT t, k, u, flagforge_bucket(t, k, u)
FROM (VALUES ('acme', 'rocket', 'My 🚀 is full of 🦎.'),
             ('吉 星', '高 照', 'user'),
             ('tenant', 'dark_mode', 'ünïcödé'),
             ('🦎', '🚀', '🦎')) AS v(t, k, u);

-- A NULL tenant or user hashes as the empty string; a NULL key gives NULL.
SELECT flagforge_bucket(NULL, 'f', 'u') = flagforge_bucket('', 'f', 'u') AS null_tenant_is_empty,
       flagforge_bucket('t', 'f', NULL) = flagforge_bucket('t', 'f', '') AS null_user_is_empty,
       flagforge_bucket('t', NULL, 'u') IS NULL AS null_key_is_null;

-- Buckets are spread evenly: 10,000 users fill every bucket about 100 times.
SELECT count(DISTINCT b) AS buckets_used, min(n) > 60 AS no_bucket_starved, max(n) < 140 AS no_bucket_flooded
FROM (SELECT flagforge_bucket('acme', 'spread', 'user-' || i) AS b, count(*) AS n
      FROM generate_series(1, 10000) i GROUP BY 1) s;

-- Deterministic: the same input always lands in the same bucket.
SELECT count(DISTINCT flagforge_bucket('acme', 'f', 'user_1')) AS distinct_buckets
FROM generate_series(1, 100);
