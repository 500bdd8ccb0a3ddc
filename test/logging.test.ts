import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/main.ts";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("info", sink), text: () => lines.join("") };
}

describe("logger", () => {
  it("scrubs tokens from errors, their messages, stacks and nested causes", () => {
    const { logger, text } = capture();
    // The shape of grammY's HttpError: a wrapper whose `.error` is node-fetch's FetchError with the URL.
    const inner = new Error(
      "request to https://api.telegram.org/bot123456:AAEhBP0av28Kq5xyzSECRET/sendMessage failed",
    );
    const wrapper = Object.assign(new Error("Network request for 'sendMessage' failed!"), { error: inner });
    logger.error({ err: wrapper }, "reply_failed");
    logger.error(
      {
        err: new Error("connect to postgres://svc:pa55word@db.example:5432/x failed", {
          cause: new Error("Bearer xoxb-1234-abcdef-SECRET"),
        }),
      },
      "store_failed",
    );
    const out = text();
    expect(out).not.toContain("AAEhBP0av28Kq5xyzSECRET");
    expect(out).not.toContain("pa55word");
    expect(out).not.toContain("xoxb-1234");
    expect(out).toContain("bot[redacted]/sendMessage");
    expect(out).toContain("reply_failed");
  });

  it("redacts secrets wherever they appear", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("info", sink);
    logger.info(
      {
        token: "xoxb-secret-1",
        headers: { authorization: "Bearer secret-2", cookie: "sid=secret-3" },
        slack: { signingSecret: "secret-4", botToken: "secret-5", clientSecret: "secret-6" },
        store: { serviceRoleKey: "secret-7", databaseUrl: "postgres://u:secret-8@h/db" },
        openai: { apiKey: "sk-secret-9" },
        request: { headers: { authorization: "Bearer secret-10" } },
        userKey: "telegram:42",
      },
      "event",
    );
    const out = lines.join("");
    for (let i = 1; i <= 10; i++) expect(out).not.toContain(`secret-${i}`);
    expect(out).toContain("[redacted]");
    expect(out).toContain("telegram:42");
  });
});
