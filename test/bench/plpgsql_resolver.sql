-- test/bench/plpgsql_resolver.sql: the baseline of benchmark 1, the flagforge
-- resolver written in PL/pgSQL over the same tables.
--
-- A faithful port of the SPEC's evaluation order (README "How a flag is
-- decided"), reading flagforge_flags and flagforge_overrides on every call
-- (as a SQL resolver with no cache does), with MurmurHash3_x86_32 (seed 0)
-- also written in PL/pgSQL with bigint arithmetic: nothing of flagforge's C
-- is used, so this is the honest "write it in PL/pgSQL" baseline.
--
-- 32-bit multiplication modulo 2^32 is done in two 16-bit halves so that no
-- intermediate product leaves bigint: (a * c) mod 2^32 =
-- (a * (c & 0xffff) + ((a * (c >> 16)) & 0xffff) << 16) mod 2^32.

-- MurmurHash3_x86_32 (seed 0) of the UTF-8 bytes of s, unsigned.
CREATE OR REPLACE FUNCTION ffbench_murmur3(s text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    b      bytea := convert_to(s, 'UTF8');
    len    integer := length(b);
    nblk   integer := len / 4;
    h      bigint := 0;
    k      bigint;
    i      integer;
    tail   integer;
    rem    integer;
    m32    constant bigint := 4294967295;
BEGIN
    FOR i IN 0 .. nblk - 1 LOOP
        k := get_byte(b, 4 * i)::bigint
             | (get_byte(b, 4 * i + 1)::bigint << 8)
             | (get_byte(b, 4 * i + 2)::bigint << 16)
             | (get_byte(b, 4 * i + 3)::bigint << 24);
        -- k *= 0xcc9e2d51 (hi 0xcc9e, lo 0x2d51)
        k := (k * 11601 + (((k * 52382) & 65535) << 16)) & m32;
        k := ((k << 15) | (k >> 17)) & m32;
        -- k *= 0x1b873593 (hi 0x1b87, lo 0x3593)
        k := (k * 13715 + (((k * 7047) & 65535) << 16)) & m32;
        h := h # k;
        h := ((h << 13) | (h >> 19)) & m32;
        -- h = h * 5 + 0xe6546b64
        h := (h * 5 + 3864292196) & m32;
    END LOOP;

    tail := 4 * nblk;
    rem := len & 3;
    k := 0;
    IF rem >= 3 THEN
        k := k # (get_byte(b, tail + 2)::bigint << 16);
    END IF;
    IF rem >= 2 THEN
        k := k # (get_byte(b, tail + 1)::bigint << 8);
    END IF;
    IF rem >= 1 THEN
        k := k # get_byte(b, tail)::bigint;
        k := (k * 11601 + (((k * 52382) & 65535) << 16)) & m32;
        k := ((k << 15) | (k >> 17)) & m32;
        k := (k * 13715 + (((k * 7047) & 65535) << 16)) & m32;
        h := h # k;
    END IF;

    -- finalization (fmix32): 0x85ebca6b (hi 0x85eb, lo 0xca6b),
    -- 0xc2b2ae35 (hi 0xc2b2, lo 0xae35)
    h := h # len;
    h := h # (h >> 16);
    h := (h * 51819 + (((h * 34283) & 65535) << 16)) & m32;
    h := h # (h >> 13);
    h := (h * 44597 + (((h * 49842) & 65535) << 16)) & m32;
    h := h # (h >> 16);
    RETURN h;
END
$$;

-- rollout(p): 0 and >= 100 are everyone, otherwise bucket < p.
CREATE OR REPLACE FUNCTION ffbench_rollout(p integer, tenant text, flag_key text, user_id text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF p IS NULL OR p = 0 OR p >= 100 THEN
        RETURN true;
    END IF;
    RETURN ffbench_murmur3(coalesce(tenant, '') || ':' || flag_key || ':' || coalesce(user_id, '')) % 100 < p;
END
$$;

-- The SPEC's evaluation order, reading the tables on every call.
CREATE OR REPLACE FUNCTION ffbench_is_enabled(flag_key text, tenant text, user_id text DEFAULT NULL,
                                              groups text[] DEFAULT NULL, environment text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    d flagforge_flags%ROWTYPE;
    o flagforge_overrides%ROWTYPE;
BEGIN
    IF flag_key IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO d FROM flagforge_flags f WHERE f.key = ffbench_is_enabled.flag_key;
    IF NOT FOUND THEN
        RETURN false;                                   -- unknown key
    END IF;
    -- 1. environment gate
    IF d.environments IS NOT NULL
       AND (environment IS NULL OR NOT environment = ANY (d.environments)) THEN
        RETURN false;
    END IF;
    SELECT * INTO o FROM flagforge_overrides x
     WHERE x.tenant_id = ffbench_is_enabled.tenant AND x.flag_key = ffbench_is_enabled.flag_key;
    -- 2. no override
    IF NOT FOUND THEN
        IF NOT d.default_enabled THEN
            RETURN false;
        END IF;
        RETURN ffbench_rollout(d.rollout_percentage, tenant, d.key, user_id);
    END IF;
    -- 3. user targeting
    IF user_id IS NOT NULL AND user_id = ANY (o.enabled_for_users) THEN
        RETURN true;
    END IF;
    -- 4. group targeting
    IF groups IS NOT NULL AND groups && o.enabled_for_groups THEN
        RETURN true;
    END IF;
    -- 5. the tenant's switch
    IF o.enabled IS NOT NULL THEN
        IF NOT o.enabled THEN
            RETURN false;
        END IF;
        RETURN ffbench_rollout(coalesce(o.rollout_percentage, 0), tenant, d.key, user_id);
    END IF;
    -- 6. no opinion: as step 2
    IF NOT d.default_enabled THEN
        RETURN false;
    END IF;
    RETURN ffbench_rollout(d.rollout_percentage, tenant, d.key, user_id);
END
$$;
