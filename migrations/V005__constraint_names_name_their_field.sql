-- ============================================================================
-- V005: constraint names name the field they guard, `<table>_<column>_fkey`
-- and `<table>_<column>_check` (PostgreSQL's own convention for one-column
-- constraints), so the API derives the field of a violation from the name
-- alone (src/error.rs) instead of from a hand-kept list.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';
ALTER TABLE companies RENAME CONSTRAINT companies_owner_fkey TO companies_owner_id_fkey;
ALTER TABLE contacts RENAME CONSTRAINT contacts_owner_fkey TO contacts_owner_id_fkey;
ALTER TABLE contacts RENAME CONSTRAINT contacts_company_fkey TO contacts_company_id_fkey;
