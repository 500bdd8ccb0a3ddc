-- First contact at a given instant: `resolve_identity` gains a 5-argument overload with `p_now`, so the
-- trial start follows the same clock as `consume_search(…, p_now)` (tests, replays of queued usage). The
-- 4-argument contract stays and means "now". `_ensure_account` takes the instant too.

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
  select a.id into v_id from accounts a
   where a.kind = p_kind and a.platform = p_platform and a.external_id = p_external_id;
  return v_id;
end
$$;

create or replace function _ensure_account(p_kind text, p_platform text, p_external_id text, p_display_name text)
returns uuid
language sql volatile security definer set search_path = public, pg_temp as $$
  select _ensure_account(p_kind, p_platform, p_external_id, p_display_name, now());
$$;

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

revoke execute on function
  _ensure_account(text, text, text, text, timestamptz),
  resolve_identity(text, text, text, text, timestamptz)
from public, anon, authenticated;

do $$
begin
  if exists (select from pg_roles where rolname = 'service_role') then
    grant execute on function resolve_identity(text, text, text, text, timestamptz) to service_role;
  end if;
end
$$;
