import { z } from "zod";

/**
 * The gate between a verified Slack body and Bolt. Bolt reads `body.actions[0]`, `body.event.type`,
 * `body.channel_id`… without checking, and our translators read them too, so a signed but malformed body
 * (a slash command without `channel_id`, a `block_actions` without actions, an `event` that is a number)
 * would throw a TypeError and become a 500 that Slack retries. Only the three shapes we handle pass, with
 * the fields we read checked; anything else is acknowledged and dropped with a log.
 */

const id = z.string().min(1);

/**
 * A team/enterprise id. Bolt keeps its per-team clients in a plain object keyed by this id, so a signed
 * body whose id is `constructor` or `__proto__` reached `Object.prototype` and crashed Bolt (a 500): such
 * ids are refused here.
 */
const teamKey = z.string().refine((value) => !(value in Object.prototype), "reserved id");

/** A slash command (form-encoded). */
export const slashCommandSchema = z.object({
  command: z.string().startsWith("/"),
  text: z.string().optional(),
  user_id: id,
  user_name: z.string().optional(),
  team_id: id.pipe(teamKey),
  enterprise_id: teamKey.optional(),
  channel_id: id,
  channel_name: z.string().optional(),
  trigger_id: id.optional(),
  response_url: z.string().optional(),
});

const actionSchema = z.object({
  type: z.string(),
  action_id: z.string(),
  value: z.string().optional(),
  action_ts: id.optional(),
});

/** A `block_actions` interaction (a button tap), JSON inside the form field `payload`. */
export const blockActionsSchema = z.object({
  type: z.literal("block_actions"),
  actions: z.array(actionSchema).min(1),
  user: z.object({ id, team_id: teamKey.optional() }),
  // Bolt reads `body.team.id` / `body.channel.id` whenever the key is present: null would throw there.
  team: z.object({ id: id.pipe(teamKey), enterprise_id: teamKey.nullish() }).optional(),
  enterprise: z.object({ id: teamKey }).nullish(),
  channel: z.object({ id }).optional(),
  container: z
    .object({
      channel_id: z.string().optional(),
      thread_ts: z.string().optional(),
      message_ts: z.string().optional(),
    })
    .optional(),
  trigger_id: id.optional(),
  response_url: z.string().optional(),
});

export type BlockActionsPayload = z.infer<typeof blockActionsSchema>;

const messageEventSchema = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  text: z.string().optional(),
  channel: id,
  channel_type: z.string().optional(),
  ts: id,
  thread_ts: z.string().optional(),
});

/** An Events API callback; message-like events are checked in full, others only for their type. */
export const eventCallbackSchema = z.object({
  type: z.literal("event_callback"),
  event_id: id.optional(),
  team_id: teamKey.optional(),
  enterprise_id: teamKey.optional(),
  authorizations: z
    .array(
      z.object({
        team_id: teamKey.nullish(),
        enterprise_id: teamKey.nullish(),
        user_id: z.string().optional(),
      }),
    )
    .optional(),
  event: z.object({ type: z.string() }).passthrough(),
});

/** Why a verified body is not handed to Bolt; null when it may be. */
export function malformedSlackBody(body: Record<string, unknown>): string | null {
  const schema =
    body.command !== undefined
      ? slashCommandSchema
      : body.type === "block_actions"
        ? blockActionsSchema
        : body.type === "event_callback"
          ? eventCallbackSchema
          : null;
  if (schema === null)
    return `unhandled type ${typeof body.type === "string" ? body.type.slice(0, 40) : typeof body.type}`;
  const parsed = schema.safeParse(body);
  if (!parsed.success) return describe(parsed.error);
  if (schema === eventCallbackSchema) {
    const event = (body.event ?? {}) as { type?: unknown };
    if (event.type === "message" || event.type === "app_mention") {
      const checked = messageEventSchema.safeParse(event);
      if (!checked.success) return describe(checked.error, "event");
    }
  }
  return null;
}

function describe(error: z.ZodError, prefix = ""): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  return `${path || "body"}: ${issue?.code ?? "invalid"}`;
}
