-- flagforge_audit: every change, in the same transaction, from functions and plain SQL.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
-- The trail is append-only; a superuser's test setup empties it with the guard trigger off.
SET session_replication_role = replica;
TRUNCATE flagforge_audit;
RESET session_replication_role;
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

-- The trail is append-only, for the owner too: no UPDATE, DELETE, TRUNCATE or forged INSERT.
UPDATE flagforge_audit SET actor = 'someone_else';
DELETE FROM flagforge_audit;
TRUNCATE flagforge_audit;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON flagforge_audit TO regress_flagforge_ops;
SET ROLE regress_flagforge_ops;
INSERT INTO flagforge_audit (actor, action, table_name, flag_key) VALUES ('forged', 'INSERT', 'x', 'beta');
DELETE FROM flagforge_audit;
TRUNCATE flagforge_audit;
RESET ROLE;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flagforge_audit FROM regress_flagforge_ops;
-- Nor can the guard or the audit trigger be switched off or dropped.
ALTER TABLE flagforge_audit DISABLE TRIGGER flagforge_audit_guard;
ALTER TABLE flagforge_overrides DISABLE TRIGGER flagforge_overrides_audit;
ALTER TABLE regress_audit_tenant.flagforge_overrides DISABLE TRIGGER ALL;
DROP TRIGGER flagforge_overrides_audit ON flagforge_overrides;
SELECT count(*) AS audit_rows FROM flagforge_audit;

-- Pruning old rows: only through flagforge_prune_audit, which records itself.
SET session_replication_role = replica;
UPDATE flagforge_audit SET changed_at = now() - interval '100 days' WHERE action = 'INSERT';
RESET session_replication_role;
SELECT flagforge_prune_audit(interval '90 days') AS pruned;
SELECT action, count(*) FROM flagforge_audit GROUP BY action ORDER BY action;
SELECT actor, table_name, new_row ->> 'older_than' AS older_than, new_row ->> 'deleted' AS deleted
FROM flagforge_audit WHERE action = 'PRUNE';
SELECT flagforge_prune_audit(interval '-1 day');
SET ROLE regress_flagforge_ops;
SELECT flagforge_prune_audit(interval '1 day');
RESET ROLE;
-- A role granted EXECUTE prunes without any privilege on the table; its prune is recorded too.
GRANT EXECUTE ON FUNCTION flagforge_prune_audit(interval) TO regress_flagforge_ops;
SET ROLE regress_flagforge_ops;
SELECT flagforge_prune_audit(interval '1 day') AS pruned_by_ops;
RESET ROLE;
SELECT actor, action FROM flagforge_audit WHERE action = 'PRUNE' ORDER BY id;
REVOKE EXECUTE ON FUNCTION flagforge_prune_audit(interval) FROM regress_flagforge_ops;

-- Clean up.
SET client_min_messages = warning;
DROP SCHEMA regress_audit_tenant CASCADE;
RESET client_min_messages;
REVOKE ALL ON flagforge_flags, flagforge_overrides FROM regress_flagforge_ops;
REVOKE ALL ON FUNCTION flagforge_enable(text, text), flagforge_set_override(text, text, boolean, integer, text[], text[], text)
    FROM regress_flagforge_ops;
DROP ROLE regress_flagforge_ops;
TRUNCATE flagforge_flags CASCADE;
SET session_replication_role = replica;
TRUNCATE flagforge_audit;
RESET session_replication_role;
