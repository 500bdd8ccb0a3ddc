import type { ServerResponse } from "node:http";
import { htmlCsp } from "./security-headers.ts";

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(data),
  });
  res.end(data);
}

/** Writes a text response; an HTML page gets a CSP that allows exactly its own `<style>` blocks. */
export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain",
): void {
  res.writeHead(status, {
    "content-type": `${contentType}; charset=utf-8`,
    "content-length": Buffer.byteLength(body),
    ...(contentType === "text/html" ? { "content-security-policy": htmlCsp(body) } : {}),
  });
  res.end(body);
}

/** Minimal HTML escaping for pages we render. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
