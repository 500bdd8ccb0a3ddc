-- The first hour (issue 7): state that must be shared by every process of one installation, kept in the
-- store so it holds across processes without Redis: the per-minute sliding window and the app's generated
-- settings (the upgrade-link secret when UPGRADE_TOKEN_SECRET is not set). Each operation is ONE function
-- call, so it is atomic on Postgres, PGlite and through Supabase RPC alike.

-- One row per admitted request. `hit_at` is the caller's clock (the core's, so tests can fix it);
-- `recorded_at` is the database's, used only to sweep rows that no window can still need.
create table rate_limit_hits (
  id bigint generated always as identity primary key,
  key text not null,
  hit_at timestamptz not null,
  recorded_at timestamptz not null default now()
);
create index rate_limit_hits_key_idx on rate_limit_hits (key, hit_at);
create index rate_limit_hits_recorded_idx on rate_limit_hits (recorded_at);

-- Sliding window (p_now - p_window_ms, p_now], like the Redis script and MemoryRateLimiter: drop this key's
-- hits older than the window, count, admit while under the limit. Concurrent calls for one key are
-- serialised by a transaction-scoped advisory lock, so N simultaneous calls admit exactly p_limit.
-- retry_after_ms: when the oldest hit in the window leaves it (0 when allowed); hit_id: the admitted hit
-- (null when refused), to give it back with rate_limit_undo.
create function rate_limit_hit(p_key text, p_limit integer, p_window_ms integer, p_now timestamptz default now())
returns table (allowed boolean, remaining integer, retry_after_ms integer, hit_id bigint)
language plpgsql
security definer
set search_path = public
as $$
declare
  v_window interval;
  v_count integer;
  v_oldest timestamptz;
  v_id bigint;
begin
  if p_key is null or p_key = '' then
    raise exception 'rate_limit_hit: empty key' using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 0 or p_window_ms is null or p_window_ms <= 0 or p_window_ms > 3600000 then
    raise exception 'rate_limit_hit: limit must be >= 0 and the window 1..3600000 ms' using errcode = '22023';
  end if;
  v_window := make_interval(secs => p_window_ms / 1000.0);
  perform pg_advisory_xact_lock(hashtextextended('smart-pncp:rate-limit:' || p_key, 0));
  -- Rows older than the longest window allowed (1 hour of database time) are garbage for every key.
  delete from rate_limit_hits where recorded_at < now() - interval '1 hour';
  delete from rate_limit_hits where key = p_key and hit_at <= p_now - v_window;
  select count(*)::integer, min(hit_at) into v_count, v_oldest from rate_limit_hits where key = p_key;
  if v_count < p_limit then
    insert into rate_limit_hits (key, hit_at) values (p_key, p_now) returning id into v_id;
    return query select true, p_limit - v_count - 1, 0, v_id;
  else
    return query select false, 0,
      greatest(1, ceil(extract(epoch from (coalesce(v_oldest, p_now) + v_window - p_now)) * 1000)::integer),
      null::bigint;
  end if;
end;
$$;

-- Gives back an admitted hit (a request admitted by the limiter, then refused by the plan, must not use
-- up the allowance). Idempotent: an unknown, expired or already returned hit is ignored. Returns whether
-- a hit was removed.
create function rate_limit_undo(p_key text, p_hit_id bigint)
returns boolean
language plpgsql
security definer
set search_path = public
as $$
declare
  v_removed integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('smart-pncp:rate-limit:' || p_key, 0));
  delete from rate_limit_hits where key = p_key and id = p_hit_id;
  get diagnostics v_removed = row_count;
  return v_removed > 0;
end;
$$;

-- Settings the app generates once per installation (never user input). Read by the server only.
create table app_settings (
  key text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

-- The setting's value, storing p_value first when the key has none: every process of an installation
-- gets the same value, even when several create it at once (the loser's insert does nothing and its
-- second statement, with a fresh snapshot, reads the winner's row).
create function app_setting_get_or_create(p_key text, p_value text)
returns text
language plpgsql
security definer
set search_path = public
as $$
declare
  v_value text;
begin
  if p_key is null or p_key = '' or p_value is null or p_value = '' then
    raise exception 'app_setting_get_or_create: empty key or value' using errcode = '22023';
  end if;
  insert into app_settings (key, value) values (p_key, p_value) on conflict (key) do nothing;
  select value into v_value from app_settings where key = p_key;
  return v_value;
end;
$$;

-- Same security as 0005: RLS with no policies, nothing for the API roles, the server's role only.
alter table rate_limit_hits enable row level security;
alter table app_settings enable row level security;
revoke all on table rate_limit_hits, app_settings from public, anon, authenticated;
grant select, insert, update, delete on table rate_limit_hits, app_settings to service_role;
revoke all on sequence rate_limit_hits_id_seq from public, anon, authenticated;
grant usage, select on sequence rate_limit_hits_id_seq to service_role;

revoke execute on function
  rate_limit_hit(text, integer, integer, timestamptz),
  rate_limit_undo(text, bigint),
  app_setting_get_or_create(text, text)
from public, anon, authenticated;
grant execute on function
  rate_limit_hit(text, integer, integer, timestamptz),
  rate_limit_undo(text, bigint),
  app_setting_get_or_create(text, text)
to service_role;
