import { request } from "node:http";
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

  it("answers a chunked body over the limit with 413, not a connection reset", async () => {
    const { status, body, error } = await postChunked(`${url}/echo`, 64 * 1024, 32);
    expect(error).toBeUndefined();
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({ error: "payload_too_large" });
    // The connection was drained, not broken: the server keeps answering.
    expect((await fetch(`${url}/echo`, { method: "POST", body: "ok" })).status).toBe(200);
  });

  it("still reads a chunked body under the limit", async () => {
    const { status, body } = await postChunked(`${url}/echo`, 100, 5);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ bytes: 500 });
  });

  it("turns a throwing route into a 500 and keeps serving", async () => {
    expect((await fetch(`${url}/boom`, { method: "POST", body: "{}" })).status).toBe(500);
    expect((await fetch(`${url}/echo`, { method: "POST", body: "ok" })).status).toBe(200);
  });
});

/** POSTs `count` chunks of `size` bytes with `Transfer-Encoding: chunked`, honouring backpressure. */
function postChunked(
  target: string,
  size: number,
  count: number,
): Promise<{ status: number | undefined; body: string; error: Error | undefined }> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let body = "";
    let error: Error | undefined;
    let responded = false;
    const done = () => resolve({ status, body, error });
    const req = request(target, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
      status = res.statusCode;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        responded = true;
        done();
      });
    });
    req.on("error", (e) => {
      error = e;
      if (!responded) done();
    });
    const chunk = Buffer.alloc(size, 0x61);
    let sent = 0;
    const write = () => {
      while (sent < count) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}
