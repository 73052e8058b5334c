# flagforge: PGXS build, tests and tools.
EXTENSION   = flagforge
EXTVERSION  = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big  = flagforge
# src/core: plain C with no PostgreSQL types (hash, resolver, YAML), unit
# tested and fuzzed on its own; src: the server side.
CORE_SRCS   = $(sort $(wildcard src/core/*.c))
# The C++ shim over RE2 (regex_re2.cpp: .cpp, which PGXS also builds as bitcode).
CORE_CXX_SRCS = $(sort $(wildcard src/core/*.cpp))
OBJS        = $(CORE_SRCS:.c=.o) $(CORE_CXX_SRCS:.cpp=.o) $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA        = $(wildcard $(EXTENSION)--*.sql)

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core -DFLAGFORGE_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK  = -lyaml -lre2 -lstdc++
# Every build warns as -Wall -Wextra would (PostgreSQL's own headers leave
# parameters unused, so that one is off).
PG_CFLAGS   = -Wextra -Wno-unused-parameter

REGRESS      = tables bucket resolver context evaluate_all admin freshness errors yaml_import yaml_export yaml_limits explain tenant_schemas security tenant_security audit attacks import_django bad_input targeting import_unleash yaml_targeting targeting_attacks targeting_attacks2 selectivity
REGRESS_OPTS = --load-extension=$(EXTENSION)
ISOLATION      = cross_session notify one_state import_merge import_django_race
ISOLATION_OPTS = --load-extension=$(EXTENSION) --inputdir=test/isolation

EXTRA_CLEAN = build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h src/core/*.h)

# Unit tests of the core, one program per test/unit/test_*.c, under ASan and
# UBSan.  Compiled with src/core alone on the include path, so core code that
# includes a server header fails to build.
UNIT_CC     ?= clang
UNIT_CFLAGS  = -g -O1 -std=c11 -Wall -Wextra -Werror -Isrc/core -Itest/unit -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all -DFF_YAML_FAULT_INJECTION
UNIT_TESTS   = $(patsubst test/unit/%.c,build/%,$(sort $(wildcard test/unit/test_*.c)))
UNIT_CXX    ?= clang++
UNIT_CXXFLAGS = -g -O1 -std=c++17 -Wall -Wextra -Werror -Isrc/core -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all
UNIT_CXX_OBJS = $(patsubst src/core/%.cpp,build/%.o,$(CORE_CXX_SRCS))

build/%.o: src/core/%.cpp $(wildcard src/core/*.h)
	@mkdir -p build
	$(UNIT_CXX) $(UNIT_CXXFLAGS) -c -o $@ $<

build/test_%: test/unit/test_%.c $(CORE_SRCS) $(UNIT_CXX_OBJS) $(wildcard src/core/*.h)
	@mkdir -p build
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) $(UNIT_CXX_OBJS) -lyaml -lre2 -lstdc++

.PHONY: unittest fuzz bench
unittest: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do \
		./$$t > $$t.out 2>&1 || { grep -v '^ok ' $$t.out; echo "$$t FAILED"; exit 1; }; \
		echo "$$t: $$(grep -c '^ok ' $$t.out) passed"; \
	done

# The YAML reader's unit test and a short libFuzzer run (ASan, UBSan);
# a longer run: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 20
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash test/fuzz/run.sh

# Benchmarks with ratios against baselines measured in the same run.
bench:
	bash test/bench/run.sh

# The command-line client (src/cli, its own PGXS program): built, installed
# (pg_config --bindir), uninstalled and cleaned with the extension.
.PHONY: cli install-cli uninstall-cli clean-cli
all: cli
install: install-cli
uninstall: uninstall-cli
clean: clean-cli
cli:
	$(MAKE) -C src/cli PG_CONFIG=$(PG_CONFIG)
install-cli: cli
	$(MAKE) -C src/cli PG_CONFIG=$(PG_CONFIG) install
uninstall-cli:
	$(MAKE) -C src/cli PG_CONFIG=$(PG_CONFIG) uninstall
clean-cli:
	$(MAKE) -C src/cli PG_CONFIG=$(PG_CONFIG) clean
