# flagforge: PGXS build, tests and tools.
EXTENSION   = flagforge
EXTVERSION  = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big  = flagforge
OBJS        = src/murmur3.o src/resolver.o src/settings.o src/context.o \
              src/catalog.o src/cache.o src/cache_load.o src/eval_memo.o src/evaluate.o src/explain.o \
              src/cache_stats.o src/tenancy.o src/admin.o src/change_subject.o src/triggers.o src/audit.o \
              src/table_layout.o src/ddl_guard.o src/tenant_access.o src/encoding.o src/yaml_parse.o src/yaml_emit.o src/yaml_compare.o src/yaml_rows.o src/yaml_import.o src/yaml_export.o \
              src/flagforge.o
DATA        = $(wildcard $(EXTENSION)--*.sql)

PG_CPPFLAGS = -I$(srcdir)/src -DFLAGFORGE_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK  = -lyaml

REGRESS      = tables bucket resolver context evaluate_all admin freshness errors yaml_import yaml_export yaml_limits explain tenant_schemas security tenant_security audit attacks import_django bad_input
REGRESS_OPTS = --load-extension=$(EXTENSION)
ISOLATION      = cross_session notify one_state import_merge import_django_race
ISOLATION_OPTS = --load-extension=$(EXTENSION) --inputdir=test/isolation

EXTRA_CLEAN = build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h)

# Plain-C unit tests of the hash and the resolver, under ASan and UBSan.
UNIT_CC     ?= clang
UNIT_CFLAGS  = -g -O1 -Wall -Wextra -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all

build/test_resolver: test/unit/test_resolver.c src/murmur3.c src/resolver.c src/murmur3.h src/resolver.h
	@mkdir -p build
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ test/unit/test_resolver.c src/murmur3.c src/resolver.c

.PHONY: unittest fuzz bench
unittest: build/test_resolver
	./build/test_resolver

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
