-- flagforge_audit: every change, in the same transaction, from functions and plain SQL.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_audit;
RESET flagforge.actor;

CREATE ROLE regress_flagforge_ops;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides TO regress_flagforge_ops;
GRANT EXECUTE ON FUNCTION flagforge_enable(text, text), flagforge_set_override(text, text, boolean, integer, text[], text[], text)
    TO regress_flagforge_ops;

-- Plain SQL and DBA functions, by a role with no privilege on the audit table.
SET ROLE regress_flagforge_ops;
SET flagforge.actor = 'jane@example.com';
INSERT INTO flagforge_flags (key, name) VALUES ('beta', 'Beta');
SELECT flagforge_enable('beta', 'acme');
SELECT flagforge_set_override('beta', 'acme', enabled_for_users => '{alice}');
UPDATE flagforge_flags SET default_enabled = true WHERE key = 'beta';
RESET flagforge.actor;
DELETE FROM flagforge_overrides WHERE tenant_id = 'acme';
-- It cannot read the trail.
SELECT count(*) FROM flagforge_audit;
RESET ROLE;

-- A rolled-back change leaves no audit row.
BEGIN;
DELETE FROM flagforge_flags;
ROLLBACK;

-- Tenant schemas' tables are audited too, with the schema as tenant.
SELECT flagforge_create_tenant_schema('regress_audit_tenant');
SET search_path = regress_audit_tenant, public;
SELECT flagforge_enable('beta');
SET search_path = public;
TRUNCATE regress_audit_tenant.flagforge_overrides;

SELECT actor, app_actor, action, table_name, flag_key, tenant_id,
       old_row ->> 'default_enabled' AS old_default, new_row ->> 'default_enabled' AS new_default,
       old_row ->> 'enabled_for_users' AS old_users, new_row ->> 'enabled_for_users' AS new_users,
       new_row ->> 'enabled' AS new_enabled
FROM flagforge_audit ORDER BY id;

-- Pruning old rows.
UPDATE flagforge_audit SET changed_at = now() - interval '100 days' WHERE action = 'INSERT';
SELECT flagforge_prune_audit(interval '90 days') AS pruned;
SELECT action, count(*) FROM flagforge_audit GROUP BY action ORDER BY action;
SET ROLE regress_flagforge_ops;
SELECT flagforge_prune_audit(interval '1 day');
RESET ROLE;

-- Clean up.
SET client_min_messages = warning;
DROP SCHEMA regress_audit_tenant CASCADE;
RESET client_min_messages;
REVOKE ALL ON flagforge_flags, flagforge_overrides FROM regress_flagforge_ops;
REVOKE ALL ON FUNCTION flagforge_enable(text, text), flagforge_set_override(text, text, boolean, integer, text[], text[], text)
    FROM regress_flagforge_ops;
DROP ROLE regress_flagforge_ops;
TRUNCATE flagforge_flags CASCADE;
TRUNCATE flagforge_audit;
