\set t random(1, 20)
\set f random(1, 50)
\set on random(0, 1)
SELECT flagforge_set_override('flag_' || :f, 'tenant_' || :t, enabled => :on = 1);
