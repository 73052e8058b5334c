#!/usr/bin/env python3
"""Print a flag file of N flags (default 10,000) and overrides for 100 tenants,
the document of `make bench`'s YAML import benchmark (test/bench/run.sh, 7)."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
print("flags:")
for i in range(1, n + 1):
    on = i % 2 == 0
    print(f"  imp_{i}: {{name: Imported {i}, description: flag number {i}, "
          f"default_enabled: {'true' if on else 'false'}, rollout_percentage: {i % 101 if on else 0}, "
          f"environments: [staging, production]}}")
print("overrides:")
for t in range(1, 101):
    print(f"  tenant_{t}: {{imp_{t % 20 + 1}: {{enabled: true, enabled_for_users: [u1, u2]}}}}")
