/**
 * Security headers on every response the server writes (JSON, pages, errors, webhooks, /metrics): set on
 * the response before any route runs, so whatever writes it — our helpers, Bolt's receiver, the 404 and
 * 500 paths — keeps them (`writeHead` merges headers set earlier). The CSP is deny-by-default: no scripts,
 * no frames (`frame-ancestors 'none'`), no base or plugin URLs; an HTML page's own `<style>` blocks are
 * allowed by their SHA-256 (`htmlSecurityHeaders`), never by `'unsafe-inline'`. HSTS only when the public
 * URL is https (sent over plain http it would be ignored, and on a local http setup it would be wrong).
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";

/** Options: `hsts` when PUBLIC_BASE_URL is https. */
export interface SecurityHeaderOptions {
  hsts: boolean;
}

/** Where our pages may send forms (the billing pages hand over to Stripe Checkout / the portal). */
const FORM_ACTIONS = "'self' https://checkout.stripe.com https://billing.stripe.com";

/** The CSP for a response with no inline content (JSON, text, redirects). */
export const BASE_CSP = `default-src 'none'; base-uri 'none'; form-action ${FORM_ACTIONS}; frame-ancestors 'none'`;

/** The headers every response carries. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": BASE_CSP,
    "x-content-type-options": "nosniff",
    // Upgrade and billing links carry signed tokens in the query: never leak them in a Referer.
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cache-control": "no-store",
  };
  if (options.hsts) headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  return headers;
}

/** Sets `headers` on a response that has not started. */
export function applySecurityHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/** The CSP for an HTML page: the base policy plus the hash of each of its `<style>` blocks. */
export function htmlCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "", "utf8")
        .digest("base64")}'`,
  );
  const styles = hashes.length > 0 ? `; style-src ${hashes.join(" ")}` : "";
  return `${BASE_CSP}; img-src 'self' data:${styles}`;
}
