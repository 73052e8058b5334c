# flagforge: PGXS build, tests and tools.
EXTENSION   = flagforge
EXTVERSION  = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big  = flagforge
OBJS        = src/murmur3.o src/resolver.o src/settings.o src/context.o \
              src/catalog.o src/cache.o src/cache_load.o src/evaluate.o \
              src/cache_stats.o src/tenancy.o src/admin.o src/triggers.o src/audit.o src/yaml_parse.o src/yaml_import.o \
              src/flagforge.o
DATA        = $(wildcard $(EXTENSION)--*.sql)

PG_CPPFLAGS = -I$(srcdir)/src -DFLAGFORGE_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK  = -lyaml

REGRESS      = tables bucket resolver context evaluate_all admin freshness errors yaml_import tenant_schemas security audit
REGRESS_OPTS = --load-extension=$(EXTENSION)
ISOLATION      = cross_session
ISOLATION_OPTS = --load-extension=$(EXTENSION) --inputdir=test/isolation

EXTRA_CLEAN = build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Plain-C unit tests of the hash and the resolver, under ASan and UBSan.
UNIT_CC     ?= clang
UNIT_CFLAGS  = -g -O1 -Wall -Wextra -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all

build/test_resolver: test/unit/test_resolver.c src/murmur3.c src/resolver.c src/murmur3.h src/resolver.h
	@mkdir -p build
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ test/unit/test_resolver.c src/murmur3.c src/resolver.c

.PHONY: unittest
unittest: build/test_resolver
	./build/test_resolver
