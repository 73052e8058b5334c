# test/lib/citus.sh: build Citus from ../shared/citus once, and start a Citus cluster.
# Sourced (after test/lib/cluster.sh) by test/shell/citus.sh and test/bench/run.sh.
#
# Citus is test infrastructure, never linked into flagforge: no Debian suite packages it, so
# the source tarball and a patch for PostgreSQL 15.20's headers sit in FF_CITUS_SRC (default
# ../shared/citus beside the repository).  The build (about 3 minutes on 2 cores) is cached
# under FF_CITUS_CACHE (default /var/cache/flagforge/citus), keyed by the tarball's and the
# patch's checksums and the server version; later runs only re-install from the cached tree.

FF_CITUS_SRC=${FF_CITUS_SRC:-$(realpath -m "$(dirname "${BASH_SOURCE[0]}")/../../../shared/citus")}
FF_CITUS_CACHE=${FF_CITUS_CACHE:-/var/cache/flagforge/citus}

# ff_citus_missing: print why Citus cannot be built here (nothing, status 1, when it can).
ff_citus_missing() {
    local f
    for f in citus-v13.2.2.tar.gz citus-13.2.2-pg15.20.patch SHA256SUMS; do
        if [ ! -f "$FF_CITUS_SRC/$f" ]; then
            echo "$FF_CITUS_SRC/$f is absent (Citus's source is not packaged by Debian; CI provides it there)"
            return 0
        fi
    done
    return 1
}

# ff_citus_install: build Citus into the cache once (checksums verified), install it into PG 15.
ff_citus_install() {
    local pg_config=${PG_CONFIG:-$FF_PGBIN/pg_config} key tree
    if [ "${FF_SKIP_PACKAGES:-0}" != 1 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq libcurl4-openssl-dev libzstd-dev liblz4-dev libkrb5-dev >/dev/null
    fi
    (cd "$FF_CITUS_SRC" && sha256sum --quiet -c SHA256SUMS) \
        || { echo "Citus source in $FF_CITUS_SRC fails its SHA256SUMS"; return 1; }
    key=$(cat "$FF_CITUS_SRC/SHA256SUMS" <("$pg_config" --version) | sha256sum | cut -c1-16)
    tree=$FF_CITUS_CACHE/$key/citus-13.2.2
    if [ ! -f "$FF_CITUS_CACHE/$key/built" ]; then
        echo "== building Citus 13.2.2 into $FF_CITUS_CACHE/$key (about 3 minutes on 2 cores)"
        rm -rf "${FF_CITUS_CACHE:?}/$key"
        mkdir -p "$FF_CITUS_CACHE/$key"
        tar -C "$FF_CITUS_CACHE/$key" -xzf "$FF_CITUS_SRC/citus-v13.2.2.tar.gz"
        (cd "$tree" && patch -s -p1 <"$FF_CITUS_SRC/citus-13.2.2-pg15.20.patch" \
            && PG_CONFIG=$pg_config ./configure -q PG_CONFIG="$pg_config" >"$FF_CITUS_CACHE/$key/configure.log" 2>&1 \
            && make -s -j"$(nproc)" >"$FF_CITUS_CACHE/$key/make.log" 2>&1) \
            || { tail -n 30 "$FF_CITUS_CACHE/$key/"*.log; return 1; }
        touch "$FF_CITUS_CACHE/$key/built"
    fi
    # An identical citus.so is left alone (never overwrite a library a server has loaded).
    if ! cmp -s "$tree/src/backend/distributed/citus.so" "$("$pg_config" --pkglibdir)/citus.so"; then
        make -s -C "$tree" install >"$FF_CITUS_CACHE/$key/install.log" 2>&1 \
            || { cat "$FF_CITUS_CACHE/$key/install.log"; return 1; }
    fi
}

# ff_citus_cluster_start DIR PORT [EXTRA]: a node of a Citus cluster on loopback, listening on
# 127.0.0.1 (the nodes connect to each other by TCP) with Citus preloaded.
ff_citus_cluster_start() {
    local dir=$1 port=$2 extra=${3:-}
    ff_cluster_start "$dir" "$port" "-c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus \
        -c max_prepared_transactions=50 -c citus.enable_statistics_collection=off $extra"
}

# ff_citus_up PREFIX PORT DB [EXTRA]: a coordinator (PREFIX-coord on PORT) and two workers
# (PREFIX-w1, PREFIX-w2 on PORT+1, PORT+2) on loopback; DB with citus on each, the workers
# added and the coordinator in the metadata (it holds reference tables' placements too).
ff_citus_up() {
    local prefix=$1 port=$2 db=$3 extra=${4:-} n
    local dirs=("$prefix-coord" "$prefix-w1" "$prefix-w2")
    for n in 0 1 2; do
        ff_citus_cluster_start "${dirs[$n]}" $((port + n)) "$extra"
        psql -X -q -h "${dirs[$n]}" -p $((port + n)) -U postgres -d postgres -c "CREATE DATABASE $db"
        psql -X -q -h "${dirs[$n]}" -p $((port + n)) -U postgres -d "$db" -c "CREATE EXTENSION citus"
    done
    psql -X -q -At -h "${dirs[0]}" -p "$port" -U postgres -d "$db" \
        -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $port)" \
        -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((port + 1)))" \
        -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((port + 2)))" >/dev/null
}

# ff_citus_down PREFIX: stop and remove the three nodes ff_citus_up started.
ff_citus_down() {
    local dir
    for dir in "$1-coord" "$1-w1" "$1-w2"; do
        ff_cluster_stop "$dir"
        rm -rf "$dir"
    done
}
