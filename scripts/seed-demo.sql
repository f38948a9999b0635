-- Demo CRM data for the demo tenant (scripts/run applies it once, as the
-- owner role, right after creating the tenant). The demo owner is the actor
-- of the audit entries.
SELECT set_config('app.user_id', u.id::text, false), t.id AS tenant_id
  FROM users u JOIN memberships m ON m.user_id = u.id JOIN tenants t ON t.id = m.tenant_id
 WHERE t.slug = 'demo-company' AND lower(u.email) = lower(:'demo_email') \gset

WITH c(name, domain, industry) AS (VALUES
  ('Globex Corporation', 'globex.example', 'Energy'),
  ('Initech', 'initech.example', 'Software'),
  ('Umbrella Health', 'umbrella.example', 'Healthcare'),
  ('Stark Industrial', 'stark.example', 'Manufacturing'),
  ('Wayne Logistics', 'wayne.example', 'Logistics'),
  ('Hooli', 'hooli.example', 'Software'),
  ('Vandelay Imports', 'vandelay.example', 'Retail'),
  ('Soylent Foods', 'soylent.example', 'Food'))
INSERT INTO companies (tenant_id, name, domain, industry)
SELECT :'tenant_id', name, domain, industry FROM c;

WITH p(first_name, last_name, company) AS (VALUES
  ('Ann', 'Lee', 'Globex Corporation'), ('Bill', 'Lumbergh', 'Initech'), ('Peter', 'Gibbons', 'Initech'),
  ('Alice', 'Abernathy', 'Umbrella Health'), ('Pepper', 'Potts', 'Stark Industrial'), ('Lucius', 'Fox', 'Wayne Logistics'),
  ('Gavin', 'Belson', 'Hooli'), ('Art', 'Vandelay', 'Vandelay Imports'), ('Zoë', 'O''Brien', NULL), ('Sam', 'Okafor', NULL))
INSERT INTO contacts (tenant_id, first_name, last_name, email, company_id)
SELECT :'tenant_id', p.first_name, p.last_name,
       lower(p.first_name) || '@' || coalesce((SELECT domain FROM companies WHERE tenant_id = :'tenant_id' AND name = p.company), 'mail.example'),
       (SELECT id FROM companies WHERE tenant_id = :'tenant_id' AND name = p.company)
  FROM p;
