/**
 * The search job as DATA: what a worker in another process needs to run a search acknowledged by the
 * web process — the command, the parsed query, the entitlement's charge (so a failure can be refunded
 * without charging again) and where to post the results. JSON only (instants as ISO text), checked with
 * zod when read back, so a payload written by an older or broken producer is refused, not half-run.
 */
import { z } from "zod";
import type { IncomingCommand } from "../chat/incoming-command.ts";
import type { ChatAddress } from "../ports/notifier.ts";
import type { ConsumeResult, Plan } from "../ports/store.ts";
import { type ParsedQuery, type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { inclusiveDays } from "../time.ts";

/** The command fields a job keeps (the raw payload stays out: logs only, and it may be large). */
export type JobCommand = Omit<IncomingCommand, "raw" | "receivedAt"> & { receivedAt: string };

/** The allowed entitlement, as far as the job needs it. */
export interface JobEntitlement {
  accountId: string | null;
  plan: Plan | null;
  /** What `consume_search` charged (null when the store was down: fail open). */
  charge: (Omit<ConsumeResult, "resetsAt"> & { resetsAt: string }) | null;
  failedOpen: boolean;
}

export interface SearchJobData {
  v: 1;
  command: JobCommand;
  args: string;
  parsed: ParsedQuery;
  entitlement: JobEntitlement;
  /** Where a worker posts the results (null for the CLI: only the local sink can answer there). */
  replyTo: ChatAddress | null;
  enqueuedAt: string;
}

/** The search job's kind in `JobProcessors`. */
export const SEARCH_JOB = "search";

/**
 * A search's weight: states × days (every state when none is named). At or above this it runs in the
 * large lane: a national 7-day search (27 × 7 = 189) or 4 states over a month (120) is large; SC + PR over
 * a week (14) or one state over a quarter (90) is small.
 */
export const LARGE_SEARCH_WEIGHT = 100;

export function searchWeight(query: SearchQuery): number {
  const states = query.ufs.length === 0 ? 27 : query.ufs.length;
  return states * Math.max(1, inclusiveDays(query.from, query.to));
}

export function searchLane(query: SearchQuery): "small" | "large" {
  return searchWeight(query) >= LARGE_SEARCH_WEIGHT ? "large" : "small";
}

/** The chat address of a command (null for the CLI, which has no chat to post to). */
export function replyAddress(cmd: IncomingCommand): ChatAddress | null {
  if (cmd.platform === "cli") return null;
  return {
    platform: cmd.platform,
    chatId: cmd.chatId,
    teamId: cmd.teamId,
    ...(cmd.threadId ? { threadId: cmd.threadId } : {}),
  };
}

export function encodeSearchJob(
  cmd: IncomingCommand,
  args: string,
  parsed: ParsedQuery,
  entitlement: {
    accountId: string | null;
    plan: Plan | null;
    charge: ConsumeResult | null;
    failedOpen: boolean;
  },
  now: Date,
): SearchJobData {
  const { raw: _raw, receivedAt, ...command } = cmd;
  const charge = entitlement.charge;
  return {
    v: 1,
    command: { ...command, receivedAt: receivedAt.toISOString() },
    args,
    parsed: {
      query: parsed.query,
      recognized: [...(parsed.recognized ?? [])],
      unrecognized: [...parsed.unrecognized],
      notes: [...parsed.notes],
    },
    entitlement: {
      accountId: entitlement.accountId,
      plan: entitlement.plan,
      charge: charge ? { ...charge, resetsAt: charge.resetsAt.toISOString() } : null,
      failedOpen: entitlement.failedOpen,
    },
    replyTo: replyAddress(cmd),
    enqueuedAt: now.toISOString(),
  };
}

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "ISO instant");
const planSchema = z.object({
  id: z.enum(["free_trial", "consultor_agil", "maquina", "sala_guerra"]),
  name: z.string(),
  priceCents: z.number().nullable(),
  searchesPerMonth: z.number(),
  historyDays: z.number(),
  excel: z.boolean(),
  perMinute: z.number(),
  team: z.boolean(),
  trialDays: z.number().nullable(),
  rank: z.number(),
});
const addressSchema = z.object({
  platform: z.enum(["slack", "telegram", "whatsapp"]),
  chatId: z.string(),
  teamId: z.string().nullable().optional(),
  threadId: z.string().optional(),
});
const dataSchema = z.object({
  v: z.literal(1),
  command: z.object({
    platform: z.enum(["slack", "telegram", "whatsapp", "cli"]),
    userKey: z.string(),
    userId: z.string(),
    teamId: z.string().nullable(),
    displayName: z.string().nullable(),
    chatId: z.string(),
    threadId: z.string().optional(),
    isPrivate: z.boolean(),
    text: z.string(),
    messageId: z.string(),
    receivedAt: iso,
  }),
  args: z.string(),
  parsed: z.object({
    query: searchQuerySchema,
    recognized: z.array(z.string()),
    unrecognized: z.array(z.string()),
    notes: z.array(z.string()),
  }),
  entitlement: z.object({
    accountId: z.string().nullable(),
    plan: planSchema.nullable(),
    charge: z
      .object({
        allowed: z.boolean(),
        reason: z.enum(["trial_expired", "quota_exhausted", "history_exceeded", "plan_inactive"]).nullable(),
        planId: planSchema.shape.id,
        used: z.number(),
        quota: z.number(),
        remaining: z.number(),
        resetsAt: iso,
        chargedAccountId: z.string(),
        monthKey: z.string(),
      })
      .nullable(),
    failedOpen: z.boolean(),
  }),
  replyTo: addressSchema.nullable(),
  enqueuedAt: iso,
});

/** The job read back, instants as Dates again. */
export interface DecodedSearchJob {
  command: IncomingCommand;
  args: string;
  parsed: ParsedQuery;
  entitlement: {
    accountId: string | null;
    plan: Plan | null;
    charge: ConsumeResult | null;
    failedOpen: boolean;
  };
  replyTo: ChatAddress | null;
  enqueuedAt: Date;
}

/** Reads a payload back; throws (a programming or version error, not retryable) when it is not one. */
export function decodeSearchJob(data: unknown): DecodedSearchJob {
  const d = dataSchema.parse(data);
  const charge = d.entitlement.charge;
  return {
    command: { ...d.command, receivedAt: new Date(d.command.receivedAt) },
    args: d.args,
    parsed: d.parsed as ParsedQuery,
    entitlement: {
      accountId: d.entitlement.accountId,
      plan: d.entitlement.plan,
      charge: charge ? { ...charge, resetsAt: new Date(charge.resetsAt) } : null,
      failedOpen: d.entitlement.failedOpen,
    },
    replyTo: d.replyTo,
    enqueuedAt: new Date(d.enqueuedAt),
  };
}
