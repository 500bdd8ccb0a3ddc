import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../core/ports/logger.ts";
import { sendJson } from "./http.ts";
import { createHttpServer, listen } from "./http-server.ts";

let url: string;
const server = createHttpServer({
  logger: silentLogger(),
  maxBodyBytes: 1024,
  routes: [
    {
      method: "POST",
      path: "/echo",
      async handle({ res, rawBody }) {
        sendJson(res, 200, { bytes: rawBody.length, text: rawBody.toString("utf8") });
      },
    },
    {
      method: "POST",
      path: "/boom",
      async handle() {
        throw new Error("kaboom");
      },
    },
  ],
});

beforeAll(async () => {
  url = await listen(server, 0, "127.0.0.1");
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe("createHttpServer", () => {
  it("hands routes the exact raw bytes", async () => {
    const body = '{"a": "ação",  "b":1}';
    const res = await fetch(`${url}/echo`, { method: "POST", body });
    expect(await res.json()).toEqual({ bytes: Buffer.byteLength(body), text: body });
  });

  it("refuses bodies over the limit with 413", async () => {
    const res = await fetch(`${url}/echo`, { method: "POST", body: "x".repeat(2048) });
    expect(res.status).toBe(413);
  });

  it("turns a throwing route into a 500 and keeps serving", async () => {
    expect((await fetch(`${url}/boom`, { method: "POST", body: "{}" })).status).toBe(500);
    expect((await fetch(`${url}/echo`, { method: "POST", body: "ok" })).status).toBe(200);
  });
});
