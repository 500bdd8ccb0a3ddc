import type { types, webApi } from "@slack/bolt";
import type { Reply, ReplySink } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { CommandRefs } from "./command-refs.ts";
import { plainMessage, renderReply as renderSlackReply, type SlackMessage } from "./slack-render.ts";

/** Bolt's `respond()` (POST to the slash command's `response_url`), narrowed to what we send. */
export type RespondFn = (message: {
  text: string;
  blocks?: types.KnownBlock[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
}) => Promise<unknown>;

export interface SlackSinkOptions {
  /** Bolt's per-workspace client (carries that workspace's bot token). */
  client: webApi.WebClient;
  channel: string;
  userId: string;
  threadTs?: string;
  /** Present for slash commands: answers only the user sees, even where the bot is not a member. */
  respond?: RespondFn;
  logger: Logger;
  /** Where command buttons longer than a button value keep their command (the adapter's map). */
  commandRefs?: CommandRefs;
}

/** Shown when Slack refuses because the bot is not in the conversation (instead of failing silently). */
/** When only the upload was refused (public channel via chat:write.public): the results are already there. */
export const FILE_INVITE_HINT =
  "📎 Não estou neste canal, então enviei a planilha por mensagem direta. " +
  "Para recebê-la aqui da próxima vez, digite no canal: /invite @Smart PNCP";

export const INVITE_HINT =
  "⚠️ Não estou neste canal, então não consigo publicar aqui (nem enviar a planilha). " +
  "Para me adicionar, digite no canal: /invite @Smart PNCP\n" +
  "Enquanto isso, envio as respostas só para você.";

const MEMBERSHIP_ERRORS = new Set(["not_in_channel", "channel_not_found", "is_archived"]);

/** Slack's error code from a Web API failure (`WebAPIPlatformError.data.error`). */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

function isMembershipError(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && MEMBERSHIP_ERRORS.has(code);
}

/**
 * The ReplySink for one Slack conversation:
 * - `searching` → `chat.postMessage` (its `ts` is kept), `progress` → `chat.update` of that message,
 *   `results` / `error` → `chat.update` of it (or a new message when there is none);
 * - slash commands answer `text` / `upgrade` / pre-search errors ephemerally through `response_url`;
 * - `file` → `filesUploadV2` into the channel/thread;
 * - `not_in_channel` / `channel_not_found` → one invite hint, then replies only the user sees
 *   (ephemeral, else DM) and the file by DM.
 * @see https://docs.slack.dev/reference/methods/files.completeUploadExternal
 */
export function createSlackSink(options: SlackSinkOptions): ReplySink {
  const { client, channel, userId, threadTs, respond, logger } = options;
  const renderReply = (reply: Parameters<typeof renderSlackReply>[0]) =>
    renderSlackReply(reply, options.commandRefs);
  let messageTs: string | undefined;
  let channelBlocked = false;
  let hinted = false;
  let finished = false;
  let messageWasPosted = false;

  async function privately(message: SlackMessage): Promise<void> {
    if (respond) {
      try {
        await respond({ ...message, response_type: "ephemeral", replace_original: false });
        return;
      } catch (error) {
        logger.warn({ err: error }, "slack_respond_failed");
      }
    }
    try {
      await client.chat.postEphemeral({
        channel,
        user: userId,
        ...message,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      return;
    } catch (error) {
      logger.warn({ err: error, code: slackErrorCode(error) }, "slack_ephemeral_failed");
    }
    // Posting to a user id lands in the app's DM with that user.
    await client.chat.postMessage({ channel: userId, ...message });
  }

  async function hintOnce(text = INVITE_HINT): Promise<void> {
    if (hinted) return;
    hinted = true;
    logger.info({ channel }, "slack_not_in_channel");
    await privately(plainMessage(text));
  }

  async function post(message: SlackMessage): Promise<string | undefined> {
    if (!channelBlocked) {
      try {
        const result = await client.chat.postMessage({
          channel,
          ...message,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        messageWasPosted = true;
        return result.ts;
      } catch (error) {
        if (!isMembershipError(error)) throw error;
        channelBlocked = true;
        await hintOnce();
      }
    }
    await privately(message);
    return undefined;
  }

  /** Edits the "Buscando…" message when there is one; otherwise posts. */
  async function replaceOrPost(message: SlackMessage): Promise<void> {
    if (messageTs && !channelBlocked) {
      try {
        await client.chat.update({ channel, ts: messageTs, ...message });
        return;
      } catch (error) {
        logger.warn({ err: error, code: slackErrorCode(error) }, "slack_update_failed");
      }
    }
    await post(message);
  }

  async function uploadTo(
    channelId: string,
    file: Extract<Reply, { kind: "file" }>,
    thread?: string,
  ): Promise<void> {
    const common = {
      file: file.data,
      filename: file.filename,
      title: file.filename,
      initial_comment: file.caption,
    };
    if (thread) await client.filesUploadV2({ ...common, channel_id: channelId, thread_ts: thread });
    else await client.filesUploadV2({ ...common, channel_id: channelId });
  }

  async function upload(file: Extract<Reply, { kind: "file" }>): Promise<void> {
    if (!channelBlocked) {
      try {
        await uploadTo(channel, file, threadTs);
        return;
      } catch (error) {
        if (!isMembershipError(error)) throw error;
        channelBlocked = true;
        // Messages went out (chat:write.public) when nothing was blocked before: only the file needs the DM.
        await hintOnce(messageWasPosted ? FILE_INVITE_HINT : INVITE_HINT);
      }
    }
    const dm = await client.conversations.open({ users: userId });
    const dmId = dm.channel?.id;
    if (!dmId) throw new Error("conversations.open returned no channel");
    await uploadTo(dmId, file);
  }

  async function handle(reply: Reply): Promise<void> {
    switch (reply.kind) {
      case "file":
        return upload(reply);
      case "searching":
        messageTs = await post(renderReply(reply));
        return;
      case "progress":
        if (finished) return;
        if (messageTs && !channelBlocked) {
          await client.chat.update({ channel, ts: messageTs, ...renderReply(reply) });
        }
        return;
      case "results":
        finished = true;
        await replaceOrPost(renderReply(reply));
        // The message now holds the results: a later error (e.g. the upload failed) must not erase it.
        messageTs = undefined;
        return;
      case "error":
        finished = true;
        // A failed search replaces its "Buscando…" message.
        if (messageTs) return replaceOrPost(renderReply(reply));
        if (respond) return privately(renderReply(reply));
        await post(renderReply(reply));
        return;
      case "text":
      case "upgrade":
        // A slash command's answer is for the user alone (plan, help, limits), like Slack's own commands.
        if (respond) return privately(renderReply(reply));
        await post(renderReply(reply));
        return;
    }
  }

  // One send at a time, in order: a slow or retried progress edit can never land after the results.
  let chain: Promise<void> = Promise.resolve();
  return {
    send(reply) {
      const next = chain.then(() => handle(reply));
      chain = next.catch(() => {});
      return next;
    },
  };
}
