-- The national PNCP index (issue 8): our own copy of PNCP's contratações, its coverage, the sync lease and
-- the sync rounds. Rows are written by the sync worker through index_record_page / index_upsert_bids and
-- read by runSearch through index_search. Every write that must be atomic is ONE function call, so the
-- Supabase RPC path (one PostgREST request = one transaction) behaves like plain SQL.
--
-- Folding and tagging happen in TypeScript (src/core/index/): `search_text` is normalizeText(object) + ' ' +
-- normalizeText(details), the fold the matcher uses, so no `unaccent` is needed (PGlite has none);
-- `sector_tags` are the sectors whose live matcher accepts the bid, computed when written, with
-- `tags_version` = hash of every sector's keyword/exclusion lists (a re-tag job rewrites older rows).
--
-- Index choice (EXPLAIN ANALYZE on the 1M-row benchmark data, bench/index.bench.ts; see the plans at the
-- end of this file): the searches are "modalidades × publication days × (sector tag | term trigrams)",
-- optionally UF, value; or "closing after now" for abertas.

-- pg_trgm when the engine has it (Postgres, Supabase; PGlite only when the contrib module is loaded).
-- Without it term candidates are a sequential scan over the already narrowed rows (still correct).
do $$
begin
  create extension if not exists pg_trgm;
exception when others then
  raise notice 'pg_trgm unavailable (%): term search without a trigram index', sqlerrm;
end
$$;

-- Database settings for the searches (new sessions), measured on the 1M-row benchmark:
-- * jit = off: a national sector search is estimated above jit_above_cost, and compiling its expressions
--   cost 250–500 ms per call (the scan itself ~330 ms). JIT pays off only for long analytical queries,
--   which this app never runs.
-- * work_mem = 16MB: the sector-tag bitmap of a common sector (326k rows) went lossy at the default 4MB
--   and every row of the lossy pages was rechecked: the 62k-row scan took 408 ms, 233–314 ms with 16MB.
-- Where the role may not alter the database (or the engine lacks a setting), the migration goes on.
do $$
begin
  execute format('alter database %I set jit = off', current_database());
exception when others then
  raise notice 'jit left as configured (%)', sqlerrm;
end
$$;
do $$
begin
  execute format('alter database %I set work_mem = %L', current_database(), '16MB');
exception when others then
  raise notice 'work_mem left as configured (%)', sqlerrm;
end
$$;

create table bids (
  id text primary key,                       -- numeroControlePNCP
  uf text,
  municipality text,
  ibge_code text,
  cnpj text not null,
  agency text not null,
  unit text,
  esfera text,
  modality_id integer not null,
  modality_name text not null,
  dispute_mode_id integer,
  dispute_mode text,
  situation_id integer,
  situation_name text,
  instrument_code integer,                   -- tipoInstrumentoConvocatorioCodigo (status inference)
  srp boolean,
  published_at timestamptz,
  published_day date,                        -- São Paulo date of published_at: the coverage window's day
  proposals_open_at timestamptz,
  proposals_close_at timestamptz,
  estimated_value double precision,
  homologated_value double precision,
  object text not null,
  details text,
  link text not null,
  pncp_url text not null,
  source_url text,
  source text,
  pncp_updated_at timestamptz,               -- dataAtualizacaoGlobal: the newest version wins
  search_text text not null,
  sector_tags text[] not null default '{}',
  sector_scores integer[] not null default '{}', -- the live relevance score of each tag, same order
  tags_version text not null,
  raw jsonb not null,
  written_at timestamptz not null
);

-- (publication day × modalidade) windows of /v1/contratacoes/publicacao, fetched nationally.
create table index_windows (
  day date not null,
  modalidade integer not null,
  complete boolean not null default false,
  pages_total integer,
  pages_done integer[] not null default '{}',
  records integer not null default 0,
  fetched_at timestamptz,
  refreshed_at timestamptz,
  primary key (modalidade, day)
);

create table index_leases (
  name text primary key,
  holder text not null,
  expires_at timestamptz not null
);

create table index_sync_rounds (
  id bigint generated always as identity primary key,
  finished_at timestamptz not null,
  stats jsonb not null default '{}'
);
create index index_sync_rounds_finished_idx on index_sync_rounds (finished_at desc);

-- Search indexes. Every search bounds modalidade and publication day (or closing instant), so a composite
-- (modality_id, published_day) btree serves the range scan for any UF set; the GIN on sector_tags is
-- ANDed with it (BitmapAnd) for sector queries; value and UF are cheap rechecks on the narrowed rows.
create index bids_modality_day_idx on bids (modality_id, published_day);
create index bids_sector_tags_idx on bids using gin (sector_tags);
create index bids_close_idx on bids (proposals_close_at);
create index bids_tags_version_idx on bids (tags_version);

do $$
declare
  trgm_schema text;
begin
  select n.nspname into trgm_schema
  from pg_extension e join pg_namespace n on n.oid = e.extnamespace
  where e.extname = 'pg_trgm';
  if trgm_schema is not null then
    execute format('create index bids_search_trgm_idx on bids using gin (search_text %I.gin_trgm_ops)',
      trgm_schema);
  end if;
end
$$;

-- One JSON array of rows (as written by src/stores/bid-index/index-rows.ts) → typed rows, newest version
-- per id first (a batch may carry one id twice; ON CONFLICT cannot touch a row twice).
create function _index_rows(p_rows jsonb)
returns setof bids
language sql
stable
set search_path = public
as $$
  select distinct on (r.id) r.*
  from jsonb_populate_recordset(null::bids, p_rows) r
  order by r.id, r.pncp_updated_at desc nulls last
$$;

-- Upserts rows keeping the newest version by pncp_updated_at: a stored row is replaced when the incoming
-- one is newer, or when neither has an update time (the later fetch wins); an incoming row without a time
-- never replaces one with a time. Returns the ids written and whether each was new.
create function _index_upsert(p_rows jsonb)
returns table (id text, inserted boolean)
language sql
set search_path = public
as $$
  insert into bids as b
  select * from _index_rows(p_rows)
  on conflict on constraint bids_pkey do update set
    uf = excluded.uf, municipality = excluded.municipality, ibge_code = excluded.ibge_code,
    cnpj = excluded.cnpj, agency = excluded.agency, unit = excluded.unit, esfera = excluded.esfera,
    modality_id = excluded.modality_id, modality_name = excluded.modality_name,
    dispute_mode_id = excluded.dispute_mode_id, dispute_mode = excluded.dispute_mode,
    situation_id = excluded.situation_id, situation_name = excluded.situation_name,
    instrument_code = excluded.instrument_code, srp = excluded.srp,
    published_at = excluded.published_at, published_day = excluded.published_day,
    proposals_open_at = excluded.proposals_open_at, proposals_close_at = excluded.proposals_close_at,
    estimated_value = excluded.estimated_value, homologated_value = excluded.homologated_value,
    object = excluded.object, details = excluded.details, link = excluded.link,
    pncp_url = excluded.pncp_url, source_url = excluded.source_url, source = excluded.source,
    pncp_updated_at = excluded.pncp_updated_at, search_text = excluded.search_text,
    sector_tags = excluded.sector_tags, sector_scores = excluded.sector_scores, tags_version = excluded.tags_version, raw = excluded.raw,
    written_at = excluded.written_at
  where (excluded.pncp_updated_at is not null
         and (b.pncp_updated_at is null or excluded.pncp_updated_at > b.pncp_updated_at))
     or (excluded.pncp_updated_at is null and b.pncp_updated_at is null)
  returning b.id, (xmax = 0) as inserted
$$;

/* Public writes. */

create function index_upsert_bids(p_rows jsonb)
returns table (id text, inserted boolean)
language sql
set search_path = public
as $$
  select * from _index_upsert(p_rows)
$$;

-- One page of a window in one transaction: its rows upserted and the page marked done. A pages_total
-- different from the stored one (PNCP's total moved) restarts the pass at this page; the window becomes
-- complete when every page 1..max(pages_total, 1) is done, and stays complete across later passes.
create function index_record_page(
  p_day date, p_modalidade integer, p_page integer, p_pages_total integer, p_rows jsonb, p_now timestamptz
)
returns setof index_windows
language plpgsql
set search_path = public
as $$
declare
  w index_windows;
  n integer := coalesce(jsonb_array_length(p_rows), 0);
begin
  if p_page < 1 or p_pages_total < 0 then
    raise exception 'invalid page % of %', p_page, p_pages_total using errcode = '22023';
  end if;
  perform _index_upsert(p_rows);
  insert into index_windows (day, modalidade) values (p_day, p_modalidade)
  on conflict (modalidade, day) do nothing;
  select * into w from index_windows where day = p_day and modalidade = p_modalidade for update;
  if w.pages_total is distinct from p_pages_total then
    w.pages_done := array[p_page];
    w.records := n;
    w.pages_total := p_pages_total;
  elsif not (p_page = any (w.pages_done)) then
    w.pages_done := (select array_agg(x order by x) from unnest(w.pages_done || p_page) x);
    w.records := w.records + n;
  end if;
  w.refreshed_at := p_now;
  if not w.complete and (select count(*) from generate_series(1, greatest(w.pages_total, 1)) g
                         where g = any (w.pages_done)) = greatest(w.pages_total, 1) then
    w.complete := true;
    w.fetched_at := coalesce(w.fetched_at, p_now);
  end if;
  update index_windows set
    complete = w.complete, pages_total = w.pages_total, pages_done = w.pages_done, records = w.records,
    fetched_at = w.fetched_at, refreshed_at = w.refreshed_at
  where day = p_day and modalidade = p_modalidade;
  return next w;
end
$$;

-- A new pass over a window (incremental refresh): pages done cleared, `complete` kept.
create function index_restart_window(p_day date, p_modalidade integer, p_now timestamptz)
returns void
language sql
set search_path = public
as $$
  insert into index_windows (day, modalidade) values (p_day, p_modalidade)
  on conflict (modalidade, day) do update set pages_done = '{}', records = 0, pages_total = null
$$;

create function index_windows_in(p_from date, p_to date, p_modalidades integer[])
returns setof index_windows
language sql
stable
set search_path = public
as $$
  select * from index_windows
  where day between p_from and p_to and modalidade = any (p_modalidades)
  order by modalidade, day
$$;

-- A named lease: acquired when free or expired, renewed by its holder. True when p_holder holds it.
create function index_acquire_lease(p_name text, p_holder text, p_ttl_ms integer, p_now timestamptz)
returns boolean
language sql
set search_path = public
as $$
  with taken as (
    insert into index_leases as l (name, holder, expires_at)
    values (p_name, p_holder, p_now + p_ttl_ms * interval '1 millisecond')
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
    where l.holder = excluded.holder or l.expires_at <= p_now
    returning 1
  )
  select exists (select from taken)
$$;

create function index_release_lease(p_name text, p_holder text)
returns void
language sql
set search_path = public
as $$
  delete from index_leases where name = p_name and holder = p_holder
$$;

create function index_record_round(p_now timestamptz, p_stats jsonb)
returns void
language sql
set search_path = public
as $$
  insert into index_sync_rounds (finished_at, stats) values (p_now, coalesce(p_stats, '{}'))
$$;

-- Re-tag: rows carrying another tags version, a batch at a time; the caller computes the tags.
create function index_stale_rows(p_version text, p_limit integer)
returns setof bids
language sql
stable
set search_path = public
as $$
  select * from bids where tags_version <> p_version order by id limit p_limit
$$;

-- p_rows: [{ "id", "sector_tags": [...], "sector_scores": [...] }]
create function index_set_tags(p_rows jsonb, p_version text)
returns integer
language sql
set search_path = public
as $$
  with updated as (
    update bids b set sector_tags = r.sector_tags, sector_scores = r.sector_scores, tags_version = p_version
    from jsonb_to_recordset(p_rows) as r (id text, sector_tags text[], sector_scores integer[])
    where b.id = r.id
    returning 1
  )
  select count(*)::integer from updated
$$;

/* Reads. */

-- Instants leave the reads as epoch milliseconds (double precision; the reader writes the ISO text):
-- node-postgres' timestamptz → Date parsing, and then to_char() (~5 µs a call, 4 a row), were most of
-- the time of reading 10k+ rows; date_part('epoch', …) costs next to nothing (instants are written at
-- millisecond precision, so rounding gives them back exactly).

-- Candidate rows of a search (a superset; runSearch applies the live filter to them). Inlinable SQL, so
-- each call is planned with its own arguments: empty arrays / nulls switch a condition off.
--   p_open_only: closing instant in (p_now, p_close_before) instead of the publication-day range.
--   p_patterns: LIKE patterns over search_text (any one).
--   p_details: false is the light read of the chat answer (count + top bids): only what the filters, the
--   sort, the status and the summarizers read; details, links, names of modalidade/situação, srp and the
--   opening instant are null (index_bids_by_ids completes the top bids).
create function index_search(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_patterns text[], p_min_value double precision,
  p_max_value double precision, p_details boolean default true
)
returns table (
  id text, uf text, municipality text, ibge_code text, cnpj text, agency text, unit text, esfera text,
  modality_id integer, modality_name text, situation_id integer, situation_name text,
  instrument_code integer, srp boolean, published_at double precision, proposals_open_at double precision,
  proposals_close_at double precision, estimated_value double precision, homologated_value double precision,
  object text, details text, link text, pncp_url text, source_url text, source text, sector_score integer
)
language sql
stable
as $$
  select b.id, b.uf, b.municipality, b.ibge_code, b.cnpj, b.agency, b.unit, b.esfera, b.modality_id,
    case when p_details then b.modality_name end, b.situation_id,
    case when p_details then b.situation_name end, b.instrument_code, case when p_details then b.srp end,
    date_part('epoch', b.published_at) * 1000,
    case when p_details then date_part('epoch', b.proposals_open_at) * 1000 end,
    date_part('epoch', b.proposals_close_at) * 1000, b.estimated_value, b.homologated_value, b.object,
    case when p_details then b.details end, case when p_details then b.link end,
    case when p_details then b.pncp_url end, case when p_details then b.source_url end,
    case when p_details then b.source end,
    b.sector_scores[array_position(b.sector_tags, p_sector)]
  from bids b
  where b.modality_id = any (p_modalidades)
    and (cardinality(p_ufs) = 0 or b.uf = any (p_ufs))
    and (p_open_only or b.published_day between p_from and p_to)
    and (not p_open_only or (b.proposals_close_at > p_now and b.proposals_close_at < p_close_before))
    and (p_sector is null or b.sector_tags @> array[p_sector])
    and (cardinality(p_patterns) = 0 or b.search_text like any (p_patterns))
    and (p_min_value is null or b.estimated_value >= p_min_value)
    and (p_max_value is null or b.estimated_value is null or b.estimated_value <= 0
         or b.estimated_value <= p_max_value)
$$;

create function index_count(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_patterns text[], p_min_value double precision,
  p_max_value double precision
)
returns bigint
language sql
stable
as $$
  select count(*) from index_search(p_ufs, p_modalidades, p_from, p_to, p_open_only, p_now, p_close_before,
    p_sector, p_patterns, p_min_value, p_max_value)
$$;

-- Rows by id, in the shape of index_search (the chat answer's top bids, with their complementary text).
create function index_bids_by_ids(p_ids text[])
returns table (
  id text, uf text, municipality text, ibge_code text, cnpj text, agency text, unit text, esfera text,
  modality_id integer, modality_name text, situation_id integer, situation_name text,
  instrument_code integer, srp boolean, published_at double precision, proposals_open_at double precision,
  proposals_close_at double precision, estimated_value double precision, homologated_value double precision,
  object text, details text, link text, pncp_url text, source_url text, source text
)
language sql
stable
set search_path = public
as $$
  select b.id, b.uf, b.municipality, b.ibge_code, b.cnpj, b.agency, b.unit, b.esfera, b.modality_id,
    b.modality_name, b.situation_id, b.situation_name, b.instrument_code, b.srp,
    date_part('epoch', b.published_at) * 1000, date_part('epoch', b.proposals_open_at) * 1000,
    date_part('epoch', b.proposals_close_at) * 1000, b.estimated_value, b.homologated_value, b.object,
    b.details, b.link, b.pncp_url, b.source_url, b.source
  from bids b where b.id = any (p_ids)
$$;

-- Complete windows as inclusive day ranges per modalidade (gaps and islands), plus partial windows.
create function index_coverage()
returns table (modalidade integer, from_day date, to_day date, partial_windows integer)
language sql
stable
set search_path = public
as $$
  with complete as (
    select w.modalidade, w.day, w.day - (row_number() over (partition by w.modalidade order by w.day))::integer as grp
    from index_windows w where w.complete
  ),
  ranges as (
    select c.modalidade, min(c.day) as from_day, max(c.day) as to_day from complete c group by c.modalidade, c.grp
  ),
  partial as (
    select w.modalidade, count(*)::integer as n from index_windows w where not w.complete group by w.modalidade
  )
  select coalesce(r.modalidade, p.modalidade), r.from_day, r.to_day, coalesce(p.n, 0)
  from ranges r full join partial p on p.modalidade = r.modalidade
  order by 1, 2
$$;

create function index_status(p_tags_version text)
returns table (
  rows bigint, fresh_at timestamptz, last_round_at timestamptz, disk_bytes bigint, stale_tag_rows bigint
)
language sql
stable
set search_path = public
as $$
  select
    (select count(*) from bids),
    (select max(refreshed_at) from index_windows),
    (select max(finished_at) from index_sync_rounds),
    (select pg_total_relation_size('bids') + pg_total_relation_size('index_windows'))::bigint,
    (select count(*) from bids where tags_version <> p_tags_version)
$$;

-- Cheap freshness for /health (no row count).
create function index_freshness()
returns table (fresh_at timestamptz, last_round_at timestamptz)
language sql
stable
set search_path = public
as $$
  select (select max(refreshed_at) from index_windows), (select max(finished_at) from index_sync_rounds)
$$;

/* Security, as 0005_security.sql: RLS without policies, nothing for the API roles. */

alter table bids enable row level security;
alter table index_windows enable row level security;
alter table index_leases enable row level security;
alter table index_sync_rounds enable row level security;

revoke all on table bids, index_windows, index_leases, index_sync_rounds from public, anon, authenticated;
grant select, insert, update, delete on table bids, index_windows, index_leases, index_sync_rounds
  to service_role;
revoke all on sequence index_sync_rounds_id_seq from public, anon, authenticated;
grant usage, select on sequence index_sync_rounds_id_seq to service_role;

revoke execute on function
  _index_rows(jsonb),
  _index_upsert(jsonb),
  index_upsert_bids(jsonb),
  index_record_page(date, integer, integer, integer, jsonb, timestamptz),
  index_restart_window(date, integer, timestamptz),
  index_windows_in(date, date, integer[]),
  index_acquire_lease(text, text, integer, timestamptz),
  index_release_lease(text, text),
  index_record_round(timestamptz, jsonb),
  index_stale_rows(text, integer),
  index_set_tags(jsonb, text),
  index_search(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, text[],
    double precision, double precision, boolean),
  index_bids_by_ids(text[]),
  index_count(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, text[],
    double precision, double precision),
  index_coverage(),
  index_status(text),
  index_freshness()
from public, anon, authenticated;

grant execute on function
  _index_rows(jsonb),
  _index_upsert(jsonb),
  index_upsert_bids(jsonb),
  index_record_page(date, integer, integer, integer, jsonb, timestamptz),
  index_restart_window(date, integer, timestamptz),
  index_windows_in(date, date, integer[]),
  index_acquire_lease(text, text, integer, timestamptz),
  index_release_lease(text, text),
  index_record_round(timestamptz, jsonb),
  index_stale_rows(text, integer),
  index_set_tags(jsonb, text),
  index_search(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, text[],
    double precision, double precision, boolean),
  index_bids_by_ids(text[]),
  index_count(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, text[],
    double precision, double precision),
  index_coverage(),
  index_status(text),
  index_freshness()
to service_role;

-- Plans seen (bench/index.bench.ts, 100k synthetic national bids over a year, Postgres 15, after ANALYZE),
-- 27 UF × 90 days × modalidades {6,4,8}, sector saude — 7,169 rows:
--   Bitmap Heap Scan on bids b
--     Recheck Cond: modality_id = ANY ('{6,4,8}') AND published_day BETWEEN … AND sector_tags @> '{saude}'
--     Filter: uf = ANY ('{AC,…,TO}')
--     -> BitmapAnd
--          -> Bitmap Index Scan on bids_modality_day_idx   (modality_id, published_day range)
--          -> Bitmap Index Scan on bids_sector_tags_idx    (sector_tags @> …)
--   Execution ≈ 10 ms on 20k rows, ≈ 90 ms with every output column on 30k rows (heap + TOAST reads).
-- At 1M rows (61,838 matches): the same BitmapAnd (GIN 326k rows for saude, btree 190k), Heap Blocks
-- exact=30,916 with work_mem 16MB (lossy=23,673 and 81k rows rechecked at 4MB), no JIT: 250–450 ms on the
-- shared machine. Heap rows are ~1.5 kB (search_text and details inline; raw mostly in TOAST), so the scan
-- reads ~250 MB; a narrow side table of the search columns is the next step if it must get faster.
-- No separate UF or value index: every search is already bounded by the composite (modalidade × day) and
-- UF/value are rechecks on those rows; a UF index was NOT measured (a follow-up for one-UF searches over a
-- year). The closing-date btree serves abertas (proposals_close_at > now), which has no publication-day bound.
