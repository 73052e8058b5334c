#!/bin/bash
# test/versions.sh: flagforge on the PostgreSQL versions other than the
# host's, each in a Debian chroot (test/lib/chroot.sh; cached under
# FF_CHROOT_CACHE, default /var/cache/flagforge/chroots).  In each: build
# with no compiler warning, install, start a throwaway cluster, run the
# pg_regress and isolation suites and the shell tests (all but
# replication.sh, which drives the host's Python clients).  Run as root.
#
#   bash test/versions.sh             # 17 and 18 (what test/run-all.sh runs)
#   FF_PG_VERSIONS=19 bash test/versions.sh   # 19 from Debian experimental (a release
#                                             # candidate: not part of CI)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib/chroot.sh
trap ff_chroot_unmount_all EXIT

# The files of the tree (tracked, and new ones not ignored), copied into the chroot.
copy_tree() {
    local target=$1
    rm -rf "$target"
    mkdir -p "$target"
    if git rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$target" -xf -
    else
        tar --exclude=./build --exclude=./results --exclude=./output_iso -cf - . | tar -C "$target" -xf -
    fi
}

for version in ${FF_PG_VERSIONS:-17 18}; do
    started=$SECONDS
    ff_chroot_ensure "$version"
    copy_tree "$(ff_chroot_dir "$version")/flagforge"
    echo "== PostgreSQL $version: build, pg_regress, isolation and shell tests in the chroot"
    ff_chroot_run "$version" "cd /flagforge && bash test/lib/suite_in_chroot.sh $version"
    ff_chroot_unmount_all
    echo "== PostgreSQL $version: passed in $((SECONDS - started)) s"
done
