-- Index search speed (issue 8): a narrow copy of the search columns, the chat answer computed in SQL, and
-- the full result set filtered in SQL.
--
-- Measured on the 1M-row benchmark (bench/index.bench.ts, 27 UF × 90 days, sector saude = 61.8k matches):
-- a national sector scan of `bids` reads ~1.5 kB heap rows (object, details and search_text inline, raw in
-- TOAST) over ~31k pages, and the chat answer then shipped every matching row to Node because the totals
-- and the summary cover every match. Here:
-- * `bid_search`: one narrow row per (bid, sector tag) and one per bid, with a covering btree (sector ×
--   modalidade × publication day, every column the answer reads included), so a national sector search is
--   an index-only range scan of ~10 MB; kept equal to `bids` by statement triggers (every write path,
--   direct UPDATEs included); existing rows are copied.
-- * `index_answer` returns, in one row, what the chat reply needs from all matches — candidates, count,
--   known-value count and sum (in cents), closing within 7 days, bids per UF / modalidade / status,
--   distinct órgãos and the most frequent órgão and município (with every tie: the caller breaks ties by
--   name as the summary does), the largest-value and the soonest-closing bid — and the ids of the first
--   `p_limit` matches in the query's order. The caller completes those few ids with index_bids_by_ids.
-- * `index_matches`: index_search's rows with the field filters applied (the full set, sorted once in
--   Node), optionally without the complementary text.
-- The rules replicate src/core/filter (field filters, sortBids) and src/core/pncp/status.ts;
-- test/index/index-answer.test.ts proves the reply, totals, summary and full set equal the all-rows path
-- on PGlite and Postgres. Existing functions keep their names and signatures; index_status counts
-- bid_search in the disk size.

-- One row per (bid, sector tag) plus one row per bid under sector '' (every bid: searches without a
-- sector). Only what the chat answer reads, precomputed where it can be: the sector's live score as a
-- column (reading it from the parallel arrays cost ~80 ms per 62k rows), `homologated` (status reads only
-- whether a value exists), `city` = the summary's "Município/UF" key.
create table bid_search (
  sector text not null,
  id text not null,
  modality_id integer not null,
  published_day date,
  score integer not null,
  situation_id integer,
  instrument_code integer,
  homologated boolean not null,
  published_at timestamptz,
  proposals_close_at timestamptz,
  estimated_value double precision,
  uf text,
  esfera text,
  agency text not null,
  city text,
  primary key (id, sector)
);

-- The rows of bids `b` (a bids row or a transition table row) in bid_search.
create function _bid_search_rows(b bids)
returns setof bid_search
language sql
immutable
as $$
  select t.sector, b.id, b.modality_id, b.published_day, t.score, b.situation_id, b.instrument_code,
    b.homologated_value is not null, b.published_at, b.proposals_close_at, b.estimated_value, b.uf,
    b.esfera, b.agency,
    case when b.municipality <> '' then
      case when b.uf <> '' then b.municipality || '/' || b.uf else b.municipality end
    end
  from (
    select '' as sector, 0 as score
    union all
    select u.tag, coalesce(u.score, 0) from unnest(b.sector_tags, b.sector_scores) as u (tag, score)
    where u.tag is not null
  ) t
$$;

insert into bid_search
select r.* from bids b cross join lateral _bid_search_rows(b) r
order by r.sector, r.modality_id, r.published_day;

-- The searches: sector × modalidade × publication days, answered by an index-only scan of this btree (the
-- columns the answer reads are included: 62k matching rows are ~10 MB of leaf pages read in order, ~40 ms
-- at 1M bids, against ~70 ms for the bitmap AND of a GIN and a btree over the heap, before reading any
-- column); abertas: sector × closing instant.
create index bid_search_day_idx on bid_search (sector, modality_id, published_day)
  include (score, situation_id, instrument_code, homologated, published_at, proposals_close_at,
    estimated_value, uf, esfera, agency, city, id);
create index bid_search_close_idx on bid_search (sector, proposals_close_at);
-- The first bids in the default order (relevance: score, newest, id), read from the top of this index.
create index bid_search_relevance_idx on bid_search
  (sector, score desc, published_at desc nulls last, id collate "C");
-- The largest value of a sector search: read from the top of this index, not found by sorting every row.
create index bid_search_value_idx on bid_search (sector, estimated_value);
-- Index-only scans need the visibility map: vacuum this insert-mostly table early (2% of new rows, not
-- the default 20%). Engines without autovacuum (PGlite) read the heap instead (same answer).
alter table bid_search set (autovacuum_vacuum_insert_scale_factor = 0.02);

-- Whether two versions of a bids row differ in what bid_search holds.
create function _bid_search_differs(o bids, n bids)
returns boolean
language sql
immutable
as $$
  select (n.modality_id, n.published_day, n.sector_tags, n.sector_scores, n.situation_id,
          n.instrument_code, n.homologated_value is null, n.published_at, n.proposals_close_at,
          n.estimated_value, n.uf, n.esfera, n.agency, n.municipality)
    is distinct from
         (o.modality_id, o.published_day, o.sector_tags, o.sector_scores, o.situation_id,
          o.instrument_code, o.homologated_value is null, o.published_at, o.proposals_close_at,
          o.estimated_value, o.uf, o.esfera, o.agency, o.municipality)
$$;

-- Statement triggers with transition tables: one set-based write per statement, not one per row.
create function _bid_search_insert()
returns trigger
language plpgsql
set search_path = public
as $$
begin
  insert into bid_search select r.* from changed c cross join lateral _bid_search_rows(c::bids) r;
  return null;
end
$$;

-- Updated bids whose search columns changed are rewritten (a re-tag, a status change); the rest (e.g.
-- only tags_version or raw changed) are left alone.
create function _bid_search_update()
returns trigger
language plpgsql
set search_path = public
as $$
begin
  delete from bid_search s
  using changed c join before o on o.id = c.id
  where s.id = c.id and _bid_search_differs(o, c);
  insert into bid_search
  select r.* from changed c join before o on o.id = c.id
    cross join lateral _bid_search_rows(c::bids) r
  where _bid_search_differs(o, c);
  return null;
end
$$;

create function _bid_search_delete()
returns trigger
language plpgsql
set search_path = public
as $$
begin
  delete from bid_search s using gone g where s.id = g.id;
  return null;
end
$$;

create trigger bids_search_insert after insert on bids
  referencing new table as changed for each statement execute function _bid_search_insert();
create trigger bids_search_update after update on bids
  referencing old table as before new table as changed
  for each statement execute function _bid_search_update();
create trigger bids_search_delete after delete on bids
  referencing old table as gone for each statement execute function _bid_search_delete();

-- A bid's status at p_now, as src/core/pncp/status.ts infers it (inferStatus; rules in that file, first
-- wins); p_homologated: a homologated value exists. Inlinable (stable like its body, no SET clause): it
-- becomes an expression of the calling query (declared immutable it was called per row, 8 µs a row).
-- p_close < p_now - 180 days ⇔ now − close > STALE_JUDGING_DAYS (exact: an interval of seconds only).
create function _index_bid_status(
  p_situation integer, p_homologated boolean, p_close timestamptz, p_modality integer,
  p_instrument integer, p_now timestamptz
)
returns text
language sql
stable
as $$
  select case
    when p_situation in (2, 3) then 'encerrada'
    when p_situation = 4 then 'em_julgamento'
    when p_homologated then 'encerrada'
    when p_close is not null then
      case
        when p_close > p_now then 'recebendo_propostas'
        when p_close < p_now - interval '15552000 seconds' then 'encerrada'
        else 'em_julgamento'
      end
    when p_instrument = 3 or p_modality in (8, 9, 14) then 'encerrada'
    else 'em_julgamento'
  end
$$;

-- The chat answer of a search the index answers alone (see the header). Filters: those of index_search
-- (without term patterns: a term search still reads rows, the matcher decides; `candidates` counts the
-- rows they match, as index_search would return) plus what filterBids applies to index rows: a known value for a minimum, statuses (at p_now), abertas = status
-- recebendo_propostas, esferas. p_sort is a SortKey; sortBids' order: the key (nulls last), then newest
-- (publication desc, unknown last), then id. p_soon_until = p_now + 7 days (CLOSING_SOON_DAYS).
-- Inlinable SQL (no SET clause), so each call is planned with its arguments.
-- The rows of a search the index answers alone (shared by index_answer and index_matches; inlinable, so
-- it is planned inside each caller with its arguments): the candidates of index_search (without term
-- patterns), `ok` when they also pass the field filters filterBids applies (a known value for a minimum,
-- statuses at p_now, abertas = recebendo_propostas, esferas), and `k1`, sortBids' key for p_sort (null =
-- unknown, sorted last; then newest, then id).
create function _index_candidates(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_min_value double precision, p_max_value double precision,
  p_statuses text[], p_esferas text[], p_sort text
)
returns table (
  id text, uf text, agency text, city text, modality_id integer, close_at timestamptz,
  published_at timestamptz, known double precision, status text, ok boolean, k1 double precision,
  estimated_value double precision, score integer
)
language sql
stable
as $$
  select s.id, s.uf, s.agency, s.city, s.modality_id, s.proposals_close_at as close_at, s.published_at,
    case when s.estimated_value > 0 then s.estimated_value end as known,
    _index_bid_status(s.situation_id, s.homologated, s.proposals_close_at, s.modality_id,
      s.instrument_code, p_now) as status,
    (p_min_value is null or s.estimated_value > 0)
      and (cardinality(p_esferas) = 0 or s.esfera = any (p_esferas))
      and (cardinality(p_statuses) = 0
           or _index_bid_status(s.situation_id, s.homologated, s.proposals_close_at, s.modality_id,
                s.instrument_code, p_now) = any (p_statuses))
      and (not p_open_only
           or _index_bid_status(s.situation_id, s.homologated, s.proposals_close_at, s.modality_id,
                s.instrument_code, p_now) = 'recebendo_propostas') as ok,
    case p_sort
      when 'value_desc' then -(case when s.estimated_value > 0 then s.estimated_value end)
      when 'value_asc' then case when s.estimated_value > 0 then s.estimated_value end
      when 'closing_soon' then
        case when s.proposals_close_at > p_now then date_part('epoch', s.proposals_close_at) end
      when 'relevance' then -s.score::double precision
      when 'oldest' then date_part('epoch', s.published_at)
    end as k1,
    s.estimated_value, s.score
  from bid_search s
  where s.sector = coalesce(p_sector, '')
    and s.modality_id = any (p_modalidades)
    and (cardinality(p_ufs) = 0 or s.uf = any (p_ufs))
    and (p_open_only or s.published_day between p_from and p_to)
    and (not p_open_only or (s.proposals_close_at > p_now and s.proposals_close_at < p_close_before))
    and (p_min_value is null or s.estimated_value >= p_min_value)
    and (p_max_value is null or s.estimated_value is null or s.estimated_value <= 0
         or s.estimated_value <= p_max_value)
$$;

create function index_answer(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_min_value double precision, p_max_value double precision,
  p_statuses text[], p_esferas text[], p_sort text, p_limit integer, p_soon_until timestamptz
)
returns table (
  candidates bigint, total bigint, with_value bigint, value_cents double precision, closing_soon bigint,
  ufs jsonb, modalities jsonb, statuses jsonb, agency_count bigint, agency_leaders jsonb,
  city_leaders jsonb, top_ids text[], largest_id text, soonest_id text
)
language sql
stable
as $$
  -- `c` is not materialized: every use below runs its own index-only scan (~15 ms for 62k rows at 1M
  -- bids), cheaper than writing the rows to a CTE store and reading them back (measured: 2–3× slower).
  with c as not materialized (
    select * from _index_candidates(p_ufs, p_modalidades, p_from, p_to, p_open_only, p_now,
      p_close_before, p_sector, p_min_value, p_max_value, p_statuses, p_esferas, p_sort)
  ),
  -- One pass: bids per UF, modalidade, status, órgão and município, and the totals (grouping set ()).
  g as materialized (
    select grouping(c.uf) as g_uf, grouping(c.modality_id) as g_mod, grouping(c.status) as g_status,
      grouping(c.agency) as g_agency, grouping(c.city) as g_city,
      c.uf, c.modality_id, c.status, c.agency, c.city,
      count(*) as n_all, count(*) filter (where c.ok) as n
    from c
    group by grouping sets ((), (c.uf), (c.modality_id), (c.status), (c.agency), (c.city))
  ),
  sums as (
    select count(c.known) as with_value, coalesce(sum(floor(c.known * 100 + 0.5)), 0) as value_cents,
      count(*) filter (where c.close_at > p_now and c.close_at <= p_soon_until) as closing_soon
    from c where c.ok
  ),
  agencies as materialized (
    select g.agency as name, g.n from g where g.g_agency = 0 and g.n > 0 and g.agency <> ''
  ),
  cities as materialized (
    select g.city as name, g.n from g where g.g_city = 0 and g.n > 0 and g.city <> ''
  )
  select t.n_all, t.n, sums.with_value, sums.value_cents, sums.closing_soon,
    (select coalesce(jsonb_agg(jsonb_build_array(g.uf, g.n)), '[]'::jsonb)
     from g where g.g_uf = 0 and g.n > 0 and g.uf <> ''),
    (select coalesce(jsonb_agg(jsonb_build_array(g.modality_id, g.n)), '[]'::jsonb)
     from g where g.g_mod = 0 and g.n > 0),
    (select coalesce(jsonb_agg(jsonb_build_array(g.status, g.n)), '[]'::jsonb)
     from g where g.g_status = 0 and g.n > 0),
    (select count(*) from agencies),
    (select coalesce(jsonb_agg(jsonb_build_array(a.name, a.n)), '[]'::jsonb)
     from agencies a where a.n >= 2 and a.n = (select max(x.n) from agencies x)),
    (select coalesce(jsonb_agg(jsonb_build_array(a.name, a.n)), '[]'::jsonb)
     from cities a where a.n >= 2 and a.n = (select max(x.n) from cities x)),
    case when p_sort = 'relevance' then
      -- The default order, read in order from bid_search_relevance_idx (no sort of every match).
      (select coalesce(array_agg(f.id order by f.score desc, f.published_at desc nulls last,
                                 f.id collate "C"), '{}'::text[])
       from (select c.id, c.score, c.published_at from c where c.ok
             order by c.score desc, c.published_at desc nulls last, c.id collate "C"
             limit greatest(p_limit, 0)) f)
    else
      (select coalesce(array_agg(f.id order by f.k1 nulls last, f.published_at desc nulls last,
                                 f.id collate "C"), '{}'::text[])
       from (select c.id, c.k1, c.published_at from c where c.ok
             order by c.k1 nulls last, c.published_at desc nulls last, c.id collate "C"
             limit greatest(p_limit, 0)) f)
    end,
    (select c.id from c where c.ok and c.estimated_value > 0
     order by c.estimated_value desc, c.k1 nulls last, c.published_at desc nulls last, c.id collate "C"
     limit 1),
    (select c.id from c where c.ok and c.close_at > p_now
     order by c.close_at, c.k1 nulls last, c.published_at desc nulls last, c.id collate "C" limit 1)
  from g t, sums
  where t.g_uf = 1 and t.g_mod = 1 and t.g_status = 1 and t.g_agency = 1 and t.g_city = 1
$$;

-- Every match of a search the index answers alone: index_search's rows (the same bitmap scan of bids)
-- with the field filters filterBids applies already applied (index_answer's `ok`), so Node only sorts
-- them once (the full result set, what the workbook gets). p_details false leaves out the complementary
-- text (~40% of the bytes shipped; the workbook does not show it). `candidates` (the same on every row,
-- from an index-only count of bid_search) counts the rows before the field filters.
-- Measured at 1M bids: joining bid_search's ranked rows to bids instead was planned as one primary-key
-- probe per match (random pages, 3–5× slower), and sorting the wide rows here cost more than in Node.
create function index_matches(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_min_value double precision, p_max_value double precision,
  p_statuses text[], p_esferas text[], p_sort text, p_details boolean
)
returns table (
  candidates bigint, id text, uf text, municipality text, ibge_code text, cnpj text, agency text,
  unit text, esfera text, modality_id integer, modality_name text, situation_id integer,
  situation_name text, instrument_code integer, srp boolean, published_at double precision,
  proposals_open_at double precision, proposals_close_at double precision,
  estimated_value double precision, homologated_value double precision, object text, details text,
  link text, pncp_url text, source_url text, source text, sector_score integer
)
language sql
stable
as $$
  select
    (select count(*) from _index_candidates(p_ufs, p_modalidades, p_from, p_to, p_open_only, p_now,
       p_close_before, p_sector, p_min_value, p_max_value, p_statuses, p_esferas, p_sort)),
    b.id, b.uf, b.municipality, b.ibge_code, b.cnpj, b.agency, b.unit, b.esfera, b.modality_id,
    b.modality_name, b.situation_id, b.situation_name, b.instrument_code, b.srp,
    date_part('epoch', b.published_at) * 1000, date_part('epoch', b.proposals_open_at) * 1000,
    date_part('epoch', b.proposals_close_at) * 1000, b.estimated_value, b.homologated_value, b.object,
    case when p_details then b.details end, b.link, b.pncp_url, b.source_url, b.source,
    b.sector_scores[array_position(b.sector_tags, p_sector)]
  from bids b
  where b.modality_id = any (p_modalidades)
    and (cardinality(p_ufs) = 0 or b.uf = any (p_ufs))
    and (p_open_only or b.published_day between p_from and p_to)
    and (not p_open_only or (b.proposals_close_at > p_now and b.proposals_close_at < p_close_before))
    and (p_sector is null or b.sector_tags @> array[p_sector])
    and (p_min_value is null or (b.estimated_value > 0 and b.estimated_value >= p_min_value))
    and (p_max_value is null or b.estimated_value is null or b.estimated_value <= 0
         or b.estimated_value <= p_max_value)
    and (cardinality(p_esferas) = 0 or b.esfera = any (p_esferas))
    and (cardinality(p_statuses) = 0
         or _index_bid_status(b.situation_id, b.homologated_value is not null, b.proposals_close_at,
              b.modality_id, b.instrument_code, p_now) = any (p_statuses))
    and (not p_open_only
         or _index_bid_status(b.situation_id, b.homologated_value is not null, b.proposals_close_at,
              b.modality_id, b.instrument_code, p_now) = 'recebendo_propostas')
$$;

-- index_status: the disk size counts the search copy too.
create or replace function index_status(p_tags_version text)
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
    (select pg_total_relation_size('bids') + pg_total_relation_size('bid_search')
       + pg_total_relation_size('index_windows'))::bigint,
    (select count(*) from bids where tags_version <> p_tags_version)
$$;

/* Security, as 0007: RLS without policies, nothing for the API roles. */

alter table bid_search enable row level security;
revoke all on table bid_search from public, anon, authenticated;
grant select, insert, update, delete on table bid_search to service_role;

revoke execute on function
  _bid_search_rows(bids),
  _bid_search_differs(bids, bids),
  _bid_search_insert(),
  _bid_search_update(),
  _bid_search_delete(),
  _index_bid_status(integer, boolean, timestamptz, integer, integer, timestamptz),
  _index_candidates(text[], integer[], date, date, boolean, timestamptz, timestamptz, text,
    double precision, double precision, text[], text[], text),
  index_answer(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, integer, timestamptz),
  index_matches(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, boolean)
from public, anon, authenticated;

grant execute on function
  _bid_search_rows(bids),
  _bid_search_differs(bids, bids),
  _bid_search_insert(),
  _bid_search_update(),
  _bid_search_delete(),
  _index_bid_status(integer, boolean, timestamptz, integer, integer, timestamptz),
  _index_candidates(text[], integer[], date, date, boolean, timestamptz, timestamptz, text,
    double precision, double precision, text[], text[], text),
  index_answer(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, integer, timestamptz),
  index_matches(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, boolean)
to service_role;
