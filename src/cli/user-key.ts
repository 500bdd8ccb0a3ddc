import type { IdentityInput, Platform } from "../core/ports/store.ts";

const PLATFORMS: Platform[] = ["cli", "slack", "telegram", "whatsapp"];

/**
 * Reads a user key: `cli:ana`, `telegram:12345`, `whatsapp:5511999999999`, `slack:T01:U02`
 * (team then user), `telegram:-100123:456` (group then user). A bare name means `cli:<name>`.
 */
export function parseUserKey(key: string): IdentityInput {
  const parts = key.split(":");
  if (parts.length === 1) return { platform: "cli", userId: key, teamId: null, displayName: key };
  const [platform, ...rest] = parts;
  if (!PLATFORMS.includes(platform as Platform) || rest.some((p) => p === "")) {
    throw new Error(
      `chave de usuário inválida: "${key}" (use cli:nome, telegram:id, whatsapp:id ou slack:TEAM:USER)`,
    );
  }
  if (rest.length === 1)
    return { platform: platform as Platform, userId: rest[0]!, teamId: null, displayName: null };
  if (rest.length === 2)
    return { platform: platform as Platform, userId: rest[1]!, teamId: rest[0]!, displayName: null };
  throw new Error(`chave de usuário inválida: "${key}"`);
}

/** What `plan show|set` acts on: a person (user key) or a team (`team:slack:T01`, `team:telegram:-100123`). */
export type AccountKey =
  | { kind: "user"; identity: IdentityInput }
  | { kind: "team"; platform: Platform; teamId: string };

/** Reads a user key, or a team key starting with `team:`. */
export function parseAccountKey(key: string): AccountKey {
  const parts = key.split(":");
  if (parts[0] !== "team") return { kind: "user", identity: parseUserKey(key) };
  const [, platform, ...rest] = parts;
  const teamId = rest.join(":");
  if (!PLATFORMS.includes(platform as Platform) || teamId === "") {
    throw new Error(`chave de equipe inválida: "${key}" (use team:slack:TEAM ou team:telegram:GRUPO)`);
  }
  return { kind: "team", platform: platform as Platform, teamId };
}
