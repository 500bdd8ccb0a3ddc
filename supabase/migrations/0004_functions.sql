-- The business rules, callable as Supabase RPC and as plain SQL. Names and signatures are a contract.
-- Public functions are SECURITY DEFINER with a pinned search_path; 0005_security.sql lets only
-- service_role execute them. Helpers prefixed with `_` are internal (no role may call them).

-- Month key (`YYYY-MM`) of an instant in São Paulo time.
create or replace function _month_key(p_now timestamptz) returns text
language sql stable set search_path = public, pg_temp as $$
  select to_char(p_now at time zone 'America/Sao_Paulo', 'YYYY-MM');
$$;

-- Next 1st of the month at 00:00 São Paulo time.
create or replace function _month_resets_at(p_now timestamptz) returns timestamptz
language sql stable set search_path = public, pg_temp as $$
  select (date_trunc('month', p_now at time zone 'America/Sao_Paulo') + interval '1 month')
    at time zone 'America/Sao_Paulo';
$$;

-- The usage bucket of a plan: the trial's searches are for the whole trial ('trial'), not per calendar
-- month; paid plans count per São Paulo month.
create or replace function _usage_key(p_trial_days integer, p_now timestamptz) returns text
language sql stable set search_path = public, pg_temp as $$
  select case when p_trial_days is not null then 'trial' else _month_key(p_now) end;
$$;

-- When that bucket renews: the trial's end (it does not renew), else the next 1st in São Paulo.
create or replace function _usage_resets_at(p_trial_days integer, p_trial_ends_at timestamptz, p_now timestamptz)
returns timestamptz
language sql stable set search_path = public, pg_temp as $$
  select case when p_trial_days is not null then coalesce(p_trial_ends_at, p_now) else _month_resets_at(p_now) end;
$$;

-- 'ok', 'trial_expired' or 'plan_inactive' for a subscription at p_now.
create or replace function _plan_state(
  p_trial_days integer, p_status text, p_period_end timestamptz, p_trial_ends_at timestamptz, p_now timestamptz
) returns text
language sql immutable set search_path = public, pg_temp as $$
  select case
    when p_status is null then 'plan_inactive'
    when p_trial_days is not null then
      case when p_status in ('trialing', 'active') and (p_trial_ends_at is null or p_trial_ends_at > p_now)
        then 'ok' else 'trial_expired' end
    when p_status in ('active', 'trialing', 'past_due') and (p_period_end is null or p_period_end > p_now)
      then 'ok'
    else 'plan_inactive'
  end;
$$;

-- The account whose plan applies: the team of the chat context when that team has a live team plan, else
-- the account itself. `p_team_id` names the context explicitly ('' = a private chat, no team), so two
-- commands from different contexts at once cannot charge each other's account; NULL falls back to the
-- person's latest team context recorded by `resolve_identity`.
create or replace function _effective_account(p_account_id uuid, p_now timestamptz, p_team_id text)
returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
  select coalesce(
    (select s.account_id
       from accounts a
       join accounts t on t.id = case
         when p_team_id is null then a.last_team_account_id
         else (select x.id from accounts x
                where x.kind = 'team' and x.platform = a.platform and x.external_id = btrim(p_team_id))
       end
       join subscriptions s on s.account_id = t.id
       join plans p on p.id = s.plan_id
      where a.id = p_account_id
        and p.team
        and _plan_state(p.trial_days, s.status, s.current_period_end, s.trial_ends_at, p_now) = 'ok'),
    p_account_id);
$$;

-- Finds or creates an account (race-safe); a new individual starts the free trial at p_now.
create or replace function _ensure_account(
  p_kind text, p_platform text, p_external_id text, p_display_name text, p_now timestamptz
) returns uuid
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_id uuid;
begin
  insert into accounts (kind, platform, external_id, display_name)
  values (p_kind, p_platform, p_external_id, p_display_name)
  on conflict (kind, platform, external_id) do nothing
  returning id into v_id;
  if v_id is not null then
    if p_kind = 'individual' then
      insert into subscriptions (account_id, plan_id, status, trial_ends_at)
      select v_id, p.id, 'trialing', p_now + make_interval(days => p.trial_days)
        from plans p where p.id = 'free_trial'
      on conflict (account_id) do nothing;
    end if;
    return v_id;
  end if;
  -- Lost the race (or already there): the other insert has committed, a new statement sees it.
  select a.id into v_id from accounts a
   where a.kind = p_kind and a.platform = p_platform and a.external_id = p_external_id;
  return v_id;
end
$$;

-- The person's account for a chat identity, created with a free trial on first contact (at p_now). A team
-- id gives the team its own account (so a team plan can be set on it) and records it as the person's
-- current team. The 4-argument form below is the contract; this overload lets callers pass the instant.
create or replace function resolve_identity(
  p_platform text, p_user_id text, p_team_id text, p_display_name text, p_now timestamptz
) returns uuid
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_team_key text := coalesce(btrim(p_team_id), '');
  v_account uuid;
  v_team uuid;
begin
  if coalesce(btrim(p_platform), '') = '' or coalesce(btrim(p_user_id), '') = '' then
    raise exception 'invalid_identity' using errcode = '22023';
  end if;
  select ci.account_id, ci.team_account_id into v_account, v_team
    from chat_identities ci
   where ci.platform = p_platform and ci.external_user_id = p_user_id and ci.external_team_id = v_team_key;
  if v_account is null then
    v_account := _ensure_account('individual', p_platform, p_user_id, p_display_name, coalesce(p_now, now()));
    if v_team_key <> '' then
      v_team := _ensure_account('team', p_platform, v_team_key, null, coalesce(p_now, now()));
    end if;
    insert into chat_identities (platform, external_user_id, external_team_id, account_id, team_account_id)
    values (p_platform, p_user_id, v_team_key, v_account, v_team)
    on conflict do nothing;
  end if;
  -- Writes only when something changed, so the usual call is read-only.
  update accounts a
     set last_team_account_id = v_team,
         display_name = coalesce(p_display_name, a.display_name)
   where a.id = v_account
     and (a.last_team_account_id is distinct from v_team
          or (p_display_name is not null and a.display_name is distinct from p_display_name));
  return v_account;
end
$$;

create or replace function resolve_identity(p_platform text, p_user_id text, p_team_id text, p_display_name text)
returns uuid
language sql volatile security definer set search_path = public, pg_temp as $$
  select resolve_identity(p_platform, p_user_id, p_team_id, p_display_name, now());
$$;

-- The team account of a Slack workspace or Telegram group, created if missing (for `set_plan` on teams).
create or replace function resolve_team(p_platform text, p_team_id text) returns uuid
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
  if coalesce(btrim(p_platform), '') = '' or coalesce(btrim(p_team_id), '') = '' then
    raise exception 'invalid_team' using errcode = '22023';
  end if;
  return _ensure_account('team', p_platform, btrim(p_team_id), null, now());
end
$$;

-- One atomic check-and-consume. Order: plan/trial state, monthly quota, history days (checked before
-- consuming, so a refused search never costs). The conditional upsert never lets usage pass the quota.
create or replace function consume_search(
  p_account_id uuid, p_history_days integer, p_now timestamptz default now(), p_team_id text default null
)
returns table (
  allowed boolean, reason text, plan_id text, used integer, quota integer, remaining integer,
  resets_at timestamptz, charged_account_id uuid, month_key text
)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  v_charged uuid;
  v_sub subscriptions%rowtype;
  v_plan plans%rowtype;
  v_state text;
  v_month text;
  v_resets timestamptz;
  v_used integer;
begin
  if not exists (select from accounts a where a.id = p_account_id) then
    raise exception 'account_not_found' using errcode = 'P0002';
  end if;
  v_charged := _effective_account(p_account_id, p_now, p_team_id);
  select * into v_sub from subscriptions s where s.account_id = v_charged;
  select * into v_plan from plans p where p.id = coalesce(v_sub.plan_id, 'free_trial');
  v_state := _plan_state(v_plan.trial_days, v_sub.status, v_sub.current_period_end, v_sub.trial_ends_at, p_now);
  v_month := _usage_key(v_plan.trial_days, p_now);
  v_resets := _usage_resets_at(v_plan.trial_days, v_sub.trial_ends_at, p_now);

  if v_state = 'ok' and v_plan.searches_per_month > 0 and coalesce(p_history_days, 0) <= v_plan.history_days then
    insert into usage_monthly as u (account_id, month_key, searches)
    values (v_charged, v_month, 1)
    on conflict on constraint usage_monthly_pkey do update
      set searches = u.searches + 1, updated_at = now()
      where u.searches < v_plan.searches_per_month
    returning u.searches into v_used;
    if found then
      return query select true, null::text, v_plan.id, v_used, v_plan.searches_per_month,
        greatest(v_plan.searches_per_month - v_used, 0), v_resets, v_charged, v_month;
      return;
    end if;
  end if;

  select coalesce(max(u.searches), 0) into v_used
    from usage_monthly u where u.account_id = v_charged and u.month_key = v_month;
  return query select false,
    case
      when v_state <> 'ok' then v_state
      when v_used >= v_plan.searches_per_month then 'quota_exhausted'
      else 'history_exceeded'
    end,
    v_plan.id, v_used, v_plan.searches_per_month, greatest(v_plan.searches_per_month - v_used, 0),
    v_resets, v_charged, v_month;
end
$$;

-- Gives back one search of a month (the search failed because PNCP was unavailable); never below zero.
create or replace function refund_search(p_account_id uuid, p_month_key text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  update usage_monthly
     set searches = greatest(searches - 1, 0), updated_at = now()
   where account_id = p_account_id and month_key = p_month_key;
$$;

-- Sets an account's plan (billing and admins). A trial plan gets trial_ends_at = p_until (default now + its
-- trial days); any other plan runs until p_until (null = open-ended).
create or replace function set_plan(p_account_id uuid, p_plan_id text, p_until timestamptz) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_plan plans%rowtype;
  v_trial boolean;
begin
  select * into v_plan from plans p where p.id = p_plan_id;
  if not found then
    raise exception 'unknown_plan' using errcode = '22023', detail = p_plan_id;
  end if;
  if not exists (select from accounts a where a.id = p_account_id) then
    raise exception 'account_not_found' using errcode = 'P0002';
  end if;
  -- A team plan covers a workspace/group through its team account; on a person it would cover no one else.
  if v_plan.team and not exists (select from accounts a where a.id = p_account_id and a.kind = 'team') then
    raise exception 'team_plan_needs_team_account' using errcode = '22023', detail = p_plan_id;
  end if;
  v_trial := v_plan.trial_days is not null;
  insert into subscriptions as s (account_id, plan_id, status, current_period_end, trial_ends_at)
  values (
    p_account_id, p_plan_id,
    case when v_trial then 'trialing' else 'active' end,
    case when v_trial then null else p_until end,
    case when v_trial then coalesce(p_until, now() + make_interval(days => v_plan.trial_days)) end
  )
  on conflict (account_id) do update set
    plan_id = excluded.plan_id,
    status = excluded.status,
    current_period_end = excluded.current_period_end,
    trial_ends_at = case when v_trial then excluded.trial_ends_at else s.trial_ends_at end,
    updated_at = now();
end
$$;

-- True exactly once per (source, id).
create or replace function claim_event(p_source text, p_id text) returns boolean
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
  insert into processed_events (source, id) values (p_source, p_id) on conflict do nothing;
  return found;
end
$$;

-- What `/plano` shows: the plan that applies (a covering team's plan included), usage and reset date.
create or replace function account_status(
  p_account_id uuid, p_now timestamptz default now(), p_team_id text default null
)
returns table (
  account_id uuid, effective_account_id uuid, plan_id text, plan_name text, price_cents integer,
  searches_per_month integer, history_days integer, excel boolean, per_minute integer, team boolean,
  trial_days integer, rank integer, subscription_status text, period_end timestamptz,
  trial_ends_at timestamptz, used integer, quota integer, remaining integer, resets_at timestamptz,
  month_key text
)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  v_effective uuid;
  v_sub subscriptions%rowtype;
  v_plan plans%rowtype;
  v_state text;
  v_month text;
  v_used integer;
begin
  if not exists (select from accounts a where a.id = p_account_id) then
    raise exception 'account_not_found' using errcode = 'P0002';
  end if;
  v_effective := _effective_account(p_account_id, p_now, p_team_id);
  select * into v_sub from subscriptions s where s.account_id = v_effective;
  select * into v_plan from plans p where p.id = coalesce(v_sub.plan_id, 'free_trial');
  v_state := _plan_state(v_plan.trial_days, v_sub.status, v_sub.current_period_end, v_sub.trial_ends_at, p_now);
  v_month := _usage_key(v_plan.trial_days, p_now);
  select coalesce(max(u.searches), 0) into v_used
    from usage_monthly u where u.account_id = v_effective and u.month_key = v_month;
  return query select p_account_id, v_effective, v_plan.id, v_plan.name, v_plan.price_cents,
    v_plan.searches_per_month, v_plan.history_days, v_plan.excel, v_plan.per_minute, v_plan.team,
    v_plan.trial_days, v_plan.rank,
    case
      when v_sub.status is null then 'expired'
      when v_state <> 'ok' and v_sub.status in ('trialing', 'active', 'past_due') then 'expired'
      else v_sub.status
    end,
    v_sub.current_period_end, v_sub.trial_ends_at, v_used, v_plan.searches_per_month,
    greatest(v_plan.searches_per_month - v_used, 0),
    _usage_resets_at(v_plan.trial_days, v_sub.trial_ends_at, p_now),
    v_month;
end
$$;

-- The plan catalog, cheapest first.
create or replace function list_plans() returns setof plans
language sql stable security definer set search_path = public, pg_temp as $$
  select * from plans order by rank;
$$;

-- Appends a row to search_log.
create or replace function log_search(
  p_account_id uuid, p_platform text, p_query_text text, p_query jsonb, p_fetched integer,
  p_matched integer, p_duration_ms integer, p_outcome text, p_reason text
) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  insert into search_log (account_id, platform, query_text, query, fetched, matched, duration_ms, outcome, reason)
  values (p_account_id, p_platform, p_query_text, p_query, p_fetched, p_matched, p_duration_ms, p_outcome, p_reason);
$$;

-- Stores (or replaces) a Slack installation.
create or replace function save_installation(p_key text, p_installation jsonb) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  insert into slack_installations (key, installation) values (p_key, p_installation)
  on conflict (key) do update set installation = excluded.installation, updated_at = now();
$$;

-- A Slack installation, or null.
create or replace function get_installation(p_key text) returns jsonb
language sql stable security definer set search_path = public, pg_temp as $$
  select installation from slack_installations where key = p_key;
$$;

-- Removes a Slack installation (no error when missing).
create or replace function delete_installation(p_key text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  delete from slack_installations where key = p_key;
$$;
