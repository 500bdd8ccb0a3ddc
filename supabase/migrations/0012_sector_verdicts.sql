/*
 * 0012: the sector verdict cache (issue 11). The LLM arbiter is asked about a grey-zone bid once per
 * (bid, sector, sector version); the verdict is kept here so later searches, other processes and
 * restarts reuse it. A new version of a sector's data (its content hash) simply misses the cache.
 * Functions follow 0007: invoker rights, fixed search_path, execute for service_role only.
 */

create table if not exists sector_verdicts (
  bid_id text not null,
  sector_id text not null,
  sector_version text not null,
  in_sector boolean not null,
  reason text not null default '',
  decided_at timestamptz not null default now(),
  primary key (bid_id, sector_id, sector_version)
);

/* p_keys: [{ "bid_id": "...", "sector_id": "...", "sector_version": "..." }, ...] */
create or replace function sector_verdicts_get(p_keys jsonb)
returns table (bid_id text, sector_id text, sector_version text, in_sector boolean, reason text)
language sql
stable
set search_path = public
as $$
  select v.bid_id, v.sector_id, v.sector_version, v.in_sector, v.reason
  from jsonb_to_recordset(p_keys) as k (bid_id text, sector_id text, sector_version text)
  join sector_verdicts v
    on v.bid_id = k.bid_id and v.sector_id = k.sector_id and v.sector_version = k.sector_version
$$;

/* p_rows: [{ "bid_id", "sector_id", "sector_version", "in_sector", "reason" }, ...]; the last write wins
   (also between duplicates inside one call). */
create or replace function sector_verdicts_put(p_rows jsonb)
returns integer
language sql
set search_path = public
as $$
  with written as (
    insert into sector_verdicts as v (bid_id, sector_id, sector_version, in_sector, reason, decided_at)
    select distinct on (r->>'bid_id', r->>'sector_id', r->>'sector_version')
      r->>'bid_id', r->>'sector_id', r->>'sector_version', (r->>'in_sector')::boolean,
      left(coalesce(r->>'reason', ''), 400), now()
    from jsonb_array_elements(p_rows) with ordinality as e (r, n)
    order by r->>'bid_id', r->>'sector_id', r->>'sector_version', n desc
    on conflict (bid_id, sector_id, sector_version)
      do update set in_sector = excluded.in_sector, reason = excluded.reason, decided_at = excluded.decided_at
    returning 1
  )
  select count(*)::integer from written
$$;

alter table sector_verdicts enable row level security;
revoke all on table sector_verdicts from public, anon, authenticated;
grant select, insert, update, delete on table sector_verdicts to service_role;

revoke execute on function sector_verdicts_get(jsonb), sector_verdicts_put(jsonb)
  from public, anon, authenticated;
grant execute on function sector_verdicts_get(jsonb), sector_verdicts_put(jsonb) to service_role;
