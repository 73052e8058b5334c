-- test/clients/fixture.sql: the flags, overrides and application tables the client tests share.
-- Loaded by test/clients/run.sh into a fresh database with CREATE EXTENSION flagforge done.
--
-- What the tests expect from it (rollout buckets are MurmurHash3 of 'tenant:flag:user' mod 100):
--   acme,   user_42, {beta}, production: every flag on but beta_reports (targets user '42' only);
--                                         'acme:gradual_search:user_42' is bucket 7 < 20
--   globex, '7',     {},     production: beta_checkout on (user '7' is targeted); gradual_search off (bucket 48)
--   globex, '9':     beta_checkout off; gradual_search on (bucket 13)
--   initech, anonymous, production, public flags only: new_dashboard and dark_mode on
--   orders gated by beta_checkout: acme (switched on) and globex user 7 (targeted): ids 1, 2, 3, 6
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT * FROM flagforge_import_yaml($yaml$
flags:
  new_dashboard:
    name: New Dashboard
    description: Redesigned dashboard UI
    is_public: true
    environments: [staging, production]
  beta_checkout:
    name: Beta Checkout Flow
    description: New one-page checkout
  dark_mode:
    name: Dark Mode
    default_enabled: true
    is_public: true
  beta_reports:
    name: Beta Reports
  gradual_search:
    name: Gradual Search
    default_enabled: true        # a rollout only narrows a flag that is on
    rollout_percentage: 20
overrides:
  acme:
    beta_checkout: {enabled: true}
    new_dashboard: {enabled_for_groups: [beta]}
    beta_reports: {enabled_for_users: ['42']}
  globex:
    beta_checkout: {enabled_for_users: ['7']}
    beta_reports: {enabled: true}
  initech:
    new_dashboard: {enabled: true}
$yaml$);

CREATE TABLE orders (
    id integer PRIMARY KEY,
    tenant_id text NOT NULL,
    user_id integer NOT NULL,
    total numeric(10, 2) NOT NULL
);
INSERT INTO orders VALUES
    (1, 'acme', 42, 10.00), (2, 'acme', 43, 20.00),
    (3, 'globex', 7, 30.00), (4, 'globex', 8, 40.00),
    (5, 'initech', 9, 50.00), (6, 'globex', 7, 60.00);

CREATE VIEW beta_orders AS
SELECT * FROM orders o
WHERE flagforge_is_enabled('beta_checkout', o.tenant_id, o.user_id::text);

-- users: 3000 users over three tenants, for previewing a rollout's audience
CREATE TABLE users (
    id integer PRIMARY KEY,
    tenant_id text NOT NULL,
    user_id integer NOT NULL
);
INSERT INTO users
SELECT g, (ARRAY['acme', 'globex', 'initech'])[1 + g % 3], g
FROM generate_series(1, 3000) AS g;

-- reports: rows gated by a row-level-security policy
CREATE TABLE reports (
    id integer PRIMARY KEY,
    tenant_id text NOT NULL,
    title text NOT NULL
);
INSERT INTO reports VALUES
    (1, 'acme', 'acme Q1'), (2, 'acme', 'acme Q2'),
    (3, 'globex', 'globex Q1'), (4, 'initech', 'initech Q1');
