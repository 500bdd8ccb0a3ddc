-- Alerts (issue 10): saved searches that push new bids to the conversation they were saved in, daily
-- digests, notices when a delivered bid changes, and reminders before closing.
--
-- Flow (src/core/alerts/): every write to `bids` (the index, 0007) queues the bid id in `alert_bid_queue`
-- from a trigger, in the SAME transaction as the write, so no written bid can be missed — whatever path
-- wrote it (a publication page, /atualizacao, a re-tag). After each sync round the matcher reads the
-- queue in batches (`alert_queue_take`), matches in TypeScript with the search's own `filterBids`, and
-- commits in ONE call (`alert_commit_matches`): the sent-items rows (`alert_items`, unique per
-- alert × bid × kind × change key) and the removal of exactly the queue entries it read (id AND seq: a
-- bid re-written meanwhile got a new seq and stays queued). A crash before the commit leaves the queue
-- as it was (matched again, nothing lost); two matchers racing insert the same unique rows (one wins).
-- Decision: a queue with per-bid sequence numbers instead of a cursor over a timestamp — a cursor skips
-- rows committed late with an older value (concurrent writers, clocks), a queue entry cannot be skipped.
--
-- Sending: `alert_items` go pending → sending (claimed with a token until an instant) → sent / dropped.
-- A crash while sending leaves the claim to expire and the item is sent by the next dispatcher: a bid
-- is never lost; it can be repeated only if the process dies during the platform call itself.

-- Plan capabilities for alerts (read from here, never hard-coded).
alter table plans add column alerts_limit integer not null default 0 check (alerts_limit >= 0);
alter table plans add column instant_alerts boolean not null default false;
update plans set alerts_limit = 1, instant_alerts = false where id = 'free_trial';
update plans set alerts_limit = 5, instant_alerts = false where id = 'consultor_agil';
update plans set alerts_limit = 20, instant_alerts = true where id = 'maquina';
update plans set alerts_limit = 100, instant_alerts = true where id = 'sala_guerra';

create table alerts (
  id bigint generated always as identity primary key,
  -- Whose plan applies and whose limit it counts against (a team account for channel alerts on a team plan).
  account_id uuid not null references accounts (id) on delete cascade,
  platform text not null check (platform in ('slack', 'telegram', 'whatsapp')),
  chat_id text not null,
  team_id text,
  thread_id text,
  scope text not null check (scope in ('personal', 'channel')),
  query_text text not null check (length(query_text) <= 2000),
  query jsonb not null,
  mode text not null check (mode in ('instant', 'daily')),
  digest_hour integer not null default 8 check (digest_hour between 0 and 23),
  reminder boolean not null default false,
  status text not null default 'active' check (status in ('active', 'paused', 'unreachable')),
  created_at timestamptz not null,
  last_digest_at timestamptz,
  deleted_at timestamptz
);
create index alerts_chat_idx on alerts (platform, chat_id) where deleted_at is null;
create index alerts_account_idx on alerts (account_id) where deleted_at is null;
create index alerts_active_idx on alerts (id) where deleted_at is null and status = 'active';

create sequence alert_bid_queue_seq;
create table alert_bid_queue (
  bid_id text primary key,
  seq bigint not null,
  queued_at timestamptz not null default now()
);
create index alert_bid_queue_seq_idx on alert_bid_queue (seq);

-- One row per (alert, bid, kind, change key): the unique key that makes every message once-only.
-- kind 'match' (change_key ''), 'change' (the new state, e.g. 'situacao:4', 'close:<ms>', 'rectified:<hash>'),
-- 'reminder' (the closing instant it reminds of). Kept narrow: a national day against 10,000 alerts is
-- ~400k rows (bench/alerts.bench.ts).
create table alert_items (
  id bigint generated always as identity primary key,
  alert_id bigint not null references alerts (id) on delete cascade,
  bid_id text not null,
  kind text not null check (kind in ('match', 'change', 'reminder')),
  change_key text not null default '',
  detail jsonb not null default '{}',
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'dropped')),
  claim_token text,
  claimed_until timestamptz,
  created_at timestamptz not null,
  sent_at timestamptz,
  constraint alert_items_once unique (alert_id, bid_id, kind, change_key)
);
-- The state of each delivered bid that its subscribers were last told about (one per bid: every alert
-- that has the bid learns of a change at the same sync), so a change is announced once.
create table alert_bid_seen (
  bid_id text primary key,
  seen jsonb not null
);

create index alert_items_pending_idx on alert_items (alert_id) where status in ('pending', 'sending');
create index alert_items_bid_idx on alert_items (bid_id) where kind = 'match';

-- Queues every written bid (insert, or an update that changed what alerts read).
create function _alert_queue_bid()
returns trigger
language plpgsql
set search_path = public
as $$
begin
  insert into alert_bid_queue (bid_id, seq) values (new.id, nextval('alert_bid_queue_seq'))
  on conflict (bid_id) do update set seq = excluded.seq, queued_at = now();
  return null;
end
$$;

create trigger bids_alert_queue_insert after insert on bids
  for each row execute function _alert_queue_bid();
create trigger bids_alert_queue_update after update on bids
  for each row
  when (old.pncp_updated_at is distinct from new.pncp_updated_at
        or old.situation_id is distinct from new.situation_id
        or old.proposals_close_at is distinct from new.proposals_close_at
        or old.object is distinct from new.object
        or old.estimated_value is distinct from new.estimated_value
        or old.sector_tags is distinct from new.sector_tags)
  execute function _alert_queue_bid();

/* Alerts. */

-- Creates an alert unless the account already has `p_limit` (counted under a row lock on the account,
-- so two concurrent /alerta never pass the limit). Returns the alert, or no row with the count when refused.
create function alert_create(
  p_account_id uuid, p_platform text, p_chat_id text, p_team_id text, p_thread_id text, p_scope text,
  p_query_text text, p_query jsonb, p_mode text, p_digest_hour integer, p_reminder boolean, p_limit integer,
  p_now timestamptz
)
returns table (created boolean, count integer, alert jsonb)
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
  v_alert alerts;
begin
  perform 1 from accounts where id = p_account_id for update;
  select count(*) into v_count from alerts a where a.account_id = p_account_id and a.deleted_at is null;
  if v_count >= p_limit then
    return query select false, v_count, null::jsonb;
    return;
  end if;
  insert into alerts (account_id, platform, chat_id, team_id, thread_id, scope, query_text, query, mode,
    digest_hour, reminder, created_at)
  values (p_account_id, p_platform, p_chat_id, nullif(p_team_id, ''), nullif(p_thread_id, ''), p_scope,
    p_query_text, p_query, p_mode, p_digest_hour, p_reminder, p_now)
  returning * into v_alert;
  return query select true, v_count + 1, to_jsonb(v_alert);
end
$$;

-- The alerts of one chat (not deleted), oldest first: the numbering `/alertas` shows.
create function alert_list_chat(p_platform text, p_chat_id text)
returns setof alerts
language sql
stable
set search_path = public
as $$
  select * from alerts where platform = p_platform and chat_id = p_chat_id and deleted_at is null
  order by created_at, id
$$;

-- Alerts the matcher and the dispatcher work for.
create function alert_list_active()
returns setof alerts
language sql
stable
set search_path = public
as $$
  select * from alerts where deleted_at is null and status = 'active' order by id
$$;

-- Changes one alert; null arguments keep the value. Returns the alert (no row when missing or deleted).
create function alert_update(
  p_id bigint, p_status text default null, p_mode text default null, p_digest_hour integer default null,
  p_reminder boolean default null, p_deleted_at timestamptz default null
)
returns setof alerts
language sql
set search_path = public
as $$
  update alerts set
    status = coalesce(p_status, status), mode = coalesce(p_mode, mode),
    digest_hour = coalesce(p_digest_hour, digest_hour), reminder = coalesce(p_reminder, reminder),
    deleted_at = coalesce(p_deleted_at, deleted_at)
  where id = p_id and deleted_at is null
  returning *
$$;

-- A chat that blocked or removed the bot: its active alerts paused as unreachable, pending items dropped.
create function alert_pause_chat(p_platform text, p_chat_id text)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
begin
  update alert_items i set status = 'dropped', claim_token = null, claimed_until = null
  from alerts a
  where a.id = i.alert_id and a.platform = p_platform and a.chat_id = p_chat_id
    and i.status in ('pending', 'sending');
  update alerts set status = 'unreachable'
  where platform = p_platform and chat_id = p_chat_id and deleted_at is null and status = 'active';
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- The digest of an alert was sent (or had nothing to send) at p_at.
create function alert_mark_digest(p_id bigint, p_at timestamptz)
returns void
language sql
set search_path = public
as $$
  update alerts set last_digest_at = p_at where id = p_id
$$;

/* Matching. */

-- The first p_limit queued bids by seq, with what the matcher needs first: its sector tags, whether it
-- was published recently enough for some active alert (`eligible`), whether some alert delivered it
-- (`delivered`: changes are then announced). A bid neither eligible nor delivered is only dequeued.
create function alert_queue_take(p_limit integer)
returns table (bid_id text, seq bigint, sector_tags text[], eligible boolean, delivered boolean)
language sql
stable
set search_path = public
as $$
  with q as (
    select q.bid_id, q.seq from alert_bid_queue q order by q.seq limit p_limit
  ), horizon as (
    select min(a.created_at) - interval '1 day' as since
    from alerts a where a.deleted_at is null and a.status = 'active'
  )
  select q.bid_id, q.seq, coalesce(b.sector_tags, '{}'),
    coalesce(b.published_at >= (select since from horizon), false),
    exists (select 1 from alert_items i where i.bid_id = q.bid_id and i.kind = 'match')
  from q left join bids b on b.id = q.bid_id
  order by q.seq
$$;

-- The match rows of these bids with the state each subscriber last saw (change detection).
create function alert_seen_for(p_bid_ids text[])
returns table (alert_id bigint, bid_id text, status text, seen jsonb)
language sql
stable
set search_path = public
as $$
  select i.alert_id, i.bid_id, i.status, s.seen from alert_items i
  left join alert_bid_seen s on s.bid_id = i.bid_id
  where i.kind = 'match' and i.bid_id = any (p_bid_ids)
$$;

-- One matching batch, atomically: new items inserted once (the unique key drops repeats) — matches as
-- two parallel arrays (alert ids, bid ids: compact for ~400k rows), changes as jsonb —, the seen state of
-- bids stored (p_seen: overwritten; p_first_seen: only where none yet), and the queue entries read removed
-- — only those still at the seq read. Returns the number of items inserted.
create function alert_commit_matches(
  p_done jsonb, p_match_alert_ids bigint[], p_match_bid_ids text[], p_items jsonb, p_seen jsonb,
  p_first_seen jsonb, p_now timestamptz
)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_inserted integer;
  v_more integer;
begin
  insert into alert_items (alert_id, bid_id, kind, created_at)
  select m.alert_id, m.bid_id, 'match', p_now
  from unnest(coalesce(p_match_alert_ids, '{}'), coalesce(p_match_bid_ids, '{}')) as m(alert_id, bid_id)
  where m.alert_id in (select a.id from alerts a where a.deleted_at is null)
  on conflict on constraint alert_items_once do nothing;
  get diagnostics v_inserted = row_count;
  insert into alert_items (alert_id, bid_id, kind, change_key, detail, created_at)
  select i.alert_id, i.bid_id, i.kind, coalesce(i.change_key, ''), coalesce(i.detail, '{}'), p_now
  from jsonb_to_recordset(coalesce(p_items, '[]')) as i(alert_id bigint, bid_id text, kind text,
    change_key text, detail jsonb)
  where exists (select 1 from alerts a where a.id = i.alert_id and a.deleted_at is null)
  on conflict on constraint alert_items_once do nothing;
  get diagnostics v_more = row_count;
  insert into alert_bid_seen (bid_id, seen)
  select distinct on (s.bid_id) s.bid_id, s.seen
  from jsonb_to_recordset(coalesce(p_first_seen, '[]')) as s(bid_id text, seen jsonb)
  on conflict (bid_id) do nothing;
  insert into alert_bid_seen (bid_id, seen)
  select distinct on (s.bid_id) s.bid_id, s.seen
  from jsonb_to_recordset(coalesce(p_seen, '[]')) as s(bid_id text, seen jsonb)
  on conflict (bid_id) do update set seen = excluded.seen;
  delete from alert_bid_queue q
  using jsonb_to_recordset(coalesce(p_done, '[]')) as d(bid_id text, seq bigint)
  where q.bid_id = d.bid_id and q.seq = d.seq;
  return v_inserted + v_more;
end
$$;

-- Reminders two days before closing: for sent matches of active alerts that asked for them (`lembrete`),
-- whose bid closes within p_within_ms after p_now. The key is the closing instant, so a new closing
-- date gets its own reminder. Returns the number queued.
create function alert_queue_reminders(p_now timestamptz, p_within_ms bigint)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
begin
  insert into alert_items (alert_id, bid_id, kind, change_key, detail, created_at)
  select i.alert_id, i.bid_id, 'reminder',
    (date_part('epoch', b.proposals_close_at) * 1000)::bigint::text,
    jsonb_build_object('closeAt', date_part('epoch', b.proposals_close_at) * 1000), p_now
  from alert_items i
  join alerts a on a.id = i.alert_id
  join bids b on b.id = i.bid_id
  where i.kind = 'match' and i.status = 'sent' and a.reminder and a.deleted_at is null and a.status = 'active'
    and b.proposals_close_at > p_now
    and b.proposals_close_at <= p_now + make_interval(secs => p_within_ms / 1000.0)
  on conflict on constraint alert_items_once do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

/* Sending. */

-- Items ready to send: changes and reminders of active alerts, and matches of the alerts in
-- p_match_alert_ids (instant ones, and daily ones whose digest is due). Claimed ones whose claim
-- expired count as ready again (a dispatcher died while sending) and carry their old token, so the
-- retry is the SAME message (same outbox dedupe key): handed over twice, enqueued once.
create function alert_items_ready(p_match_alert_ids bigint[], p_now timestamptz, p_limit integer)
returns table (id bigint, alert_id bigint, bid_id text, kind text, change_key text, detail jsonb,
  created_at double precision, claim_token text)
language sql
stable
set search_path = public
as $$
  select i.id, i.alert_id, i.bid_id, i.kind, i.change_key, i.detail, date_part('epoch', i.created_at) * 1000,
    case when i.status = 'sending' then i.claim_token end
  from alert_items i join alerts a on a.id = i.alert_id
  where a.deleted_at is null and a.status = 'active'
    and (i.status = 'pending' or (i.status = 'sending' and i.claimed_until < p_now))
    and (i.kind <> 'match' or i.alert_id = any (p_match_alert_ids))
  order by i.alert_id, i.id
  limit p_limit
$$;

-- Claims items for sending until p_until; returns the ids this token now holds (two columns: a one-column
-- table is a scalar set, which PostgREST would send as bare values).
create function alert_items_claim(p_ids bigint[], p_token text, p_until timestamptz, p_now timestamptz)
returns table (id bigint, claimed_until timestamptz)
language sql
set search_path = public
as $$
  update alert_items i set status = 'sending', claim_token = p_token, claimed_until = p_until
  where i.id = any (p_ids)
    and (i.status = 'pending' or (i.status = 'sending' and i.claimed_until < p_now))
  returning i.id, i.claimed_until
$$;

-- Ends a claim: 'sent', 'dropped', or 'pending' (retry later). Only the token's holder can end it.
create function alert_items_finish(p_ids bigint[], p_token text, p_status text, p_now timestamptz)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
begin
  if p_status not in ('sent', 'dropped', 'pending') then
    raise exception 'invalid status %', p_status using errcode = '22023';
  end if;
  update alert_items i set status = p_status, claim_token = null, claimed_until = null,
    sent_at = case when p_status = 'sent' then p_now else i.sent_at end
  where i.id = any (p_ids) and i.claim_token = p_token and i.status = 'sending';
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

/* Security, as 0005/0007: RLS without policies, nothing for the API roles. */

alter table alerts enable row level security;
alter table alert_bid_queue enable row level security;
alter table alert_items enable row level security;
alter table alert_bid_seen enable row level security;

revoke all on table alerts, alert_bid_queue, alert_items, alert_bid_seen from public, anon, authenticated;
grant select, insert, update, delete on table alerts, alert_bid_queue, alert_items, alert_bid_seen
  to service_role;
revoke all on sequence alert_bid_queue_seq, alerts_id_seq, alert_items_id_seq from public, anon, authenticated;
grant usage, select on sequence alert_bid_queue_seq, alerts_id_seq, alert_items_id_seq to service_role;

revoke execute on function
  _alert_queue_bid(),
  alert_create(uuid, text, text, text, text, text, text, jsonb, text, integer, boolean, integer, timestamptz),
  alert_list_chat(text, text),
  alert_list_active(),
  alert_update(bigint, text, text, integer, boolean, timestamptz),
  alert_pause_chat(text, text),
  alert_mark_digest(bigint, timestamptz),
  alert_queue_take(integer),
  alert_seen_for(text[]),
  alert_commit_matches(jsonb, bigint[], text[], jsonb, jsonb, jsonb, timestamptz),
  alert_queue_reminders(timestamptz, bigint),
  alert_items_ready(bigint[], timestamptz, integer),
  alert_items_claim(bigint[], text, timestamptz, timestamptz),
  alert_items_finish(bigint[], text, text, timestamptz)
from public, anon, authenticated;

grant execute on function
  _alert_queue_bid(),
  alert_create(uuid, text, text, text, text, text, text, jsonb, text, integer, boolean, integer, timestamptz),
  alert_list_chat(text, text),
  alert_list_active(),
  alert_update(bigint, text, text, integer, boolean, timestamptz),
  alert_pause_chat(text, text),
  alert_mark_digest(bigint, timestamptz),
  alert_queue_take(integer),
  alert_seen_for(text[]),
  alert_commit_matches(jsonb, bigint[], text[], jsonb, jsonb, jsonb, timestamptz),
  alert_queue_reminders(timestamptz, bigint),
  alert_items_ready(bigint[], timestamptz, integer),
  alert_items_claim(bigint[], text, timestamptz, timestamptz),
  alert_items_finish(bigint[], text, text, timestamptz)
to service_role;
