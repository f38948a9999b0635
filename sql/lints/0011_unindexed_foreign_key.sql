-- title: Foreign key without a covering index
-- level: warning
-- Deleting or updating a referenced row scans the referencing table without
-- an index whose leading columns are the foreign key's.
-- (After supabase/splinter 0001 unindexed_foreign_keys.)
SELECT con.conrelid::regclass::text AS object, format('foreign key %s has no covering index', con.conname) AS detail
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app_private') AND con.contype = 'f'
   AND NOT EXISTS (
     SELECT 1 FROM pg_index i
      WHERE i.indrelid = con.conrelid
        AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
        AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey)
