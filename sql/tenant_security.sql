-- Tenant-scoped roles: optional row-level security in column tenancy.
\set VERBOSITY terse
TRUNCATE flagforge_flags CASCADE;
RESET flagforge.tenant;
INSERT INTO flagforge_flags (key, name) VALUES ('beta', 'Beta'), ('gamma', 'Gamma');
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users) VALUES
    ('acme', 'beta', true, '{alice}'), ('globex', 'beta', false, '{mallory}');

CREATE ROLE regress_acme_admin;
CREATE ROLE regress_setting_admin;
CREATE ROLE regress_global_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides
    TO regress_acme_admin, regress_setting_admin, regress_global_admin;
GRANT EXECUTE ON FUNCTION flagforge_enable(text, text), flagforge_disable(text, text)
    TO regress_acme_admin, regress_setting_admin, regress_global_admin;
INSERT INTO flagforge_tenant_roles VALUES ('regress_acme_admin', 'acme'), ('regress_setting_admin', NULL);
SELECT flagforge_enable_tenant_security();

-- A role bound to acme sees and changes only acme's overrides.
SET ROLE regress_acme_admin;
SELECT tenant_id, flag_key, enabled_for_users FROM flagforge_overrides ORDER BY 1, 2;
UPDATE flagforge_overrides SET enabled = false;
SELECT flagforge_enable('gamma', 'acme');
SELECT flagforge_disable('beta', 'globex');
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('globex', 'gamma', true);
DELETE FROM flagforge_overrides WHERE tenant_id = 'globex';
UPDATE flagforge_overrides SET tenant_id = 'globex' WHERE tenant_id = 'acme';
-- Evaluation is not restricted: it answers for every tenant without showing rows.
SELECT flagforge_is_enabled('beta', 'globex', 'mallory') AS globex_mallory;
RESET ROLE;
SELECT tenant_id, flag_key, enabled FROM flagforge_overrides ORDER BY 1, 2;

-- A role bound through flagforge.tenant follows the setting.
SET ROLE regress_setting_admin;
SELECT count(*) AS without_setting FROM flagforge_overrides;
SET flagforge.tenant = 'globex';
SELECT tenant_id, flag_key FROM flagforge_overrides ORDER BY 1, 2;
SELECT flagforge_enable('gamma');
RESET flagforge.tenant;
RESET ROLE;

-- Roles not in flagforge_tenant_roles are not restricted.
SET ROLE regress_global_admin;
SELECT tenant_id, flag_key, enabled FROM flagforge_overrides ORDER BY 1, 2;
RESET ROLE;

-- A bound role with SELECT on the trail reads only its tenants' rows (and definitions').
GRANT SELECT ON flagforge_audit TO regress_acme_admin;
SET ROLE regress_acme_admin;
SELECT DISTINCT tenant_id FROM flagforge_audit ORDER BY 1;
RESET ROLE;
REVOKE SELECT ON flagforge_audit FROM regress_acme_admin;

-- Tenant tables have no row-level security, so a new one gets the grants of
-- flagforge_overrides but for bound roles.
SELECT flagforge_create_tenant_schema('regress_grants_tenant') IS NOT NULL AS created;
SELECT r AS role, has_table_privilege(r, 'regress_grants_tenant.flagforge_overrides', 'INSERT') AS may_insert
FROM unnest(ARRAY['regress_acme_admin', 'regress_setting_admin', 'regress_global_admin']) r ORDER BY 1;
SET client_min_messages = warning;
DROP SCHEMA regress_grants_tenant CASCADE;
RESET client_min_messages;
-- Nor to a group one of whose members is bound (the member would write any tenant through it).
CREATE ROLE regress_writers;
CREATE ROLE regress_bound_member IN ROLE regress_writers;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_overrides TO regress_writers;
INSERT INTO flagforge_tenant_roles VALUES ('regress_bound_member', 'acme');
SELECT flagforge_create_tenant_schema('regress_group_tenant') IS NOT NULL AS created;
SELECT has_table_privilege('regress_writers', 'regress_group_tenant.flagforge_overrides', 'INSERT') AS group_may_insert;
-- And a bound role may not create tenant schemas (it would write them as their creator).
GRANT EXECUTE ON FUNCTION flagforge_create_tenant_schema(text, boolean) TO regress_bound_member;
GRANT CREATE ON DATABASE contrib_regression TO regress_bound_member;
SET ROLE regress_bound_member;
SELECT flagforge_create_tenant_schema('regress_bound_tenant');
RESET ROLE;
SET client_min_messages = warning;
DROP SCHEMA regress_group_tenant CASCADE;
RESET client_min_messages;
DELETE FROM flagforge_tenant_roles WHERE role_name = 'regress_bound_member';
REVOKE ALL ON FUNCTION flagforge_create_tenant_schema(text, boolean) FROM regress_bound_member;
REVOKE CREATE ON DATABASE contrib_regression FROM regress_bound_member;
REVOKE ALL ON flagforge_overrides FROM regress_writers;
DROP ROLE regress_bound_member, regress_writers;

-- Tenant roles cannot edit the mapping or switch the security off.
SET ROLE regress_acme_admin;
INSERT INTO flagforge_tenant_roles VALUES ('regress_acme_admin', 'globex');
SELECT flagforge_disable_tenant_security();
RESET ROLE;

-- The binding holds through role membership: a bound login that switches to a
-- group it belongs to (the README's GRANT flagforge_admin TO alice) stays bound.
CREATE ROLE regress_admins;
CREATE ROLE regress_alice LOGIN IN ROLE regress_admins;
GRANT SELECT, INSERT, UPDATE, DELETE ON flagforge_flags, flagforge_overrides TO regress_admins;
INSERT INTO flagforge_tenant_roles VALUES ('regress_alice', 'acme');
SET SESSION AUTHORIZATION regress_alice;
SET ROLE regress_admins;
SELECT current_user, session_user;
SELECT tenant_id, flag_key FROM flagforge_overrides ORDER BY 1, 2;
UPDATE flagforge_overrides SET enabled = true WHERE tenant_id = 'globex';
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled) VALUES ('globex', 'gamma', true);
RESET ROLE;
RESET SESSION AUTHORIZATION;
-- Binding a group binds its members.
DELETE FROM flagforge_tenant_roles WHERE role_name = 'regress_alice';
INSERT INTO flagforge_tenant_roles VALUES ('regress_admins', 'globex');
SET ROLE regress_alice;
SELECT tenant_id, flag_key FROM flagforge_overrides ORDER BY 1, 2;
RESET ROLE;
-- A role bound to a role that no longer exists is ignored, not an error.
INSERT INTO flagforge_tenant_roles VALUES ('regress_dropped_role', 'acme');
SET ROLE regress_global_admin;
SELECT count(*) AS global_admin_sees FROM flagforge_overrides;
-- No role can probe another's binding: the predicate answers only about its caller.
SELECT flagforge_tenant_allowed('acme') AS allowed_for_myself;
SELECT flagforge_tenant_allowed('acme', 'regress_acme_admin');
RESET ROLE;
DELETE FROM flagforge_tenant_roles WHERE role_name IN ('regress_admins', 'regress_dropped_role');
REVOKE ALL ON flagforge_flags, flagforge_overrides FROM regress_admins;
DROP ROLE regress_alice, regress_admins;

SELECT flagforge_disable_tenant_security();
SET ROLE regress_acme_admin;
SELECT count(*) AS all_visible_again FROM flagforge_overrides;
RESET ROLE;

TRUNCATE flagforge_tenant_roles;
REVOKE ALL ON flagforge_flags, flagforge_overrides FROM regress_acme_admin, regress_setting_admin, regress_global_admin;
REVOKE ALL ON FUNCTION flagforge_enable(text, text), flagforge_disable(text, text)
    FROM regress_acme_admin, regress_setting_admin, regress_global_admin;
DROP ROLE regress_acme_admin, regress_setting_admin, regress_global_admin;
TRUNCATE flagforge_flags CASCADE;
