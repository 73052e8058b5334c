# test/lib/cluster.sh: start and stop throwaway PostgreSQL 15 clusters.
# Sourced by the scripts under test/.  PostgreSQL refuses to run as root,
# so clusters run as the "postgres" user on a private port and socket
# directory, listening on no TCP address unless asked.

FF_PGBIN=${FF_PGBIN:-/usr/lib/postgresql/15/bin}

# ff_as_postgres CMD...: run a command as the postgres user (or as is, if we are postgres).
ff_as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    else
        runuser -u postgres -- "$@"
    fi
}

# ff_cluster_start DIR PORT [EXTRA_POSTGRES_OPTIONS]: initdb DIR/data and start it.
ff_cluster_start() {
    local dir=$1 port=$2 extra=${3:-}
    rm -rf "$dir"
    mkdir -p "$dir"
    chown postgres "$dir"
    ff_as_postgres "$FF_PGBIN/initdb" -D "$dir/data" -A trust -U postgres \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; return 1; }
    ff_as_postgres "$FF_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses='' $extra" start >/dev/null \
        || { cat "$dir/server.log"; return 1; }
}

# ff_cluster_use DIR PORT: start a cluster in DIR and point libpq (PGHOST...) at it.
ff_cluster_use() {
    echo "== starting a throwaway cluster in $1 on port $2"
    ff_cluster_start "$1" "$2"
    export PGHOST=$1 PGPORT=$2 PGUSER=postgres
}

# ff_cluster_stop DIR: stop the cluster in DIR (fast), ignoring one that is not running.
ff_cluster_stop() {
    local dir=$1
    if [ -f "$dir/data/postmaster.pid" ]; then
        ff_as_postgres "$FF_PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# ff_install_packages: the Debian packages the build and the tests need.
ff_install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql-15 postgresql-server-dev-15 postgresql-contrib \
        libyaml-dev libre2-dev clang make gcc g++ python3-psycopg2 python3-sqlalchemy python3-django \
        gnuplot-nox debootstrap >/dev/null
}

# ff_prepare: install the packages (unless FF_SKIP_PACKAGES=1), build and install flagforge.
ff_prepare() {
    if [ "${FF_SKIP_PACKAGES:-0}" != 1 ]; then
        echo "== installing packages"
        ff_install_packages
    fi
    echo "== building and installing flagforge"
    make -s >/dev/null
    make -s install >/dev/null
}
