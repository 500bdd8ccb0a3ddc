import type { Reply, ReplySink } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { CommandRefs } from "./command-refs.ts";
import type { WhatsAppClient } from "./whatsapp-client.ts";
import type { Pacer } from "./whatsapp-pacer.ts";
import { type Outgoing, renderReply, renderResultsText, renderResultsWithFile } from "./whatsapp-render.ts";

type ResultsReply = Extract<Reply, { kind: "results" }>;
type FileReply = Extract<Reply, { kind: "file" }>;

export interface WhatsAppSinkOptions {
  /** A progress message goes out only once the search has run this long (default 15 s); at most one. */
  progressAfterMs?: number;
  /**
   * Upper bound on how long results flagged `fileFollows` wait for the file (default 5 s). The core sends the
   * file once the workbook is built (for an index answer, after the full set is read); the wait runs out
   * when no file follows in time. Any other reply ends it at once (the results go out first).
   */
  mergeWindowMs?: number;
  now?: () => number;
}

export interface WhatsAppSinkDeps {
  client: WhatsAppClient;
  /** Shared by every sink of the adapter: pacing is per recipient, not per command. */
  pacer: Pacer;
  logger: Logger;
  /** Deliveries in flight across sinks, so the adapter can wait for them on shutdown. */
  inflight?: Set<Promise<void>>;
  /** Where command buttons longer than a reply id keep their command (the adapter's map). */
  commandRefs?: CommandRefs;
}

const UPLOAD_FAILED = "⚠️ Não consegui enviar a planilha agora. Tente a busca de novo em instantes.";

interface PendingResults {
  results: ResultsReply;
  file: FileReply | null;
  fileArrived: () => void;
  delivered: Promise<void>;
}

/**
 * The ReplySink for one WhatsApp conversation. WhatsApp cannot edit messages and limits messages per user,
 * so: `searching` is one message; `progress` at most one, only on long searches; `results` and `file` merge
 * into one document whose caption is the summary when it fits; `upgrade` is a CTA URL button. Never throws:
 * send failures are logged (the adapter's error boundary).
 */
export class WhatsAppSink implements ReplySink {
  readonly #to: string;
  readonly #deps: WhatsAppSinkDeps;
  readonly #progressAfterMs: number;
  readonly #mergeWindowMs: number;
  readonly #now: () => number;
  #startedAt: number;
  #progressSent = false;
  #finished = false;
  #pending: PendingResults | null = null;
  readonly #inflight = new Set<Promise<void>>();

  constructor(to: string, deps: WhatsAppSinkDeps, options: WhatsAppSinkOptions = {}) {
    this.#to = to;
    this.#deps = deps;
    this.#progressAfterMs = options.progressAfterMs ?? 15_000;
    this.#mergeWindowMs = options.mergeWindowMs ?? 5000;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  async send(reply: Reply): Promise<void> {
    // Results held for their file go out before any other reply: a text after them never overtakes them.
    if (reply.kind !== "file") await this.#releaseHeld();
    switch (reply.kind) {
      case "searching":
        this.#startedAt = this.#now();
        return this.#deliver(renderReply(reply, this.#deps.commandRefs));
      case "progress":
        if (this.#progressSent || this.#finished || this.#now() - this.#startedAt < this.#progressAfterMs)
          return;
        this.#progressSent = true;
        // Still queued when the results arrive (pacing)? Then it is stale and dropped.
        return this.#deliver(renderReply(reply, this.#deps.commandRefs), () => !this.#finished);
      case "results":
        this.#finished = true;
        // Merge with the Excel file only when the core says one follows; otherwise send at once.
        if (reply.fileFollows) this.#holdResults(reply);
        else return this.#deliver(renderReply(reply, this.#deps.commandRefs));
        return;
      case "file": {
        const pending = this.#pending;
        if (pending && !pending.file) {
          pending.file = reply;
          pending.fileArrived();
          return pending.delivered;
        }
        return this.#deliverFile(reply, null);
      }
      default:
        this.#finished = this.#finished || reply.kind === "error";
        return this.#deliver(renderReply(reply, this.#deps.commandRefs));
    }
  }

  /** Resolves once every message this sink queued has been sent or given up on. */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  #track(delivery: Promise<void>): Promise<void> {
    const shared = this.#deps.inflight;
    this.#inflight.add(delivery);
    shared?.add(delivery);
    void delivery.finally(() => {
      this.#inflight.delete(delivery);
      shared?.delete(delivery);
    });
    return delivery;
  }

  /** Results resolve at once (the core then sends the file); delivery waits for that file, bounded. */
  #holdResults(results: ResultsReply): void {
    let fileArrived = () => {};
    const arrived = new Promise<void>((resolve) => {
      fileArrived = resolve;
    });
    const pending: PendingResults = { results, file: null, fileArrived, delivered: Promise.resolve() };
    this.#pending = pending;
    pending.delivered = this.#track(
      (async () => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([arrived, new Promise<void>((r) => (timer = setTimeout(r, this.#mergeWindowMs)))]);
        clearTimeout(timer);
        if (this.#pending === pending) this.#pending = null;
        if (pending.file) await this.#deliverFile(pending.file, results);
        else await this.#deliver(renderReply(results, this.#deps.commandRefs));
      })(),
    );
  }

  /**
   * Ends the wait of held results (the file is not coming: FILE_DELIVERY_FAILED, an error) and resolves
   * once they were delivered — with the file, if it arrived first.
   */
  async #releaseHeld(): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    pending.fileArrived();
    await pending.delivered;
  }

  /** Uploads first (outside the pacing queue: an upload is not a message), then sends the document. */
  async #deliverFile(file: FileReply, results: ResultsReply | null): Promise<void> {
    let mediaId: string;
    try {
      mediaId = await this.#deps.client.uploadMedia({
        data: file.data,
        mimeType: file.mimeType,
        filename: file.filename,
      });
    } catch (error) {
      this.#deps.logger.error(
        { err: error, filename: file.filename, bytes: file.data.length },
        "whatsapp_upload_failed",
      );
      const text = results ? `${renderResultsText(results)}\n\n${UPLOAD_FAILED}` : UPLOAD_FAILED;
      return this.#deliver(
        renderReply({ kind: "text", text, buttons: results?.buttons }, this.#deps.commandRefs),
      );
    }
    const plan = results ? renderResultsWithFile(results, file, this.#deps.commandRefs) : renderReply(file);
    return this.#deliver(plan, undefined, mediaId);
  }

  #deliver(messages: Outgoing[], stillWanted?: () => boolean, mediaId?: string): Promise<void> {
    return this.#track(this.#sendAll(messages, stillWanted, mediaId));
  }

  async #sendAll(messages: Outgoing[], stillWanted?: () => boolean, mediaId?: string): Promise<void> {
    for (const message of messages) {
      await this.#deps.pacer
        .run(this.#to, async () => {
          if (stillWanted && !stillWanted()) return false;
          await this.#sendOne(message, mediaId);
          return true;
        })
        .catch((error: unknown) => {
          const e = error as { status?: number | null; graphCode?: number | null };
          this.#deps.logger.error(
            { err: error, type: message.type, status: e.status, graphCode: e.graphCode },
            "whatsapp_send_failed",
          );
        });
    }
  }

  async #sendOne(message: Outgoing, mediaId: string | undefined): Promise<void> {
    const { client } = this.#deps;
    switch (message.type) {
      case "text":
        await client.sendText(this.#to, message.body);
        return;
      case "cta":
        await client.sendCtaUrl(this.#to, {
          body: message.body,
          displayText: message.displayText,
          url: message.url,
        });
        return;
      case "buttons":
        await client.sendReplyButtons(this.#to, { body: message.body, buttons: message.buttons });
        return;
      case "document":
        if (!mediaId) throw new Error("document without an uploaded media id");
        await client.sendDocument(this.#to, {
          mediaId,
          filename: message.file.filename,
          caption: message.caption,
        });
        return;
    }
  }
}
