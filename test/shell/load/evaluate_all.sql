\set t random(1, 20)
\set u random(1, 1000)
SELECT flagforge_evaluate_all('tenant_' || :t, 'user_' || :u, '{beta}', 'production');
