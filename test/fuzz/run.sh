#!/usr/bin/env bash
# Build the YAML unit test and fuzzer with clang's sanitizers, run the unit
# test, then fuzz for FUZZ_SECONDS (default 20) on a copy of the corpus.
#
#   bash test/fuzz/run.sh                  # from any directory
#   FUZZ_SECONDS=60 bash test/fuzz/run.sh
#
# Binaries go to a temporary directory (or BUILD_DIR if set); new corpus
# inputs stay in the temporary copy, so test/fuzz/corpus is never changed.
# A crashing input is kept in ARTIFACT_DIR (default /tmp/flagforge-fuzz-artifacts).
# Exits non-zero on any build, test or fuzz failure.
set -euo pipefail

cd "$(dirname "$0")/../.."

CC=${CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
ARTIFACT_DIR=${ARTIFACT_DIR:-${TMPDIR:-/tmp}/flagforge-fuzz-artifacts}

work=$(mktemp -d "${TMPDIR:-/tmp}/flagforge-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
build=${BUILD_DIR:-$work/build}
mkdir -p "$build" "$work/corpus" "$ARTIFACT_DIR"

CFLAGS="-g -O1 -std=c11 -Wall -Wextra -fno-omit-frame-pointer -fno-sanitize-recover=all -Isrc/core"
SOURCES=$(echo src/core/*.c)
CXX=${CXX:-clang++}
LIBS="-lyaml -lre2 -lstdc++"

echo "== building unit test and fuzzer with $CC"
# The core's C++ shim over RE2, once per sanitizer set (vptr and function need a C++ link).
CXXFLAGS="-g -O1 -std=c++17 -Wall -Wextra -fno-omit-frame-pointer -fno-sanitize-recover=all -Isrc/core"
for f in src/core/*.cpp; do
	# shellcheck disable=SC2086
	nice -n 10 "$CXX" $CXXFLAGS -fsanitize=address,undefined -fno-sanitize=vptr,function \
		-c "$f" -o "$build/$(basename "$f" .cpp).test.o"
	# shellcheck disable=SC2086
	nice -n 10 "$CXX" $CXXFLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr,function \
		-c "$f" -o "$build/$(basename "$f" .cpp).fuzz.o"
done
# shellcheck disable=SC2086
nice -n 10 "$CC" $CFLAGS -fsanitize=address,undefined -DFF_YAML_FAULT_INJECTION \
	test/unit/test_yaml.c $SOURCES "$build"/*.test.o $LIBS -o "$build/test_yaml"
# shellcheck disable=SC2086
nice -n 10 "$CC" $CFLAGS -fsanitize=fuzzer,address,undefined \
	test/fuzz/fuzz_yaml.c $SOURCES "$build"/*.fuzz.o $LIBS -o "$build/fuzz_yaml"

echo "== unit test"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if ! nice -n 10 "$build/test_yaml" > "$work/test_yaml.out" 2>&1; then
	grep -v '^ok ' "$work/test_yaml.out" || true
	echo "unit test FAILED"
	exit 1
fi
tail -n 1 "$work/test_yaml.out" | sed 's/^/unit test passed: /'

echo "== fuzzing for ${FUZZ_SECONDS}s"
cp -R test/fuzz/corpus/. "$work/corpus/"
# tokens that help the fuzzer reach the format's keys and YAML's corners
cat > "$work/yaml.dict" <<'EOF'
"flags:"
"overrides:"
"name:"
"description:"
"default_enabled:"
"is_public:"
"rollout_percentage:"
"deprecated:"
"environments:"
"enabled:"
"enabled_for_users:"
"enabled_for_groups:"
"yes"
"Off"
"null"
"~"
"0x"
"0b"
"1:30"
"---"
"..."
"? "
": "
"- "
"&a"
"*a"
"!!str"
"<<"
"|-"
">+"
"\\u2028"
"\\x00"
"\\N"
"\xe5\x90\x89"
"\xf0\x9f\x9a\x80"
"\xc2\x85"
EOF
nice -n 10 "$build/fuzz_yaml" \
	-max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -dict="$work/yaml.dict" \
	-artifact_prefix="$ARTIFACT_DIR/" "$work/corpus" 2> "$work/fuzz.log" || {
	tail -n 60 "$work/fuzz.log"
	echo "fuzzing FAILED: the crashing input is in $ARTIFACT_DIR"
	exit 1
}
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log" || true
grep -E '^#[0-9]+ *DONE' "$work/fuzz.log" | tail -n 1 || true
echo "== all YAML tests passed"
