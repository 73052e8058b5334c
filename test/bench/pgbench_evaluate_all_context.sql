-- Benchmark 9: one request's evaluation of every flag, 50 of 200 with rules, in Unleash's context (pgbench script).
SELECT flagforge_evaluate_all('{"tenant": "t7", "userId": "user-7", "groups": ["g1", "g3"], "environment": "prod", "properties": {"plan": "pro", "seats": "12", "appVersion": "2.4.0"}}'::jsonb);
