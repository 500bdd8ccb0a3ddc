/** A `Notifier` that records every send with its (virtual) time and answers scripted outcomes per chat. */
import type { Reply } from "../../src/core/chat/reply.ts";
import type { Clock } from "../../src/core/ports/clock.ts";
import type { ChatAddress, Notifier, NotifyOptions, NotifyOutcome } from "../../src/core/ports/notifier.ts";

export interface RecordedSend {
  to: ChatAddress;
  replies: Reply[];
  options: NotifyOptions;
  at: number;
  outcome: NotifyOutcome;
}

export class RecordingNotifier implements Notifier {
  readonly sends: RecordedSend[] = [];
  readonly #script = new Map<string, NotifyOutcome[]>();
  #seq = 0;

  constructor(readonly clock: Clock) {}

  /** The next sends to `chatId` answer these outcomes, in order; then ok. */
  script(chatId: string, ...outcomes: NotifyOutcome[]): void {
    this.#script.set(chatId, [...(this.#script.get(chatId) ?? []), ...outcomes]);
  }

  async notify(to: ChatAddress, replies: Reply[], options: NotifyOptions): Promise<NotifyOutcome> {
    const outcome = this.#script.get(to.chatId)?.shift() ?? {
      ok: true,
      messageIds: replies.map(() => `m${++this.#seq}`),
    };
    this.sends.push({ to, replies, options, at: this.clock.now().getTime(), outcome });
    return outcome;
  }

  /** Successful sends whose first reply text is `text`. */
  delivered(): RecordedSend[] {
    return this.sends.filter((s) => s.outcome.ok);
  }
}

/** The first reply's text, to identify a message in assertions. */
export function label(send: { replies: Reply[] }): string {
  const first = send.replies[0];
  return first && "text" in first ? first.text : (first?.kind ?? "");
}
