-- title: Policy without a comment
-- level: error
-- A policy's name reads as a sentence; its COMMENT says who it lets through
-- and why, so `tenet admin policy-report` and `\dp` explain themselves.
SELECT format('%s on %s', p.polname, p.polrelid::regclass) AS object, 'no COMMENT on this policy' AS detail
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app_private') AND obj_description(p.oid, 'pg_policy') IS NULL
