-- flagforge_import_yaml: the SQL form of `flagforge sync`.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;

-- The seed README's example document (with its rollout quirk, which warns).
\set seed_doc `cat test/examples/feature-flags.yaml`
SELECT * FROM flagforge_import_yaml(:'seed_doc');
SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments
FROM flagforge_flags ORDER BY key;

-- A repeated sync changes nothing: every flag unchanged, no row rewritten.
SELECT max(updated_at) AS before_resync FROM flagforge_flags \gset
SELECT * FROM flagforge_import_yaml(:'seed_doc');
SELECT max(updated_at) = :'before_resync' AS untouched FROM flagforge_flags;

-- A changed field is an update; a new flag is created; others stay.
SELECT * FROM flagforge_import_yaml($$
flags:
  new_dashboard:
    name: New Dashboard
    description: Redesigned dashboard UI
    is_public: true
    environments: [staging, production]
  beta_checkout:
    name: Beta Checkout Flow
    description: New one-page checkout
    default_enabled: true          # now really a 20% rollout
    rollout_percentage: 20
  dark_mode:
    name: Dark Mode
    description: Dark theme for all users
    default_enabled: true
    is_public: true
  search_v2: {name: Search v2, deprecated: true}
$$);

-- dry_run reports what prune would do and writes nothing.
SELECT * FROM flagforge_import_yaml($$
flags:
  dark_mode: {name: Dark Mode, description: Dark theme for all users, default_enabled: true, is_public: true}
$$, prune => true, dry_run => true);
SELECT count(*) AS flags_after_dry_run FROM flagforge_flags;

-- A sync with prune removes flags no longer in the file (and their overrides).
SELECT flagforge_enable('search_v2', 'acme');
SELECT flagforge_enable('dark_mode', 'acme');
SELECT * FROM flagforge_import_yaml($$
flags:
  dark_mode: {name: Dark Mode, description: Dark theme for all users, default_enabled: true, is_public: true}
$$, prune => true);
SELECT key FROM flagforge_flags;
SELECT tenant_id, flag_key, enabled FROM flagforge_overrides;

-- Without prune, flags absent from the file are kept; existing overrides are kept.
SELECT * FROM flagforge_import_yaml($$
flags:
  other: {name: Other}
$$);
SELECT key FROM flagforge_flags ORDER BY key;
SELECT tenant_id, flag_key, enabled FROM flagforge_overrides;

-- YAML 1.1 as PyYAML reads it: booleans in every spelling, quoted strings,
-- block scalars, flow lists, comments, unicode, octal and underscores.
TRUNCATE flagforge_flags CASCADE;
SELECT * FROM flagforge_import_yaml($$
# comment line
flags:
  yes_flag:   {name: a, default_enabled: yes, is_public: On, deprecated: TRUE}
  no_flag:    {name: b, default_enabled: No, is_public: off, deprecated: False}
  quoted:     {name: 'yes', description: "on", rollout_percentage: 0}
  block:
    name: |
      Line one
      Line two
    description: >
      folded
      text
  "🚀 launch":
    name: 吉 星 高 照
    description: "My \U0001F680 is full of \u00e9"
    environments: [prod, "stag ing", 'qa']
  numbers: {name: n, default_enabled: true, rollout_percentage: 0x1F}
  octal: {name: o, default_enabled: true, rollout_percentage: 017}
  under: {name: u, default_enabled: true, rollout_percentage: 1_0}
  nulls: {name: x, environments: ~}
$$);
SELECT key, name, description, default_enabled, is_public, rollout_percentage, deprecated, environments
FROM flagforge_flags ORDER BY key;

-- Tenant overrides travel in an optional overrides: mapping.
SELECT * FROM flagforge_import_yaml($$
flags:
  yes_flag: {name: a, default_enabled: yes, is_public: On, deprecated: TRUE}
overrides:
  acme:
    yes_flag: {enabled: false, enabled_for_users: [alice], enabled_for_groups: [beta]}
  globex:
    yes_flag: {rollout_percentage: 50}
    numbers: {enabled: null, rollout_percentage: null}
$$);
SELECT tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups
FROM flagforge_overrides ORDER BY tenant_id, flag_key;
SELECT flagforge_is_enabled('yes_flag', 'acme', 'alice') AS alice, flagforge_is_enabled('yes_flag', 'acme', 'bob') AS bob;

-- Fields an override omits are kept.
SELECT * FROM flagforge_import_yaml($$
flags:
  yes_flag: {name: a, default_enabled: yes, is_public: On, deprecated: TRUE}
overrides:
  acme:
    yes_flag: {enabled: true}
$$);
SELECT tenant_id, flag_key, enabled, enabled_for_users, enabled_for_groups
FROM flagforge_overrides WHERE tenant_id = 'acme';

-- Warnings: valid, but surely not what was meant.
SELECT * FROM flagforge_import_yaml($$
flags:
  quirk: {name: q, default_enabled: false, rollout_percentage: 30}
  nowhere: {name: n, default_enabled: true, environments: []}
$$, dry_run => true);

-- Errors name the line, column, flag and field; nothing is written.
SELECT count(*) AS flags_before_errors FROM flagforge_flags;
\set VERBOSITY default
SELECT * FROM flagforge_import_yaml($$
flags:
  good: {name: Good}
  bad:
    name: Bad
    default_enable: true
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  bad: {name: Bad, rollout_percentage: 150}
$$);
\set VERBOSITY terse
SELECT * FROM flagforge_import_yaml($$
flags:
  bad: {name: Bad, rollout_percentage: -1}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  twice: {name: A}
  twice: {name: B}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  dup_field: {name: A, name: B}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  typed: {name: 123}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  typed: {name: x, default_enabled: "true"}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  typed: {name: x, rollout_percentage: 20.0}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  nameless: {description: no name}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  typed: {name: x, environments: production}
$$);
SELECT * FROM flagforge_import_yaml($$
flag:
  typo: {name: x}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  "": {name: empty key}
$$);
SELECT * FROM flagforge_import_yaml('flags: [a, b]');
SELECT * FROM flagforge_import_yaml('flags: {a: {name: "unclosed}}');
SELECT * FROM flagforge_import_yaml(E'flags:\n  a: {name: x}\n---\nflags: {}\n');
SELECT * FROM flagforge_import_yaml($$
flags: {}
overrides:
  acme: {ghost: {enabled: true}}
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  a: {name: x}
overrides:
  acme: {a: {enabled: maybe}}
$$);
SELECT * FROM flagforge_import_yaml(NULL);
SELECT count(*) AS flags_after_errors FROM flagforge_flags;

-- Hostile input: an alias bomb is refused at its first anchor, deep nesting at once.
SELECT * FROM flagforge_import_yaml($$
flags:
  lol: &a {name: lol}
  lol2: *a
$$);
SELECT * FROM flagforge_import_yaml($$
flags:
  a: {name: x, environments: &e ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]}
  b: {name: x, environments: [*e,*e,*e,*e,*e,*e,*e,*e,*e]}
$$);
SELECT * FROM flagforge_import_yaml(repeat('[', 20000));
SELECT * FROM flagforge_import_yaml('flags: {a: {name: x, environments: ' || repeat('[', 20000) || '}}');
SELECT * FROM flagforge_import_yaml('flags: ' || repeat('{a: ', 100) || '1' || repeat('}', 100));

-- A document without a flags mapping is refused, as the FlagForge library refuses it
-- ("flags: Field required"): empty, only comments, flags: null, only overrides.
\set VERBOSITY default
SELECT * FROM flagforge_import_yaml('');
\set VERBOSITY terse
SELECT * FROM flagforge_import_yaml(E'# feature flags\n# none yet\n');
SELECT * FROM flagforge_import_yaml('flags:');
SELECT * FROM flagforge_import_yaml('--- ~');
SELECT * FROM flagforge_import_yaml($$
overrides:
  acme: {yes_flag: {enabled: true}}
$$);
SELECT count(*) AS flags_after_empty_documents FROM flagforge_flags;
-- flags: {} is a file with no flags: nothing to import; with prune it is refused
-- rather than deleting every flag.
SELECT * FROM flagforge_import_yaml('flags: {}');
SELECT * FROM flagforge_import_yaml('flags: {}', prune => true, dry_run => true);

-- Import runs in one statement: a failure in a later part rolls back earlier parts.
CREATE FUNCTION pg_temp.refuse_fresh() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN IF NEW.key = 'refused' THEN RAISE EXCEPTION 'refused by a DBA trigger'; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse_fresh BEFORE INSERT ON flagforge_flags FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_fresh();
SELECT * FROM flagforge_import_yaml($$
flags:
  accepted: {name: A}
  refused: {name: R}
$$, prune => true);
DROP TRIGGER refuse_fresh ON flagforge_flags;
SELECT count(*) AS flags_unchanged, count(*) FILTER (WHERE key = 'accepted') AS accepted FROM flagforge_flags;

TRUNCATE flagforge_flags CASCADE;
