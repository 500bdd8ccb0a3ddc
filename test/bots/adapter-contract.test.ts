import ExcelJS from "exceljs";
import { afterEach, describe, expect, it } from "vitest";
import type { ContractDriver, DriverFactory } from "./contract-driver.ts";
import { createSlackDriver } from "./slack-driver.ts";
import { createTelegramDriver } from "./telegram-driver.ts";
import { createWhatsAppDriver } from "./whatsapp-driver.ts";

/**
 * One contract for every adapter: the same behaviour whatever the platform. Each case drives the real
 * adapter (real SDK) through its signed webhook against loopback fakes and the real core.
 */
const DRIVERS: [string, DriverFactory][] = [
  ["slack", createSlackDriver],
  ["telegram", createTelegramDriver],
  ["whatsapp", createWhatsAppDriver],
];

/** Fixture week: SP records published 2026-09-15..21 (see test/helpers/test-app.ts FIXTURE_NOW). */
const QUERY = "/buscar SP 7d";

async function usage(driver: ContractDriver, userId?: string): Promise<number> {
  const { store, clock } = driver.testApp;
  const accountId = await store.resolveIdentity(driver.identity(userId));
  return (await store.getAccountStatus(accountId, clock.now())).used;
}

function allText(driver: ContractDriver): string {
  return driver
    .messages()
    .map((m) => m.text)
    .join("\n---\n");
}

function upgradeButtons(driver: ContractDriver) {
  return driver.messages().flatMap((m) => m.buttons.filter((b) => b.url.includes("/upgrade?token=")));
}

describe.each(DRIVERS)("adapter contract: %s", (_name, factory) => {
  let driver: ContractDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it("a bad signature gets 401 and nothing runs", async () => {
    driver = await factory();
    const status = await driver.deliver(QUERY, { deliveryId: "bad-1", badSignature: true });
    expect(status).toBe(401);
    await driver.testApp.drain();
    expect(driver.messages()).toEqual([]);
    expect(driver.testApp.pncp.requests.length).toBe(0);
  });

  it("a duplicate delivery is searched and charged once", async () => {
    driver = await factory();
    const first = await driver.deliver(QUERY, { deliveryId: "dup-1" });
    const second = await driver.deliver(QUERY, { deliveryId: "dup-1" });
    expect(first).toBeLessThan(300);
    expect(second).toBeLessThan(300);
    await driver.testApp.drain();
    expect(await usage(driver)).toBe(1);
    const searching = driver.messages().filter((m) => m.text.includes("Buscando"));
    expect(searching.length).toBe(1);
    expect(allText(driver)).toMatch(/licitaç(ão|ões) encontradas?/);
  });

  it("the free trial gets results but no Excel, with a button to the plan that has it", async () => {
    driver = await factory();
    await driver.deliver(QUERY, { deliveryId: "trial-1" });
    await driver.testApp.drain();
    expect(driver.files()).toEqual([]);
    expect(allText(driver)).toContain("A planilha Excel não faz parte do plano Teste grátis");
    const buttons = upgradeButtons(driver);
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons[0]!.url.startsWith("https://bot.example.test/upgrade?token=")).toBe(true);
  });

  it("an exhausted quota is refused with an upgrade button and no PNCP call", async () => {
    driver = await factory();
    for (let i = 1; i <= 3; i++) {
      driver.testApp.clock.advance(61_000); // stay under the trial's 2 searches per minute
      await driver.deliver(QUERY, { deliveryId: `quota-${i}` });
      await driver.testApp.drain();
    }
    expect(await usage(driver)).toBe(3);
    const before = driver.testApp.pncp.requests.length;
    driver.testApp.clock.advance(5 * 60_000);
    await driver.deliver(QUERY, { deliveryId: "quota-4" });
    await driver.testApp.drain();
    expect(driver.testApp.pncp.requests.length).toBe(before);
    expect(allText(driver)).toContain("Você usou as 3 buscas do seu teste grátis.");
    expect(upgradeButtons(driver).some((b) => b.label.includes("Consultor Ágil"))).toBe(true);
    expect(await usage(driver)).toBe(3);
  });

  it("a plan with Excel gets the .xlsx in the conversation, matching the results", async () => {
    driver = await factory();
    await driver.testApp.setPlan(
      driver.platform,
      driver.identity().userId,
      driver.identity().teamId,
      "maquina",
    );
    await driver.deliver(QUERY, { deliveryId: "excel-1" });
    await driver.testApp.drain();
    const files = driver.files();
    expect(files.length).toBe(1);
    expect(files[0]!.filename).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(files[0]!.data as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Licitações");
    expect(sheet).toBeDefined();
    expect(sheet!.getRow(1).getCell(1).value).toBe("Código PNCP");
    const ids = new Set<string>();
    sheet!.eachRow((row, n) => {
      const id = row.getCell(1).text;
      if (n > 1 && typeof id === "string" && /-1-\d{6}\/\d{4}$/.test(id)) ids.add(id);
    });
    expect(ids.size).toBeGreaterThan(0);
    const counted = /(\d+) licitaç(?:ão|ões) encontradas?/.exec(allText(driver));
    expect(counted).not.toBeNull();
    expect(ids.size).toBe(Number(counted![1]));
  });

  it("PNCP down: a clear message and the search refunded", async () => {
    driver = await factory();
    driver.testApp.pncp.setFaults([{ fault: "jdbc_500" }]);
    await driver.deliver(QUERY, { deliveryId: "down-1" });
    await driver.testApp.drain();
    expect(allText(driver)).toContain(
      "O PNCP (Portal Nacional de Contratações Públicas) não está respondendo",
    );
    expect(allText(driver)).toContain("não foi descontada");
    expect(await usage(driver)).toBe(0);
  });

  it("ignores the bot's own messages", async () => {
    driver = await factory();
    const status = await driver.deliverOwnMessage("🔎 Buscando… SP", "own-1");
    expect(status).toBeLessThan(300);
    await driver.testApp.drain();
    expect(driver.messages()).toEqual([]);
    expect(driver.testApp.pncp.requests.length).toBe(0);
  });
});
