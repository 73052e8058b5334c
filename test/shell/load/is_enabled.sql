\set t random(1, 20)
\set f random(1, 50)
SELECT flagforge_is_enabled('flag_' || :f, 'tenant_' || :t, 'user_1');
