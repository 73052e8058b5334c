# test/lib/chroot.sh: PostgreSQL versions other than the host's, each in a
# Debian chroot made with debootstrap (never through the host's apt sources).
# Sourced by test/versions.sh.
#
# A chroot is kept as a directory under FF_CHROOT_CACHE (default
# /var/cache/flagforge/chroots): the first run builds it (about 3 minutes
# and 270 MB), later runs reuse it.  Every mount is undone on exit, also
# when a step fails.

FF_CHROOT_CACHE=${FF_CHROOT_CACHE:-/var/cache/flagforge/chroots}
FF_DEBIAN_MIRROR=${FF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
FF_CHROOT_MOUNTS=()

# ff_chroot_suite VERSION: the Debian suite that has postgresql-VERSION.
ff_chroot_suite() {
    case $1 in
        17) echo trixie ;;
        18) echo sid ;;
        19) echo experimental ;;
        *) echo "no Debian suite known for PostgreSQL $1" >&2; return 1 ;;
    esac
}

# ff_chroot_dir VERSION: where the chroot of VERSION lives.
ff_chroot_dir() { echo "$FF_CHROOT_CACHE/pg$1"; }

# ff_chroot_mount DIR: mount /proc (and /dev/shm for PostgreSQL's shared memory) in DIR.
ff_chroot_mount() {
    local dir=$1
    mountpoint -q "$dir/proc" || { mount -t proc proc "$dir/proc"; FF_CHROOT_MOUNTS+=("$dir/proc"); }
    mkdir -p "$dir/dev/shm"
    mountpoint -q "$dir/dev/shm" || { mount -t tmpfs -o mode=1777 tmpfs "$dir/dev/shm"; FF_CHROOT_MOUNTS+=("$dir/dev/shm"); }
}

# ff_chroot_unmount_all: undo every mount made by ff_chroot_mount (an EXIT trap calls it).
ff_chroot_unmount_all() {
    local m
    for m in "${FF_CHROOT_MOUNTS[@]}"; do
        umount -l "$m" 2>/dev/null || true
    done
    FF_CHROOT_MOUNTS=()
}

# ff_chroot_run VERSION CMD...: run a shell command inside the chroot of VERSION.
ff_chroot_run() {
    local dir
    dir=$(ff_chroot_dir "$1"); shift
    chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root \
        /bin/bash -c "$*"
}

# ff_chroot_build VERSION: debootstrap the chroot of VERSION and install PostgreSQL in it.
ff_chroot_build() {
    local version=$1 suite dir tmp script=""
    suite=$(ff_chroot_suite "$version") || return 1
    dir=$(ff_chroot_dir "$version")
    tmp="$dir.building"
    rm -rf "$tmp"
    mkdir -p "$FF_CHROOT_CACHE"
    # bookworm's debootstrap has no script for testing/unstable's newer names: sid's does.
    [ "$suite" = trixie ] || script=/usr/share/debootstrap/scripts/sid
    local bootstrap_suite=$suite
    [ "$suite" = experimental ] && bootstrap_suite=sid
    echo "== building a $bootstrap_suite chroot for PostgreSQL $version in $tmp (a few minutes, once)"
    debootstrap --variant=minbase "$bootstrap_suite" "$tmp" "$FF_DEBIAN_MIRROR" $script >"$tmp.log" 2>&1 \
        || { tail -20 "$tmp.log"; return 1; }
    # The archive is a frozen snapshot: testing's Release file has expired.
    echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99flagforge-snapshot"
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod +x "$tmp/usr/sbin/policy-rc.d"
    mkdir -p "$tmp/etc/postgresql-common/createcluster.d"
    echo 'create_main_cluster = false' >"$tmp/etc/postgresql-common/createcluster.d/flagforge.conf"
    if [ "$suite" = experimental ]; then
        echo "deb $FF_DEBIAN_MIRROR experimental main" >"$tmp/etc/apt/sources.list.d/experimental.list"
    fi
    ff_chroot_mount "$tmp"
    # The tool chain from the suite itself; PostgreSQL from experimental only where it must
    # (taking everything from experimental pulls a perl that conflicts with sid's).
    local target_release=""
    [ "$suite" = experimental ] && target_release="-t experimental"
    chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        /bin/bash -c "apt-get update -qq && \
            apt-get install -y -qq --no-install-recommends build-essential libyaml-dev libre2-dev util-linux >/dev/null && \
            apt-get install -y -qq --no-install-recommends $target_release \
                postgresql-$version postgresql-server-dev-$version >/dev/null" \
        >>"$tmp.log" 2>&1 || { tail -20 "$tmp.log"; ff_chroot_unmount_all; return 1; }
    ff_chroot_unmount_all
    mv "$tmp" "$dir"
}

# ff_chroot_ensure VERSION: the chroot of VERSION, built if missing, with /proc mounted.
ff_chroot_ensure() {
    local dir
    dir=$(ff_chroot_dir "$1")
    if [ -x "$dir/usr/lib/postgresql/$1/bin/pg_config" ] && [ ! -f "$dir/usr/include/re2/re2.h" ]; then
        # A chroot cached before flagforge needed RE2: add it.
        ff_chroot_mount "$dir"
        chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            /bin/bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends libre2-dev >/dev/null" \
            || { ff_chroot_unmount_all; return 1; }
        ff_chroot_unmount_all
    fi
    if [ ! -x "$dir/usr/lib/postgresql/$1/bin/pg_config" ] || [ ! -x "$dir/usr/sbin/runuser" ]; then
        rm -rf "$dir"
        ff_chroot_build "$1" || return 1
    else
        echo "== PostgreSQL $1: cached chroot $dir"
    fi
    ff_chroot_mount "$dir"
}
