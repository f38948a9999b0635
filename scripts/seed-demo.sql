-- Demo CRM data for the demo tenant (scripts/run applies it once, as the
-- owner role, right after creating the tenant). The demo owner is the actor
-- of the audit entries.
SELECT set_config('app.user_id', u.id::text, false), t.id AS tenant_id, u.id AS owner_id
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
INSERT INTO companies (tenant_id, name, domain, industry, owner_id)
SELECT :'tenant_id', name, domain, industry, :'owner_id' FROM c;

WITH p(first_name, last_name, company) AS (VALUES
  ('Ann', 'Lee', 'Globex Corporation'), ('Bill', 'Lumbergh', 'Initech'), ('Peter', 'Gibbons', 'Initech'),
  ('Alice', 'Abernathy', 'Umbrella Health'), ('Pepper', 'Potts', 'Stark Industrial'), ('Lucius', 'Fox', 'Wayne Logistics'),
  ('Gavin', 'Belson', 'Hooli'), ('Art', 'Vandelay', 'Vandelay Imports'), ('Zoë', 'O''Brien', NULL), ('Sam', 'Okafor', NULL))
INSERT INTO contacts (tenant_id, first_name, last_name, email, company_id, owner_id)
SELECT :'tenant_id', p.first_name, p.last_name,
       lower(p.first_name) || '@' || coalesce((SELECT domain FROM companies WHERE tenant_id = :'tenant_id' AND name = p.company), 'mail.example'),
       (SELECT id FROM companies WHERE tenant_id = :'tenant_id' AND name = p.company), :'owner_id'
  FROM p;

-- A believable pipeline: deals in every stage of the default pipeline
-- (created with the tenant), with amounts, close dates and contacts.
WITH d(name, amount, currency, stage, company, contact, close_in_days) AS (VALUES
  ('Globex grid analytics',      '48000.00', 'USD', 'Negotiation', 'Globex Corporation', 'Ann',    14),
  ('Initech TPS automation',     '12500.00', 'USD', 'Proposal',    'Initech',            'Bill',   30),
  ('Initech support renewal',     '4200.00', 'USD', 'Won',         'Initech',            'Peter', -10),
  ('Umbrella clinic rollout',    '96000.00', 'EUR', 'Qualified',   'Umbrella Health',    'Alice',  60),
  ('Stark factory sensors',     '150000.00', 'USD', 'Lead',        'Stark Industrial',   'Pepper', 90),
  ('Wayne fleet tracking',       '38750.50', 'USD', 'Proposal',    'Wayne Logistics',    'Lucius', 21),
  ('Hooli data migration',       '22000.00', 'USD', 'Lost',        'Hooli',              'Gavin', -30),
  ('Vandelay import desk',        '8900.00', 'EUR', 'Lead',        'Vandelay Imports',   'Art',    45),
  ('Soylent supply pilot',       '15000.00', 'EUR', 'Qualified',   'Soylent Foods',      NULL,     40),
  ('Okafor consulting retainer',  '3600.00', 'GBP', 'Won',         NULL,                 'Sam',   -3))
, ins AS (
  INSERT INTO deals (tenant_id, name, amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date)
  SELECT :'tenant_id', d.name, d.amount::numeric, d.currency, s.pipeline_id, s.id,
         (SELECT id FROM companies WHERE tenant_id = :'tenant_id' AND name = d.company), :'owner_id',
         current_date + d.close_in_days
    FROM d JOIN stages s ON s.tenant_id = :'tenant_id' AND s.name = d.stage
  RETURNING id, name
)
INSERT INTO deal_contacts (tenant_id, deal_id, contact_id)
SELECT :'tenant_id', ins.id, c.id
  FROM ins JOIN d ON d.name = ins.name JOIN contacts c ON c.tenant_id = :'tenant_id' AND c.first_name = d.contact;

-- Notes on the deals and companies people talk about, and tasks for the
-- week (some overdue, one done), so that timelines and "my tasks" have
-- something to show.
WITH n(body, deal, company) AS (VALUES
  ('Call with **Ann**: budget is approved for Q1, legal wants the DPA first.', 'Globex grid analytics', NULL),
  ('Bill asked for a cheaper tier. Sent the comparison sheet.', 'Initech TPS automation', NULL),
  ('Pepper wants a pilot on one line before the full rollout.', 'Stark factory sensors', NULL),
  ('Procurement moves slowly here: plan for a 60-day cycle.', NULL, 'Umbrella Health'),
  ('Lost to an in-house build. Revisit in the spring.', 'Hooli data migration', NULL))
INSERT INTO notes (tenant_id, body, deal_id, company_id, owner_id)
SELECT :'tenant_id', n.body,
       (SELECT id FROM deals WHERE tenant_id = :'tenant_id' AND name = n.deal),
       (SELECT id FROM companies WHERE tenant_id = :'tenant_id' AND name = n.company), :'owner_id'
  FROM n;

WITH k(title, due_in_days, done, deal) AS (VALUES
  ('Send the DPA to Globex legal', -2, false, 'Globex grid analytics'),
  ('Prepare the Initech pricing call', 1, false, 'Initech TPS automation'),
  ('Book the Stark pilot kickoff', 3, false, 'Stark factory sensors'),
  ('Follow up on the Wayne proposal', 7, false, 'Wayne fleet tracking'),
  ('Send the Initech renewal invoice', -12, true, 'Initech support renewal'))
INSERT INTO tasks (tenant_id, title, due_date, done, deal_id, assignee_id)
SELECT :'tenant_id', k.title, current_date + k.due_in_days, k.done,
       (SELECT id FROM deals WHERE tenant_id = :'tenant_id' AND name = k.deal), :'owner_id'
  FROM k;
