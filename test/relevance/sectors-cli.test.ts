/**
 * `smart-pncp sectors` and `sectors explain`, through the CLI's own entry (pt-BR text and --json): the
 * keywords found, the exclusions that blanked words, the field and the decision.
 */
import { describe, expect, it } from "vitest";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { captureMain, foreignText } from "../cli-run.testing.ts";

describe("smart-pncp sectors", () => {
  it("lists every sector with its id, name and typical value", async () => {
    const r = await captureMain(["sectors"]);
    expect(r.code).toBe(0);
    for (const id of SECTOR_IDS) expect(r.stdout).toContain(`• ${id} — `);
    expect(r.stdout).toMatch(/valor típico: R\$ [\d.]+,00 a R\$ [\d.]+,00/);
    expect(foreignText(r.stdout)).toEqual([]);
    const json = JSON.parse((await captureMain(["sectors", "--json"])).stdout);
    expect(json.sectors).toHaveLength(SECTOR_IDS.length);
    expect(json.sectors[0]).toMatchObject({ id: "vestuario", typicalValue: { min: 50_000, max: 2_000_000 } });
  });

  it("explains a match with the exclusion that blanked a word", async () => {
    const r = await captureMain([
      "sectors",
      "explain",
      "vestuario",
      "Aquisição de uniformes escolares e roupa de cama",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✅ Pertence ao setor Vestuário e Uniformes");
    expect(r.stdout).toContain("“roupa de cama” (apagaram “roupa”)");
    expect(r.stdout).toContain("Campo que decidiu: objeto (objetoCompra)");
  });

  it("never decides on the complementary text alone (the clinic and the surname)", async () => {
    const args = [
      "sectors",
      "explain",
      "vestuario",
      "Reforma da clínica de fisioterapia",
      "--complemento",
      "Dr. Carlos Botas",
    ];
    const r = await captureMain(args);
    expect(r.stdout).toContain("❌ Não pertence");
    expect(r.stdout).toContain("sozinha nunca decide");
    const json = JSON.parse((await captureMain([...args, "--json"])).stdout);
    expect(json).toMatchObject({ matched: false, field: null, objectHits: [], weak: null });
  });

  it("shows a veto and the grey zone", async () => {
    const veto = await captureMain(["sectors", "explain", "vestuario", "Fardamento militar camuflado"]);
    expect(veto.stdout).toContain("Veto no objeto: “militar”");
    const weak = await captureMain(["sectors", "explain", "vestuario", "Aquisição de botas"]);
    expect(weak.stdout).toContain("Zona cinzenta: só palavras ambíguas no objeto");
  });

  it("refuses an unknown sector or a missing text in pt-BR", async () => {
    const unknown = await captureMain(["sectors", "explain", "constructor", "texto"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Setor desconhecido");
    const missing = await captureMain(["sectors", "explain", "saude"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("uso: smart-pncp sectors");
  });
});
