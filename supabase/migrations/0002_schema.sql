-- Accounts, chat identities, plans, subscriptions, usage and logs. Business rules live in 0004_functions.sql.

create table plans (
  id text primary key,
  name text not null,
  price_cents integer check (price_cents is null or price_cents >= 0),
  searches_per_month integer not null check (searches_per_month >= 0),
  history_days integer not null check (history_days > 0),
  excel boolean not null,
  per_minute integer not null check (per_minute > 0),
  team boolean not null default false,
  trial_days integer check (trial_days is null or trial_days > 0),
  rank integer not null unique
);

-- An individual (a person on one platform) or a team (Slack workspace, Telegram group).
create table accounts (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('individual', 'team')),
  platform text not null,
  external_id text not null,
  display_name text,
  -- Team context of the person's latest message (null in a DM); decides whether a team plan covers them.
  last_team_account_id uuid references accounts (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (kind, platform, external_id)
);

-- platform + user id + team id ('' outside a team) -> the person's account and the team's account.
create table chat_identities (
  platform text not null,
  external_user_id text not null,
  external_team_id text not null default '',
  account_id uuid not null references accounts (id) on delete cascade,
  team_account_id uuid references accounts (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (platform, external_user_id, external_team_id)
);
create index chat_identities_account_idx on chat_identities (account_id);

-- The current subscription of an account (one row per account).
create table subscriptions (
  account_id uuid primary key references accounts (id) on delete cascade,
  plan_id text not null references plans (id),
  status text not null check (status in ('trialing', 'active', 'past_due', 'canceled', 'expired')),
  current_period_end timestamptz,
  trial_ends_at timestamptz,
  stripe_customer_id text,
  stripe_subscription_id text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Searches per account and month key (`YYYY-MM` in São Paulo time, or `trial` for the whole free trial).
create table usage_monthly (
  account_id uuid not null references accounts (id) on delete cascade,
  month_key text not null check (month_key ~ '^([0-9]{4}-[0-9]{2}|trial)$'),
  searches integer not null default 0 check (searches >= 0),
  updated_at timestamptz not null default now(),
  constraint usage_monthly_pkey primary key (account_id, month_key)
);

create table search_log (
  id bigint generated always as identity primary key,
  account_id uuid references accounts (id) on delete set null,
  platform text not null,
  query_text text not null,
  query jsonb,
  fetched integer not null default 0,
  matched integer not null default 0,
  duration_ms integer not null default 0,
  outcome text not null check (outcome in ('ok', 'partial', 'failed', 'refused')),
  reason text,
  created_at timestamptz not null default now()
);
create index search_log_account_created_idx on search_log (account_id, created_at desc);

-- Idempotency keys for chat deliveries and webhooks.
create table processed_events (
  source text not null,
  id text not null,
  created_at timestamptz not null default now(),
  primary key (source, id)
);

-- Slack OAuth installations (Bolt InstallationStore), keyed by team or enterprise id.
create table slack_installations (
  key text primary key,
  installation jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
