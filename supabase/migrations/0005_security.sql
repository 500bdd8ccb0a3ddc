-- Row Level Security on every table, with no policies: the anon and authenticated roles read nothing even
-- where a grant exists (Supabase grants table rights to them by default). The server uses service_role,
-- which bypasses RLS; SECURITY DEFINER functions run as their owner (the table owner).

alter table plans enable row level security;
alter table accounts enable row level security;
alter table chat_identities enable row level security;
alter table subscriptions enable row level security;
alter table usage_monthly enable row level security;
alter table search_log enable row level security;
alter table processed_events enable row level security;
alter table slack_installations enable row level security;

revoke all on table plans, accounts, chat_identities, subscriptions, usage_monthly, search_log,
  processed_events, slack_installations from public, anon, authenticated;
grant select, insert, update, delete on table plans, accounts, chat_identities, subscriptions, usage_monthly,
  search_log, processed_events, slack_installations to service_role;
revoke all on sequence search_log_id_seq from public, anon, authenticated;
grant usage, select on sequence search_log_id_seq to service_role;

-- Functions are executable by PUBLIC by default (and granted to the API roles on Supabase): revoke.
revoke execute on function
  _month_key(timestamptz),
  _month_resets_at(timestamptz),
  _usage_key(integer, timestamptz),
  _usage_resets_at(integer, timestamptz, timestamptz),
  _plan_state(integer, text, timestamptz, timestamptz, timestamptz),
  _effective_account(uuid, timestamptz, text),
  _ensure_account(text, text, text, text, timestamptz),
  resolve_identity(text, text, text, text),
  resolve_identity(text, text, text, text, timestamptz),
  resolve_team(text, text),
  consume_search(uuid, integer, timestamptz, text),
  refund_search(uuid, text),
  set_plan(uuid, text, timestamptz),
  claim_event(text, text),
  account_status(uuid, timestamptz, text),
  list_plans(),
  log_search(uuid, text, text, jsonb, integer, integer, integer, text, text),
  save_installation(text, jsonb),
  get_installation(text),
  delete_installation(text)
from public, anon, authenticated;

grant execute on function
  resolve_identity(text, text, text, text),
  resolve_identity(text, text, text, text, timestamptz),
  resolve_team(text, text),
  consume_search(uuid, integer, timestamptz, text),
  refund_search(uuid, text),
  set_plan(uuid, text, timestamptz),
  claim_event(text, text),
  account_status(uuid, timestamptz, text),
  list_plans(),
  log_search(uuid, text, text, jsonb, integer, integer, integer, text, text),
  save_installation(text, jsonb),
  get_installation(text),
  delete_installation(text)
to service_role;
