import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/main.ts";

describe("logger", () => {
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
