-- The paced outbox (issues 9 and 10): every message posted to a chat outside a reply — billing
-- confirmations, alerts, digests, bid-change notices — is enqueued here once (unique dedupe key) and sent by
-- the outbox sender (src/core/outbox/outbox-sender.ts) through the Notifier port. Every state change is ONE
-- function call, so the Supabase RPC path (one PostgREST request = one transaction) behaves like plain SQL.
--
-- Delivery is at-least-once: a sender claims due messages with a lease (`for update skip locked`, so two
-- instances never claim the same message); a claimed message's `due_at` is its lease's end, so when the
-- sender dies between claim and send the message simply becomes due again and another claim re-sends it.
-- Only the lease holder can settle a message (`outbox_settle` checks `lease_owner`).
--
-- States: pending → sending → sent | pending (retry, backoff) | held (WhatsApp outside the 24-hour
-- window: until the user writes again) | paused (the chat blocked or removed the bot) | failed (refused,
-- or out of attempts) | expired (held or paused past its `expires_at`). `outbox_contact`, called when a
-- command arrives from a chat, records the contact (the WhatsApp window), clears "unreachable" and makes
-- that chat's held and paused messages due.
--
-- Payloads are the replies as JSON (src/core/outbox/reply-codec.ts): files inline as base64, bounded by the
-- codec (OUTBOX_MAX_FILE_BYTES); a sent message's payload is dropped at once, so the table keeps only what
-- is still to deliver plus small rows that keep the dedupe keys (pruned after 30 days by outbox_prune).

create table outbox_messages (
  id bigint generated always as identity primary key,
  dedupe_key text not null unique,
  platform text not null check (platform in ('slack', 'telegram', 'whatsapp')),
  chat_id text not null,
  team_id text,
  thread_id text,
  purpose text not null,
  payload jsonb,
  status text not null default 'pending'
    check (status in ('pending', 'sending', 'sent', 'held', 'paused', 'failed', 'expired')),
  due_at timestamptz not null,
  expires_at timestamptz,
  attempts integer not null default 0,
  lease_owner text,
  last_error text,
  message_ids jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  sent_at timestamptz
);

-- The claim: due messages in due order (pending, and sending whose lease ran out), per platform.
create index outbox_messages_due_idx on outbox_messages (platform, due_at, id)
  where status in ('pending', 'sending');
-- One chat's held/paused messages (outbox_contact) and its queue (outbox_chat_state).
create index outbox_messages_chat_idx on outbox_messages (platform, chat_id)
  where status in ('pending', 'sending', 'held', 'paused');
-- outbox_prune.
create index outbox_messages_done_idx on outbox_messages (updated_at) where status in ('sent', 'failed', 'expired');

-- Per chat: the last time the user wrote (WhatsApp's window) and whether the bot can reach it.
create table outbox_chats (
  platform text not null,
  chat_id text not null,
  last_inbound_at timestamptz,
  unreachable_at timestamptz,
  unreachable_reason text,
  primary key (platform, chat_id)
);

-- Enqueues once per dedupe key: a retried enqueue returns the first message and changes nothing. A chat
-- known to be unreachable gets its message paused at once (released at the next contact).
create function outbox_enqueue(
  p_dedupe_key text, p_platform text, p_chat_id text, p_team_id text, p_thread_id text, p_purpose text,
  p_payload jsonb, p_due_at timestamptz, p_expires_at timestamptz, p_now timestamptz
)
returns table (message_id bigint, created boolean, message_status text)
language plpgsql
set search_path = public
as $$
declare
  v_id bigint;
  v_status text;
begin
  select case when c.unreachable_at is null then 'pending' else 'paused' end into v_status
  from outbox_chats c where c.platform = p_platform and c.chat_id = p_chat_id;
  insert into outbox_messages as m (
    dedupe_key, platform, chat_id, team_id, thread_id, purpose, payload, status, due_at, expires_at,
    created_at, updated_at
  ) values (
    p_dedupe_key, p_platform, p_chat_id, p_team_id, p_thread_id, p_purpose, p_payload,
    coalesce(v_status, 'pending'), coalesce(p_due_at, p_now), p_expires_at, p_now, p_now
  )
  on conflict (dedupe_key) do nothing
  returning m.id, m.status into v_id, v_status;
  if v_id is not null then
    return query select v_id, true, v_status;
    return;
  end if;
  return query select m.id, false, m.status from outbox_messages m where m.dedupe_key = p_dedupe_key;
end
$$;

-- Claims up to p_limit due messages of p_platform for p_owner until p_now + p_lease_ms. Concurrent claims
-- skip each other's rows (skip locked) instead of waiting, so two senders split the queue. One claim per
-- platform: a digest paced at Telegram's 30/s never holds Slack's or WhatsApp's messages behind it.
create function outbox_claim(
  p_owner text, p_now timestamptz, p_lease_ms integer, p_limit integer, p_platform text
)
returns table (
  id bigint, dedupe_key text, platform text, chat_id text, team_id text, thread_id text, purpose text,
  payload jsonb, attempts integer, created_at timestamptz
)
language sql
set search_path = public
as $$
  with due as (
    select d.id from outbox_messages d
    where d.platform = p_platform and d.status in ('pending', 'sending') and d.due_at <= p_now
    order by d.due_at, d.id
    limit p_limit
    for update skip locked
  )
  update outbox_messages m
  set status = 'sending', lease_owner = p_owner, due_at = p_now + p_lease_ms * interval '1 millisecond',
      attempts = m.attempts + 1, updated_at = p_now
  from due
  where m.id = due.id
  returning m.id, m.dedupe_key, m.platform, m.chat_id, m.team_id, m.thread_id, m.purpose, m.payload,
    m.attempts, m.created_at
$$;

-- Settles a claimed message; only its lease holder can (false otherwise: the lease ran out and another
-- sender took it). p_status: sent | pending (retry at p_due_at; p_attempts_delta -1 gives back a claim that
-- was not an attempt, e.g. a pacing deferral) | held | paused (also marks the chat unreachable and pauses its
-- other waiting messages) | failed. p_payload, when given, replaces the payload (what is still to send).
create function outbox_settle(
  p_id bigint, p_owner text, p_status text, p_now timestamptz, p_due_at timestamptz, p_error text,
  p_payload jsonb, p_message_ids jsonb, p_attempts_delta integer
)
returns boolean
language plpgsql
set search_path = public
as $$
declare
  v_row outbox_messages%rowtype;
begin
  if p_status not in ('sent', 'pending', 'held', 'paused', 'failed') then
    raise exception 'outbox_settle: unknown status %', p_status using errcode = '22023';
  end if;
  select * into v_row from outbox_messages
  where outbox_messages.id = p_id and status = 'sending' and lease_owner = p_owner
  for update;
  if not found then
    return false;
  end if;
  update outbox_messages m set
    status = p_status,
    lease_owner = null,
    due_at = case when p_status = 'pending' then coalesce(p_due_at, p_now) else p_now end,
    attempts = greatest(0, m.attempts + coalesce(p_attempts_delta, 0)),
    last_error = coalesce(p_error, case when p_status = 'sent' then null else m.last_error end),
    payload = case when p_status = 'sent' then null else coalesce(p_payload, m.payload) end,
    message_ids = case
      when p_message_ids is null then m.message_ids
      else coalesce(m.message_ids, '[]'::jsonb) || p_message_ids end,
    sent_at = case when p_status = 'sent' then p_now else m.sent_at end,
    updated_at = p_now
  where m.id = p_id;
  if p_status = 'paused' then
    insert into outbox_chats as c (platform, chat_id, unreachable_at, unreachable_reason)
    values (v_row.platform, v_row.chat_id, p_now, p_error)
    on conflict (platform, chat_id) do update
      set unreachable_at = excluded.unreachable_at, unreachable_reason = excluded.unreachable_reason;
    update outbox_messages m set status = 'paused', updated_at = p_now
    where m.platform = v_row.platform and m.chat_id = v_row.chat_id and m.status = 'pending';
  end if;
  return true;
end
$$;

-- A command arrived from the chat at p_at: the user wrote (the WhatsApp window opens), the bot reaches the
-- chat again, and the chat's held and paused messages become due (expired ones are dropped). Returns how
-- many were released.
create function outbox_contact(p_platform text, p_chat_id text, p_at timestamptz)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_released integer;
begin
  insert into outbox_chats as c (platform, chat_id, last_inbound_at)
  values (p_platform, p_chat_id, p_at)
  on conflict (platform, chat_id) do update
    set last_inbound_at = greatest(c.last_inbound_at, excluded.last_inbound_at),
        unreachable_at = null, unreachable_reason = null;
  with released as (
    update outbox_messages m
    set status = case when m.expires_at is not null and m.expires_at <= p_at then 'expired' else 'pending' end,
        due_at = p_at, updated_at = p_at
    where m.platform = p_platform and m.chat_id = p_chat_id and m.status in ('held', 'paused')
    returning m.status
  )
  select count(*) filter (where released.status = 'pending') into v_released from released;
  return v_released;
end
$$;

-- What the notifiers and the alerts need to know about one chat.
create function outbox_chat_state(p_platform text, p_chat_id text)
returns table (
  last_inbound_at timestamptz, unreachable_at timestamptz, unreachable_reason text, waiting integer,
  held integer, paused integer
)
language sql
stable
set search_path = public
as $$
  select c.last_inbound_at, c.unreachable_at, c.unreachable_reason,
    (select count(*)::integer from outbox_messages m
      where m.platform = p_platform and m.chat_id = p_chat_id and m.status in ('pending', 'sending')),
    (select count(*)::integer from outbox_messages m
      where m.platform = p_platform and m.chat_id = p_chat_id and m.status = 'held'),
    (select count(*)::integer from outbox_messages m
      where m.platform = p_platform and m.chat_id = p_chat_id and m.status = 'paused')
  from (select 1) one
  left join outbox_chats c on c.platform = p_platform and c.chat_id = p_chat_id
$$;

-- One message by dedupe key (status, attempts, last error): for callers that want to know what happened.
create function outbox_message(p_dedupe_key text)
returns table (
  id bigint, status text, attempts integer, last_error text, message_ids jsonb, due_at timestamptz,
  sent_at timestamptz
)
language sql
stable
set search_path = public
as $$
  select m.id, m.status, m.attempts, m.last_error, m.message_ids, m.due_at, m.sent_at
  from outbox_messages m where m.dedupe_key = p_dedupe_key
$$;

create function outbox_counts()
returns table (status text, messages bigint)
language sql
stable
set search_path = public
as $$
  select m.status, count(*) from outbox_messages m group by m.status
$$;

-- Deletes finished messages (sent, failed, expired) last changed before p_before; returns how many.
create function outbox_prune(p_before timestamptz)
returns integer
language sql
set search_path = public
as $$
  with gone as (
    delete from outbox_messages m
    where m.status in ('sent', 'failed', 'expired') and m.updated_at < p_before
    returning 1
  )
  select count(*)::integer from gone
$$;

/* Security, as 0005_security.sql and 0007: RLS without policies, nothing for the API roles. */

alter table outbox_messages enable row level security;
alter table outbox_chats enable row level security;

revoke all on table outbox_messages, outbox_chats from public, anon, authenticated;
grant select, insert, update, delete on table outbox_messages, outbox_chats to service_role;
revoke all on sequence outbox_messages_id_seq from public, anon, authenticated;
grant usage, select on sequence outbox_messages_id_seq to service_role;

revoke execute on function
  outbox_enqueue(text, text, text, text, text, text, jsonb, timestamptz, timestamptz, timestamptz),
  outbox_claim(text, timestamptz, integer, integer, text),
  outbox_settle(bigint, text, text, timestamptz, timestamptz, text, jsonb, jsonb, integer),
  outbox_contact(text, text, timestamptz),
  outbox_chat_state(text, text),
  outbox_message(text),
  outbox_counts(),
  outbox_prune(timestamptz)
from public, anon, authenticated;

grant execute on function
  outbox_enqueue(text, text, text, text, text, text, jsonb, timestamptz, timestamptz, timestamptz),
  outbox_claim(text, timestamptz, integer, integer, text),
  outbox_settle(bigint, text, text, timestamptz, timestamptz, text, jsonb, jsonb, integer),
  outbox_contact(text, text, timestamptz),
  outbox_chat_state(text, text),
  outbox_message(text),
  outbox_counts(),
  outbox_prune(timestamptz)
to service_role;
