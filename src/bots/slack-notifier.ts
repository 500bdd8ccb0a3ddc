/**
 * The Slack `Notifier`: posts to a known channel outside a reply (billing confirmations, alerts, digests)
 * with `chat.postMessage`, and uploads files with `files.uploadV2` (getUploadURLExternal → bytes →
 * completeUploadExternal). The token is the workspace's installation (OAuth, from our Store) or the single
 * bot token. Slack's refusals become the stable `NotifyFailure` codes; the WebClient never retries by
 * itself here (`retries: 0`, `rejectRateLimitedCalls`), because the paced outbox owns retries and backoff.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 */
import { webApi } from "@slack/bolt";
import type { Reply } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress, Notifier, NotifyFailure, NotifyOutcome } from "../core/ports/notifier.ts";
import type { Store } from "../core/ports/store.ts";
import { slackApiUrl } from "./slack.ts";
import { installationKey } from "./slack-installation-store.ts";
import { renderReply } from "./slack-render.ts";
import { slackErrorCode } from "./slack-sink.ts";

export interface SlackNotifierOptions {
  /** `SLACK_API_URL` (a loopback fake in tests); default Slack's. */
  apiUrl?: string;
  /** Single-workspace token (`SLACK_BOT_TOKEN`): used when no installation is found for the team. */
  botToken?: string;
  /** Where OAuth installations live (multi-workspace); looked up by the address's `teamId`. */
  store?: Pick<Store, "getInstallation">;
  logger: Logger;
  /** Per request (default 20 s). */
  timeoutMs?: number;
}

/** The bot can no longer post there: removed, archived, uninstalled, or the token was revoked. */
const UNREACHABLE = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "token_revoked",
  "token_expired",
  "team_access_not_granted",
  "team_not_found",
  "ekm_access_denied",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_thread_only_channel",
  "restricted_action_non_threadable_channel",
  "cannot_reply_to_message",
  "user_not_found",
  "cannot_dm_bot",
  "missing_scope",
]);
/**
 * The token itself was refused. With a workspace's installation token this means the app was uninstalled
 * there (unreachable); with the single `SLACK_BOT_TOKEN` it is our misconfiguration, so every chat would be
 * paused for nothing: that case is transient (retried with backoff) and logged as an error.
 */
const AUTH = new Set(["invalid_auth", "not_authed", "account_inactive"]);
/** Slack said it is (briefly) unable: retry later. */
const TRANSIENT = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

/** Maps a WebClient failure to an outcome (never throws). */
export function slackFailure(
  error: unknown,
  tokenIsInstallation = true,
): Extract<NotifyOutcome, { ok: false }> {
  const code = (error as { code?: string } | null)?.code;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (error as { retryAfter?: number }).retryAfter;
    return {
      ok: false,
      reason: "rate_limited",
      retryAfterMs: typeof seconds === "number" && seconds >= 0 ? seconds * 1000 : 1000,
      detail: "ratelimited",
    };
  }
  if (code === webApi.ErrorCode.RequestError) return { ok: false, reason: "transient", detail: "network" };
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    const reason: NotifyFailure = status >= 500 || status === 408 ? "transient" : "rejected";
    return { ok: false, reason, detail: `http_${status}` };
  }
  const platform = slackErrorCode(error);
  if (platform !== undefined) {
    if (platform === "ratelimited")
      return { ok: false, reason: "rate_limited", retryAfterMs: 1000, detail: platform };
    if (AUTH.has(platform))
      return { ok: false, reason: tokenIsInstallation ? "chat_unreachable" : "transient", detail: platform };
    if (UNREACHABLE.has(platform)) return { ok: false, reason: "chat_unreachable", detail: platform };
    if (TRANSIENT.has(platform)) return { ok: false, reason: "transient", detail: platform };
    return { ok: false, reason: "rejected", detail: platform };
  }
  // Anything else (a timeout surfaces as a request error; an unexpected throw) may succeed later.
  return { ok: false, reason: "transient", detail: error instanceof Error ? error.name : "unknown" };
}

/** Builds the Slack notifier; clients are cached per token (one per installed workspace). */
export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const clients = new Map<string, webApi.WebClient>();
  const logger = options.logger.child({ platform: "slack", component: "notifier" });

  function clientFor(token: string): webApi.WebClient {
    let client = clients.get(token);
    if (!client) {
      client = new webApi.WebClient(token, {
        slackApiUrl: slackApiUrl(options.apiUrl),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs ?? 20_000,
        logLevel: webApi.LogLevel.ERROR,
      });
      if (clients.size >= 1000) clients.delete(clients.keys().next().value as string);
      clients.set(token, client);
    }
    return client;
  }

  /** The workspace's bot token: its installation (team, then org-wide), else the single token. */
  async function tokenFor(
    teamId: string | null | undefined,
  ): Promise<{ token: string; installation: boolean } | undefined> {
    if (options.store && teamId) {
      const keys = [
        installationKey({ teamId }),
        installationKey({ isEnterpriseInstall: true, enterpriseId: teamId }),
      ];
      for (const key of keys) {
        const found = (await options.store.getInstallation(key)) as { bot?: { token?: string } } | null;
        if (found?.bot?.token) return { token: found.bot.token, installation: true };
      }
    }
    return options.botToken ? { token: options.botToken, installation: false } : undefined;
  }

  return {
    async notify(to: ChatAddress, replies: Reply[], notifyOptions): Promise<NotifyOutcome> {
      let token: { token: string; installation: boolean } | undefined;
      try {
        token = await tokenFor(to.teamId);
      } catch (error) {
        logger.warn({ err: error, teamId: to.teamId }, "slack_notify_installation_unreadable");
        return { ok: false, reason: "transient", detail: "installation_lookup_failed" };
      }
      if (!token) return { ok: false, reason: "chat_unreachable", detail: "no_installation" };
      const client = clientFor(token.token);
      const thread = to.threadId ? { thread_ts: to.threadId } : {};
      const messageIds: string[] = [];
      for (let i = 0; i < replies.length; i++) {
        const reply = replies[i]!;
        try {
          if (reply.kind === "progress") continue;
          if (reply.kind === "file") {
            const common = {
              file: reply.data,
              filename: reply.filename,
              title: reply.filename,
              initial_comment: reply.caption,
            };
            const uploaded = to.threadId
              ? await client.filesUploadV2({ ...common, channel_id: to.chatId, thread_ts: to.threadId })
              : await client.filesUploadV2({ ...common, channel_id: to.chatId });
            const files = (uploaded as { files?: { files?: { id?: string }[] }[] }).files ?? [];
            messageIds.push(files.flatMap((f) => f.files ?? []).map((f) => f.id ?? "")[0] ?? "");
            continue;
          }
          const result = await client.chat.postMessage({
            channel: to.chatId,
            ...renderReply(reply),
            ...thread,
            unfurl_links: false,
            unfurl_media: false,
          });
          messageIds.push(result.ts ?? "");
        } catch (error) {
          const failure = slackFailure(error, token.installation);
          const level = failure.reason === "transient" && AUTH.has(failure.detail ?? "") ? "error" : "info";
          logger[level](
            {
              channel: to.chatId,
              purpose: notifyOptions.purpose,
              reason: failure.reason,
              detail: failure.detail,
            },
            "slack_notify_failed",
          );
          return messageIds.length === 0 ? failure : { ...failure, pending: replies.slice(i), messageIds };
        }
      }
      return { ok: true, messageIds };
    },
  };
}
