#!/bin/bash
# test/bench/ab_gate.sh LIB...: min-of-N row-gating times (hashtext, every-tenant-overridden flag f, untargeted flag u)
# on a bench database, alternating flagforge.so builds copied to /tmp/LIB.so (never cp over a loaded .so).
# min-of-N timing per library (alternating libraries each round): hashtext, f (every tenant overrides), u (untargeted)
export PGHOST=/tmp/ff-me PGPORT=55440 PGUSER=postgres
LIB=$(pg_config --pkglibdir)/flagforge.so
N=${N:-7}
declare -A best
for r in $(seq $N); do
 for v in "$@"; do
  cp /tmp/$v.so $LIB.tmp && mv $LIB.tmp $LIB; sleep 0.2
  i=0
  for t in $(psql -X -d bench -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' \
   -c "SELECT count(*) FROM t WHERE length(user_id) + length(tenant_id) = 0" -c "SELECT count(*) FROM t WHERE hashtext(user_id) % 100 < 20" \
   -c "SELECT count(*) FROM t WHERE flagforge_is_enabled('f', tenant_id, user_id)" \
   -c "SELECT count(*) FROM t WHERE flagforge_is_enabled('u', tenant_id, user_id)" | grep Time | tail -n +2 | awk '{print $2}'); do
    k="$v.$i"; cur=${best[$k]:-999999}
    best[$k]=$(python3 -c "print(min($cur,$t))"); i=$((i+1))
  done
 done
done
for v in "$@"; do echo "$v hashtext ${best[$v.0]} f ${best[$v.1]} u ${best[$v.2]}  f/h $(python3 -c "print(round(${best[$v.1]}/${best[$v.0]},3))") u/h $(python3 -c "print(round(${best[$v.2]}/${best[$v.0]},3))")"; done
