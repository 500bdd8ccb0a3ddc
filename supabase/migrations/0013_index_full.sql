-- The full result set in one statement (issue 8): index_answer's facts and index_matches' rows together.
--
-- Measured on the 1M-row benchmark (bench/index.bench.ts, 27 UF × 90 days, sector saude = 61k matches):
-- after index_matches, Node spent more time on the rows than SQL did — sorting them by ISO instants it had
-- just printed, and recomputing the totals and the summary's facts over every row (computeTotals,
-- summaryFacts: ~0.5–1.5 s of CPU on the shared machine), which index_answer already computes in SQL in
-- ~50 ms from the narrow copy. `index_full` returns both in one statement, so they come from one snapshot
-- (the count the reply states is the number of rows the workbook gets, even while the sync writes):
-- * one row with `answer` true: index_answer's columns (called with p_limit 0: no first ids, the caller
--   orders the rows itself, by the epoch-ms instants and scores they carry, without parsing);
-- * one row per match with `answer` false: index_matches' columns.
-- Rows come in no particular order (a parallel plan may interleave them): `answer` tells them apart.
-- index_answer and index_matches keep their names and signatures; index_answer is redefined below (one
-- scan fewer, same answer).

create function index_full(
  p_ufs text[], p_modalidades integer[], p_from date, p_to date, p_open_only boolean, p_now timestamptz,
  p_close_before timestamptz, p_sector text, p_min_value double precision, p_max_value double precision,
  p_statuses text[], p_esferas text[], p_sort text, p_details boolean, p_soon_until timestamptz
)
returns table (
  answer boolean,
  -- index_answer's (the answer row; null on match rows)
  candidates bigint, total bigint, with_value bigint, value_cents double precision, closing_soon bigint,
  ufs jsonb, modalities jsonb, statuses jsonb, agency_count bigint, agency_leaders jsonb,
  city_leaders jsonb, largest_id text, soonest_id text,
  -- index_matches' (match rows; null on the answer row)
  id text, uf text, municipality text, ibge_code text, cnpj text, agency text, unit text, esfera text,
  modality_id integer, modality_name text, situation_id integer, situation_name text,
  instrument_code integer, srp boolean, published_at double precision, proposals_open_at double precision,
  proposals_close_at double precision, estimated_value double precision,
  homologated_value double precision, object text, details text, link text, pncp_url text,
  source_url text, source text, sector_score integer
)
language sql
stable
as $$
  select true, a.candidates, a.total, a.with_value, a.value_cents, a.closing_soon, a.ufs, a.modalities,
    a.statuses, a.agency_count, a.agency_leaders, a.city_leaders, a.largest_id, a.soonest_id,
    null::text, null::text, null::text, null::text, null::text, null::text, null::text, null::text,
    null::integer, null::text, null::integer, null::text, null::integer, null::boolean,
    null::double precision, null::double precision, null::double precision, null::double precision,
    null::double precision, null::text, null::text, null::text, null::text, null::text, null::text,
    null::integer
  from index_answer(p_ufs, p_modalidades, p_from, p_to, p_open_only, p_now, p_close_before, p_sector,
    p_min_value, p_max_value, p_statuses, p_esferas, p_sort, 0, p_soon_until) a
  union all
  select false, null::bigint, null::bigint, null::bigint, null::double precision, null::bigint,
    null::jsonb, null::jsonb, null::jsonb, null::bigint, null::jsonb, null::jsonb, null::text, null::text,
    m.id, m.uf, m.municipality, m.ibge_code, m.cnpj, m.agency, m.unit, m.esfera, m.modality_id,
    m.modality_name, m.situation_id, m.situation_name, m.instrument_code, m.srp, m.published_at,
    m.proposals_open_at, m.proposals_close_at, m.estimated_value, m.homologated_value, m.object,
    m.details, m.link, m.pncp_url, m.source_url, m.source, m.sector_score
  from index_matches(p_ufs, p_modalidades, p_from, p_to, p_open_only, p_now, p_close_before, p_sector,
    p_min_value, p_max_value, p_statuses, p_esferas, p_sort, p_details) m
$$;

-- index_answer, same signature and answer: the known-value count and sum and the closing-soon count are
-- aggregates of the grouping-sets pass (its () row), not a second index-only scan of every match
-- (~40 ms of ~130 at 61k matches on the benchmark).
create or replace function index_answer(
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
      count(*) as n_all, count(*) filter (where c.ok) as n,
      count(c.known) filter (where c.ok) as with_value,
      coalesce(sum(floor(c.known * 100 + 0.5)) filter (where c.ok), 0) as value_cents,
      count(*) filter (where c.ok and c.close_at > p_now and c.close_at <= p_soon_until) as closing_soon
    from c
    group by grouping sets ((), (c.uf), (c.modality_id), (c.status), (c.agency), (c.city))
  ),
  agencies as materialized (
    select g.agency as name, g.n from g where g.g_agency = 0 and g.n > 0 and g.agency <> ''
  ),
  cities as materialized (
    select g.city as name, g.n from g where g.g_city = 0 and g.n > 0 and g.city <> ''
  )
  select t.n_all, t.n, t.with_value, t.value_cents, t.closing_soon,
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
  from g t
  where t.g_uf = 1 and t.g_mod = 1 and t.g_status = 1 and t.g_agency = 1 and t.g_city = 1
$$;

/* Security, as 0007: nothing for the API roles. */

revoke execute on function
  index_full(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, boolean, timestamptz)
from public, anon, authenticated;

grant execute on function
  index_full(text[], integer[], date, date, boolean, timestamptz, timestamptz, text, double precision,
    double precision, text[], text[], text, boolean, timestamptz)
to service_role;
