-- Billing (issue 9): Stripe customers and subscriptions, and the lifecycle effects they have on an
-- account's plan. Stripe sends events duplicated and out of order, so the app re-reads the subscription
-- from Stripe and hands its CURRENT state to `billing_apply_subscription`, which decides the effect
-- (activated, renewed, changed, past due, cancel scheduled, ended…) and applies it in ONE transaction,
-- identical on Postgres, PGlite and through Supabase RPC. `consume_search` is replaced to refuse a
-- subscription whose payment is overdue past its grace period (`payment_overdue`).

-- The Stripe customer of an account, and the chat to notify about its billing (the chat the latest
-- checkout started from).
create table billing_customers (
  account_id uuid primary key references accounts (id) on delete cascade,
  stripe_customer_id text not null unique,
  notify_platform text,
  notify_chat_id text,
  notify_team_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Every Stripe subscription we have seen, as last observed. `observed_at` is when its state was read from
-- Stripe: an older reading (a slower concurrent handler) never overwrites a newer one.
create table billing_subscriptions (
  stripe_subscription_id text primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  stripe_customer_id text not null,
  plan_id text not null references plans (id),
  stripe_status text not null,
  stripe_price_id text,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  ended_at timestamptz,
  past_due_since timestamptz,
  observed_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index billing_subscriptions_account_idx on billing_subscriptions (account_id);

-- Until when a past-due subscription stays usable (past_due_since + BILLING_GRACE_DAYS).
alter table subscriptions add column grace_ends_at timestamptz;

-- The account's billing as `/plano`, `/assinar`, the portal link and `billing status` read it: its
-- customer and its current (or latest) Stripe subscription.
create or replace function billing_account(p_account_id uuid)
returns table (
  account_id uuid, account_kind text, platform text, external_id text, team_id text,
  stripe_customer_id text, stripe_subscription_id text, plan_id text, stripe_status text,
  current_period_end timestamptz, cancel_at_period_end boolean, past_due_since timestamptz,
  grace_ends_at timestamptz, notify_platform text, notify_chat_id text, notify_team_id text
)
language sql stable security definer set search_path = public, pg_temp as $$
  select a.id, a.kind, a.platform, a.external_id,
    -- The Slack workspace / Telegram group the account belongs to (its own id for a team account).
    case when a.kind = 'team' then a.external_id
      else (select nullif(ci.external_team_id, '') from chat_identities ci
             where ci.account_id = a.id order by ci.created_at desc limit 1) end,
    c.stripe_customer_id,
    b.stripe_subscription_id, b.plan_id, b.stripe_status, b.current_period_end,
    coalesce(b.cancel_at_period_end, false), b.past_due_since, s.grace_ends_at,
    c.notify_platform, c.notify_chat_id, c.notify_team_id
  from accounts a
  left join billing_customers c on c.account_id = a.id
  left join subscriptions s on s.account_id = a.id
  left join lateral (
    -- The subscription the account's plan row points at; else its latest one.
    select x.* from billing_subscriptions x
     where x.account_id = a.id
     order by (x.stripe_subscription_id = s.stripe_subscription_id) desc nulls last, x.observed_at desc
     limit 1
  ) b on true
  where a.id = p_account_id;
$$;

-- The account of a Stripe customer, or null.
create or replace function billing_customer_account(p_customer_id text) returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
  select account_id from billing_customers where stripe_customer_id = p_customer_id;
$$;

-- Records the Stripe customer of an account (and, when given, the chat to notify). A customer id already
-- recorded for another account is refused (`customer_belongs_to_other_account`).
create or replace function billing_save_customer(
  p_account_id uuid, p_customer_id text, p_notify_platform text default null,
  p_notify_chat_id text default null, p_notify_team_id text default null
) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
  if coalesce(btrim(p_customer_id), '') = '' then
    raise exception 'invalid_customer' using errcode = '22023';
  end if;
  if not exists (select from accounts a where a.id = p_account_id) then
    raise exception 'account_not_found' using errcode = 'P0002';
  end if;
  if exists (select from billing_customers c
              where c.stripe_customer_id = p_customer_id and c.account_id <> p_account_id) then
    raise exception 'customer_belongs_to_other_account' using errcode = '23505';
  end if;
  insert into billing_customers as c (account_id, stripe_customer_id, notify_platform, notify_chat_id, notify_team_id)
  values (p_account_id, p_customer_id, p_notify_platform, p_notify_chat_id, p_notify_team_id)
  on conflict (account_id) do update set
    stripe_customer_id = excluded.stripe_customer_id,
    notify_platform = coalesce(excluded.notify_platform, c.notify_platform),
    notify_chat_id = case when excluded.notify_platform is null then c.notify_chat_id else excluded.notify_chat_id end,
    notify_team_id = case when excluded.notify_platform is null then c.notify_team_id else excluded.notify_team_id end,
    updated_at = now();
end
$$;

-- Our phase of a Stripe status: 'live' (usable: active, trialing), 'past_due' (past_due, unpaid: usable
-- during the grace period), 'pending' (incomplete: boleto not paid yet, 3-D Secure), 'ended' (canceled,
-- incomplete_expired, paused).
create or replace function _billing_phase(p_stripe_status text) returns text
language sql immutable set search_path = public, pg_temp as $$
  select case
    when p_stripe_status is null then null
    when p_stripe_status in ('active', 'trialing') then 'live'
    when p_stripe_status in ('past_due', 'unpaid') then 'past_due'
    when p_stripe_status = 'incomplete' then 'pending'
    else 'ended'
  end;
$$;

-- Applies a subscription's current state, as read from Stripe at p_observed_at, in one transaction, and
-- says what changed (`effect`) so the caller tells the chat once:
--   stale            an older reading than the one applied already: nothing changes
--   none             nothing that matters changed
--   pending          created but not paid yet (boleto pending): the plan is not given
--   activated        the plan is now usable (first payment, or a boleto paid late)
--   recovered        a past-due payment was made: usable again without a grace limit
--   renewed          the period moved forward
--   changed          another plan (upgrade/downgrade through the portal)
--   past_due         a payment failed: usable until grace_ends_at (p_grace_days after the first failure)
--   cancel_scheduled cancels at period end (still usable until then)
--   cancel_undone    the scheduled cancellation was withdrawn
--   ended            the subscription the plan came from ended: the plan is no longer usable
--   expired          ended without ever being paid (a boleto that expired): nothing was given
--                    (a subscription first seen already `canceled` was paid once: it ends the plan)
--   superseded       this subscription ended, but the account has another live one: the plan follows that one
-- The account's plan row follows the subscription unless it is an ended one the account has replaced.
create or replace function billing_apply_subscription(
  p_subscription_id text, p_customer_id text, p_account_id uuid, p_plan_id text, p_stripe_status text,
  p_price_id text, p_period_end timestamptz, p_cancel_at_period_end boolean, p_ended_at timestamptz,
  p_observed_at timestamptz, p_grace_days integer
)
returns table (
  effect text, account_id uuid, plan_id text, previous_plan_id text, period_end timestamptz,
  grace_ends_at timestamptz, notify_platform text, notify_chat_id text, notify_team_id text
)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  v_account uuid := p_account_id;
  v_prev billing_subscriptions%rowtype;
  v_found boolean;
  v_phase text := _billing_phase(p_stripe_status);
  v_prev_phase text;
  v_past_due_since timestamptz;
  v_grace timestamptz;
  v_current_sub text;
  v_other_live boolean;
  v_effect text;
  v_ended_at timestamptz;
  v_notify billing_customers%rowtype;
  v_other billing_subscriptions%rowtype;
begin
  if coalesce(btrim(p_subscription_id), '') = '' or coalesce(btrim(p_customer_id), '') = ''
     or p_observed_at is null or coalesce(p_grace_days, -1) < 0 then
    raise exception 'invalid_subscription' using errcode = '22023';
  end if;
  if not exists (select from plans p where p.id = p_plan_id) then
    raise exception 'unknown_plan' using errcode = '22023', detail = p_plan_id;
  end if;
  -- The account: the one recorded for this subscription, else the caller's (metadata), else the customer's.
  -- No row lock here: every write to an account's subscriptions happens under its advisory lock below
  -- (a row lock taken before it would deadlock with a holder of the lock upserting this row).
  select * into v_prev from billing_subscriptions b where b.stripe_subscription_id = p_subscription_id;
  v_found := found;
  if v_found then
    v_account := v_prev.account_id;
  elsif v_account is null then
    select c.account_id into v_account from billing_customers c where c.stripe_customer_id = p_customer_id;
  end if;
  if v_account is null or not exists (select from accounts a where a.id = v_account) then
    raise exception 'account_not_found' using errcode = 'P0002', detail = p_subscription_id;
  end if;
  -- Serialise every effect on one account (two subscriptions of one account, concurrent handlers).
  perform pg_advisory_xact_lock(hashtextextended('smart-pncp:billing:' || v_account::text, 0));
  -- Read again under the lock: a concurrent first sight of this subscription may have just committed.
  select * into v_prev from billing_subscriptions b where b.stripe_subscription_id = p_subscription_id;
  v_found := found;
  if v_found then
    if v_prev.observed_at > p_observed_at then
      return query select 'stale'::text, v_account, v_prev.plan_id, v_prev.plan_id, v_prev.current_period_end,
        null::timestamptz, null::text, null::text, null::text;
      return;
    end if;
  end if;
  v_prev_phase := case when v_found then _billing_phase(v_prev.stripe_status) end;

  -- The customer belongs to this account from now on (first sight of a checkout's subscription).
  insert into billing_customers (account_id, stripe_customer_id) values (v_account, p_customer_id)
  on conflict (account_id) do update set stripe_customer_id = excluded.stripe_customer_id, updated_at = now()
    where billing_customers.stripe_customer_id is distinct from excluded.stripe_customer_id;

  v_past_due_since := case
    when v_phase <> 'past_due' then null
    when v_found and v_prev.past_due_since is not null then v_prev.past_due_since
    else p_observed_at
  end;
  v_grace := case when v_past_due_since is null then null
    else v_past_due_since + make_interval(days => p_grace_days) end;
  v_ended_at := case when v_phase = 'ended' then coalesce(p_ended_at, p_observed_at) end;

  insert into billing_subscriptions as b (
    stripe_subscription_id, account_id, stripe_customer_id, plan_id, stripe_status, stripe_price_id,
    current_period_end, cancel_at_period_end, ended_at, past_due_since, observed_at
  ) values (
    p_subscription_id, v_account, p_customer_id, p_plan_id, p_stripe_status, p_price_id, p_period_end,
    coalesce(p_cancel_at_period_end, false), v_ended_at, v_past_due_since, p_observed_at
  )
  on conflict (stripe_subscription_id) do update set
    plan_id = excluded.plan_id,
    stripe_status = excluded.stripe_status,
    stripe_price_id = excluded.stripe_price_id,
    current_period_end = excluded.current_period_end,
    cancel_at_period_end = excluded.cancel_at_period_end,
    ended_at = excluded.ended_at,
    past_due_since = excluded.past_due_since,
    observed_at = excluded.observed_at,
    updated_at = now();

  select s.stripe_subscription_id into v_current_sub from subscriptions s where s.account_id = v_account;
  select exists (
    select from billing_subscriptions x
     where x.account_id = v_account and x.stripe_subscription_id <> p_subscription_id
       and _billing_phase(x.stripe_status) in ('live', 'past_due')
  ) into v_other_live;

  if v_phase = 'pending' then
    v_effect := case when v_prev_phase is null then 'pending' else 'none' end;
  elsif v_phase = 'ended' then
    if v_current_sub is distinct from p_subscription_id then
      -- Not the subscription the account's plan row follows: another live one replaced it, or it never
      -- got paid (a boleto that expired), or we see it for the first time already over. In the last case
      -- it was paid once (`canceled`, not `incomplete_expired`) and nothing else pays now: the account ends
      -- exactly as if its earlier events had arrived first (any order ends in the same state).
      if v_other_live then
        v_effect := 'superseded';
      elsif v_prev_phase = 'pending' or p_stripe_status = 'incomplete_expired' then
        v_effect := case when v_prev_phase = 'ended' then 'none' else 'expired' end;
      elsif v_prev_phase = 'ended' then
        v_effect := 'none';
      else
        v_effect := 'ended';
        insert into subscriptions as s (
          account_id, plan_id, status, current_period_end, stripe_customer_id, stripe_subscription_id
        ) values (
          v_account, p_plan_id, 'canceled', least(coalesce(p_period_end, v_ended_at), v_ended_at),
          p_customer_id, p_subscription_id
        )
        on conflict (account_id) do update set
          plan_id = excluded.plan_id,
          status = excluded.status,
          current_period_end = excluded.current_period_end,
          stripe_customer_id = excluded.stripe_customer_id,
          stripe_subscription_id = excluded.stripe_subscription_id,
          grace_ends_at = null,
          updated_at = now();
      end if;
    else
      select * into v_other from billing_subscriptions x
       where x.account_id = v_account and x.stripe_subscription_id <> p_subscription_id
         and _billing_phase(x.stripe_status) in ('live', 'past_due')
       order by x.observed_at desc limit 1;
      if found then
        -- The plan came from this one, but the account pays for another: the plan follows that one.
        v_effect := 'superseded';
        update subscriptions s
           set plan_id = v_other.plan_id,
               status = case when _billing_phase(v_other.stripe_status) = 'past_due' then 'past_due' else 'active' end,
               current_period_end = v_other.current_period_end,
               stripe_customer_id = v_other.stripe_customer_id,
               stripe_subscription_id = v_other.stripe_subscription_id,
               grace_ends_at = v_other.past_due_since + make_interval(days => p_grace_days),
               updated_at = now()
         where s.account_id = v_account;
      else
        v_effect := case when v_prev_phase = 'ended' then 'none' else 'ended' end;
        update subscriptions s
           set status = 'canceled',
               current_period_end = least(coalesce(p_period_end, v_ended_at), v_ended_at),
               grace_ends_at = null,
               updated_at = now()
         where s.account_id = v_account;
      end if;
    end if;
  else
    -- live or past_due: the account's plan follows this subscription.
    v_effect := case
      when v_prev_phase is null or v_prev_phase in ('pending', 'ended') then 'activated'
      when v_phase = 'past_due' and v_prev_phase = 'live' then 'past_due'
      when v_phase = 'live' and v_prev_phase = 'past_due' then 'recovered'
      when v_prev.plan_id is distinct from p_plan_id then 'changed'
      when coalesce(p_cancel_at_period_end, false) and not v_prev.cancel_at_period_end then 'cancel_scheduled'
      when not coalesce(p_cancel_at_period_end, false) and v_prev.cancel_at_period_end then 'cancel_undone'
      when p_period_end > v_prev.current_period_end then 'renewed'
      else 'none'
    end;
    if v_effect = 'activated' and v_phase = 'past_due' then v_effect := 'past_due'; end if;
    insert into subscriptions as s (
      account_id, plan_id, status, current_period_end, stripe_customer_id, stripe_subscription_id, grace_ends_at
    ) values (
      v_account, p_plan_id, case when v_phase = 'past_due' then 'past_due' else 'active' end, p_period_end,
      p_customer_id, p_subscription_id, v_grace
    )
    on conflict (account_id) do update set
      plan_id = excluded.plan_id,
      status = excluded.status,
      current_period_end = excluded.current_period_end,
      stripe_customer_id = excluded.stripe_customer_id,
      stripe_subscription_id = excluded.stripe_subscription_id,
      grace_ends_at = excluded.grace_ends_at,
      updated_at = now();
  end if;

  select * into v_notify from billing_customers c where c.account_id = v_account;
  return query select v_effect, v_account, p_plan_id,
    case when v_found then v_prev.plan_id end, p_period_end, v_grace,
    v_notify.notify_platform, v_notify.notify_chat_id, v_notify.notify_team_id;
end
$$;

-- One atomic check-and-consume (0004's rules), plus: a past-due subscription past its grace period is
-- refused with 'payment_overdue' (checked before consuming, so a refused search never costs).
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
  if v_state = 'ok' and v_sub.status = 'past_due' and v_sub.grace_ends_at is not null
     and v_sub.grace_ends_at <= p_now then
    v_state := 'payment_overdue';
  end if;
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

-- Gives an event back when handling it failed (Stripe retries it; `claim_event` then claims it again).
create or replace function billing_release_event(p_id text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  delete from processed_events where source = 'stripe' and id = p_id;
$$;

/* Security, as 0005_security.sql: RLS without policies, nothing for the API roles. */

alter table billing_customers enable row level security;
alter table billing_subscriptions enable row level security;
revoke all on table billing_customers, billing_subscriptions from public, anon, authenticated;
grant select, insert, update, delete on table billing_customers, billing_subscriptions to service_role;

revoke execute on function
  billing_account(uuid),
  billing_customer_account(text),
  billing_save_customer(uuid, text, text, text, text),
  _billing_phase(text),
  billing_apply_subscription(text, text, uuid, text, text, text, timestamptz, boolean, timestamptz,
    timestamptz, integer),
  consume_search(uuid, integer, timestamptz, text),
  billing_release_event(text)
from public, anon, authenticated;

grant execute on function
  billing_account(uuid),
  billing_customer_account(text),
  billing_save_customer(uuid, text, text, text, text),
  _billing_phase(text),
  billing_apply_subscription(text, text, uuid, text, text, text, timestamptz, boolean, timestamptz,
    timestamptz, integer),
  consume_search(uuid, integer, timestamptz, text),
  billing_release_event(text)
to service_role;
