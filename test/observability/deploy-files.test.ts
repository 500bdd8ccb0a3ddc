import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseYamlSubset } from "./yaml-subset.ts";

/**
 * Dockerfile and docker-compose.yml, checked without a Docker daemon: the compose file parses and wires
 * web, worker, Postgres and Redis the way docs/deploy.md says; the image is multi-stage on a supported
 * Node LTS, runs unprivileged, and probes /health/live with Node's own fetch; every variable the compose
 * file sets is one the app reads (.env.example lists exactly those).
 */
const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string; disable?: boolean };
  ports?: string[];
  deploy?: { replicas?: number };
  stop_grace_period?: string;
}

const compose = parseYamlSubset(read("docker-compose.yml")) as unknown as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const envExample = new Set([...read(".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

describe("docker-compose.yml", () => {
  it("has web (serve), worker (worker, several), Postgres, Redis and a one-shot migrate", () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(["migrate", "postgres", "redis", "web", "worker"]);
    expect(services.web?.command).toEqual(["serve"]);
    expect(services.worker?.command?.[0]).toBe("worker");
    expect(services.migrate?.command).toEqual(["migrate"]);
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.postgres?.image).toMatch(/^postgres:1[5-9]/);
    expect(services.redis?.image).toMatch(/^redis:7/);
  });

  it("points web and worker at the compose Postgres and Redis, migrated once before they start", () => {
    for (const name of ["web", "worker"] as const) {
      const service = compose.services[name];
      expect(service?.environment?.DATABASE_URL, name).toMatch(/@postgres:5432\//);
      expect(service?.environment?.REDIS_URL, name).toBe("redis://redis:6379");
      expect(service?.environment?.DATABASE_MIGRATE_ON_START, name).toBe("false");
      expect(service?.depends_on?.migrate?.condition, name).toBe("service_completed_successfully");
      expect(service?.depends_on?.redis?.condition, name).toBe("service_healthy");
    }
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe("service_healthy");
    // Only loopback: the public side is the HTTPS proxy.
    expect(compose.services.web?.ports).toEqual(["127.0.0.1:3000:3000"]);
    // BullMQ loses jobs to eviction.
    expect(compose.services.redis?.command).toEqual(
      expect.arrayContaining(["--maxmemory-policy", "noeviction"]),
    );
  });

  it("sets only variables the app reads, and health-checks the worker on its METRICS_PORT", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === "postgres") continue;
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(envExample.has(variable), `${name}: ${variable}`).toBe(true);
      }
    }
    const worker = compose.services.worker;
    const port = worker?.environment?.METRICS_PORT;
    expect(port).toBe("9464");
    expect(JSON.stringify(worker?.healthcheck?.test)).toContain(`127.0.0.1:${port}/health/live`);
    // The grace period outlasts `--grace`, so running jobs finish or go back to the queue before the kill.
    expect(Number.parseInt(worker?.stop_grace_period ?? "0", 10)).toBeGreaterThan(
      Number(worker?.command?.[worker.command.indexOf("--grace") + 1]),
    );
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);

  it("is multi-stage on a supported Node LTS (22 or 24), bookworm slim", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const image of stages) expect(image).toMatch(/^node:(22|24)-bookworm-slim$/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist/);
  });

  it("runs as the unprivileged node user with an init, and probes /health/live without curl", () => {
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe("node");
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"/);
    const check = /^HEALTHCHECK[^\n]*\\\n\s+CMD (.*)$/m.exec(dockerfile)?.[1] ?? "";
    const command = JSON.parse(check) as string[];
    expect(command.slice(0, 2)).toEqual(["node", "-e"]);
    expect(command[2]).toContain("/health/live");
    expect(dockerfile).not.toMatch(/curl|wget/);
  });
});
