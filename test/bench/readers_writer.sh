#!/bin/bash
# test/bench/readers_writer.sh SECONDS: benchmark 6 alone: 4 readers alone, beside a plain-table writer, beside a flagforge writer.
# rw.sh SECONDS: readers alone / with control writer / with flagforge writer
cd /work/main
export PGHOST=/tmp/ff-me PGPORT=55440 PGUSER=postgres PGDATABASE=bench
S=${1:-8}
tps() { pgbench -n -M prepared -c "$2" -j "$2" -T "$3" -f "$1" 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'; }
with() { pgbench -n -M prepared -c 1 -T "$S" -f "$1" > /tmp/w.out 2>&1 & r=$(tps test/bench/pgbench_reader.sql 4 $S); wait; w=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' /tmp/w.out); echo "$r $w"; }
alone=$(tps test/bench/pgbench_reader.sql 4 $S)
read rc wc < <(with test/bench/pgbench_writer_control.sql)
read rf wf < <(with test/bench/pgbench_writer.sql)
echo "alone $alone | control: readers $rc writer $wc | flagforge: readers $rf writer $wf | ratio flag/control $(python3 -c "print(round($rf/$rc,3))")"
