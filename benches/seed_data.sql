-- Bulk CRM data for every bench tenant: :companies_per_tenant companies and
-- :contacts_per_tenant contacts each, set-based.
--
-- Runs as the superuser tenet_admin with session_replication_role = replica,
-- which skips the per-row triggers: the audit trigger (one hash-chained
-- audit_log entry per row, serialised per tenant) and the FK checks. The data
-- is generated consistent (company and owner of the same tenant), so the
-- skipped FK checks lose nothing; the audit chains simply do not mention
-- these rows. The secondary indexes of both tables are dropped before the
-- load and re-created from their exact catalog definitions afterwards
-- (faster than maintaining three GIN trigram indexes row by row).
-- psql variables: companies_per_tenant, contacts_per_tenant.
\set ON_ERROR_STOP on
\timing on
SET session_replication_role = replica;
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;
SELECT setseed(0.42);

-- A UUIDv7 whose timestamp is the row's created_at (like app.uuid_generate_v7()
-- at insert time), so ids and created_at agree as they would in production.
CREATE FUNCTION pg_temp.v7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(
           overlay(uuid_send(gen_random_uuid())
                   PLACING substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
           52, 1), 53, 1), 'hex')::uuid
$$;

CREATE TEMP TABLE bench_tenants AS
SELECT t.id AS tenant_id, row_number() OVER (ORDER BY t.slug) AS tn, m.user_id AS owner_id
  FROM tenants t JOIN memberships m ON m.tenant_id = t.id
 WHERE t.slug LIKE 'bench-tenant-%';

CREATE TEMP TABLE words AS SELECT
  ARRAY['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda','William','Elizabeth',
        'David','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen',
        'Christopher','Nancy','Daniel','Lisa','Matthew','Betty','Anthony','Margaret','Mark','Sandra',
        'Donald','Ashley','Steven','Kimberly','Paul','Emily','Andrew','Donna','Joshua','Michelle',
        'Kenneth','Dorothy','Kevin','Carol','Brian','Amanda','George','Melissa','Edward','Deborah',
        'Ronald','Stephanie','Timothy','Rebecca','Jason','Sharon','Jeffrey','Laura','Ryan','Cynthia',
        'Jacob','Kathleen','Gary','Amy','Nicholas','Shirley','Eric','Angela','Jonathan','Helen',
        'Stephen','Anna','Larry','Brenda','Justin','Pamela','Scott','Nicole','Brandon','Emma',
        'Benjamin','Samantha','Samuel','Katherine','Gregory','Christine','Frank','Debra','Alexander','Rachel',
        'Raymond','Catherine','Patrick','Carolyn','Jack','Janet','Dennis','Ruth','Jerry','Maria',
        'Hannah','Joanne','Anneliese','Giovanni','Yuki','Olumide','Priya','Mateo','Zoë','Søren'] AS first,
  ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
        'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin',
        'Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson',
        'Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill','Flores',
        'Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell','Carter','Roberts',
        'Gomez','Phillips','Evans','Turner','Diaz','Parker','Cruz','Edwards','Collins','Reyes',
        'Stewart','Morris','Morales','Murphy','Cook','Rogers','Gutierrez','Ortiz','Morgan','Cooper',
        'Peterson','Bailey','Reed','Kelly','Howard','Ramos','Kim','Cox','Ward','Richardson',
        'Watson','Brooks','Chavez','Wood','James','Bennett','Gray','Mendoza','Ruiz','Hughes',
        'Price','Alvarez','Castillo','Sanders','Patel','Myers','Long','Ross','Foster','Jimenez',
        'Hofmann','Müller','Kowalski','Tanaka','Okafor','Santangelo','Brennan','Lindqvist','Dubois','Novak'] AS last,
  ARRAY['Acme','Globex','Initech','Umbrella','Hooli','Vandelay','Stark','Wayne','Wonka','Tyrell',
        'Cyberdyne','Soylent','Aperture','Massive','Oscorp','Nakatomi','Gringotts','Monarch','Pied Piper','Dunder',
        'Blue Sun','Zorg','Virtucon','Duff','Krusty','Prestige','Sterling','Bluth','Gekko','Octan'] AS org,
  ARRAY['Software','Manufacturing','Retail','Healthcare','Finance','Logistics','Energy','Education',
        'Media','Construction','Hospitality','Agriculture'] AS industry,
  ARRAY['Labs','Systems','Group','Partners','Holdings','Industries','Solutions','Works','Co','Ventures'] AS suffix;

-- Secondary indexes: remember the exact definitions, drop, load, re-create.
CREATE TEMP TABLE bench_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i
 WHERE i.indrelid IN ('companies'::regclass, 'contacts'::regclass)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', name) FROM bench_indexes \gexec

INSERT INTO companies (tenant_id, id, name, domain, industry, owner_id, created_at, updated_at)
SELECT s.tenant_id, pg_temp.v7(s.created_at),
       w.org[1 + (s.g * 7 + s.tn) % 30] || ' ' || w.suffix[1 + (s.g * 3 + s.tn) % 10] || ' ' || s.g,
       CASE WHEN s.g % 10 <> 0 THEN lower(replace(w.org[1 + (s.g * 7 + s.tn) % 30], ' ', '')) || s.g || '.example' END,
       CASE WHEN s.g % 4 <> 0 THEN w.industry[1 + (s.g + s.tn) % 12] END,
       CASE WHEN s.g % 2 = 0 THEN s.owner_id END,
       s.created_at, s.created_at + (random() * interval '30 days')
  FROM (SELECT t.tenant_id, t.tn, t.owner_id, g,
               now() - interval '4 years' + random() * interval '3 years' AS created_at
          FROM bench_tenants t, generate_series(1, :companies_per_tenant) g) s, words w;

CREATE TEMP TABLE bench_companies AS
SELECT tenant_id, id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS rn FROM companies;
CREATE INDEX ON bench_companies (tenant_id, rn);
ANALYZE bench_companies;

INSERT INTO contacts (tenant_id, id, first_name, last_name, email, phone, company_id, owner_id, created_at, updated_at)
SELECT s.tenant_id, pg_temp.v7(s.created_at), s.first_name, s.last_name,
       CASE WHEN s.g % 10 <> 0 THEN lower(s.first_name || '.' || coalesce(s.last_name, 'x') || s.g) || '@' || s.domain END,
       CASE WHEN s.g % 5 <> 0 THEN '+1-555-' || lpad((s.g::bigint * 7919 % 10000000)::text, 7, '0') END,
       bc.id,
       CASE WHEN s.g % 3 = 0 THEN s.owner_id END,
       s.created_at, s.created_at + (random() * interval '60 days')
  FROM (SELECT t.tenant_id, t.tn, t.owner_id, g,
               w.first[1 + floor(random() * array_length(w.first, 1))::int] AS first_name,
               CASE WHEN g % 25 <> 0 THEN w.last[1 + floor(random() * array_length(w.last, 1))::int] END AS last_name,
               lower(replace(w.org[1 + floor(random() * 30)::int], ' ', '')) || '.example' AS domain,
               CASE WHEN g % 10 < 7 THEN 1 + floor(random() * :companies_per_tenant)::int END AS company_rn,
               now() - interval '3 years' + random() * interval '3 years' AS created_at
          FROM bench_tenants t, words w, generate_series(1, :contacts_per_tenant) g) s
  LEFT JOIN bench_companies bc ON bc.tenant_id = s.tenant_id AND bc.rn = s.company_rn;

SELECT def FROM bench_indexes \gexec
RESET session_replication_role;
ANALYZE companies;
ANALYZE contacts;
ANALYZE;
