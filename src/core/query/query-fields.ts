/**
 * The `key:value` forms of the query grammar: `setor:saude`, `uf:sp,rj`, `orgao:"prefeitura de x"`,
 * `cnpj:…`, `municipio:campinas`, `modalidade:6,8`, `esfera:municipal`, `ordem:maior valor`,
 * `min:50mil`, `max:1mi`, `status:abertas`. Unknown keys and unreadable values are unrecognized.
 */
import type { Esfera } from "../bid.ts";
import { sectorByName } from "../filter/sectors.ts";
import type { Uf } from "../search-query.ts";
import { foldAccents } from "../text-fold.ts";
import { ESFERA_WORDS, MODALIDADE_NAMES, SORT_WORDS, STATUS_WORDS } from "./lexicon.ts";
import { addAll, type Step, statusStep, UF_SET, ufStep, unreadable } from "./query-steps.ts";
import { matchPhrase, phraseKeys, type QueryToken } from "./query-tokens.ts";
import { moneyAt } from "./read-values.ts";

/** `setor:saude`, `uf:sp,rj`, `orgao:"…"`, `municipio:campinas`, `modalidade:6,8`, `esfera:municipal`, `ordem:maior valor`, `min:50mil`, `max:1mi`. */
export function readField(tokens: readonly QueryToken[], i: number, name: string, value: string): Step {
  const items = value.split(/\s*[,;]\s*/).filter((v) => v !== "");
  const bad = unreadable(tokens, i, 1);
  const sub = (text: string) =>
    phraseKeys(text).map((key) => ({ raw: text, fold: key, key, quoted: false, breakBefore: false }));
  switch (name) {
    case "setor": {
      const id = sectorByName(value);
      return id
        ? {
            length: 1,
            kind: "sector",
            apply: (d) => {
              d.sector = id;
            },
          }
        : bad;
    }
    case "uf":
    case "ufs":
    case "estado": {
      const ufs = value
        .split(/[\s,;/]+/)
        .map((v) => v.toUpperCase())
        .filter((v) => v !== "");
      return ufs.length > 0 && ufs.every((v) => UF_SET.has(v)) ? ufStep(ufs as Uf[], i, 1) : bad;
    }
    case "orgao":
    case "cnpj":
    case "orgaos":
      return items.length ? { length: 1, kind: "orgao", apply: (d) => void d.orgaos.push(...items) } : bad;
    case "municipio":
    case "cidade":
    case "municipios":
      return items.length
        ? { length: 1, kind: "municipio", apply: (d) => void d.municipios.push(...items) }
        : bad;
    case "modalidade":
    case "modalidades": {
      const ids = items.flatMap((item) =>
        /^\d+$/.test(item) ? [Number(item)] : (matchPhrase(sub(item), 0, MODALIDADE_NAMES)?.value ?? [0]),
      );
      return ids.length && ids.every((id) => id >= 1 && id <= 19)
        ? { length: 1, kind: "modalidade", apply: (d) => addAll(d.modalidades, ids) }
        : bad;
    }
    case "esfera": {
      const m = matchPhrase(sub(value), 0, ESFERA_WORDS);
      const letter = value.toUpperCase();
      const esfera = m?.value ?? (["M", "E", "F", "D"].includes(letter) ? (letter as Esfera) : null);
      return esfera ? { length: 1, kind: "esfera", apply: (d) => void d.esferas.add(esfera) } : bad;
    }
    case "ordem":
    case "ordenar":
    case "sort": {
      const m =
        matchPhrase(sub(value.replaceAll("_", " ")), 0, SORT_WORDS) ?? matchPhrase(sub(value), 0, SORT_WORDS);
      return m
        ? {
            length: 1,
            kind: "sort",
            apply: (d) => {
              d.sort = m.value;
            },
          }
        : bad;
    }
    case "min":
    case "minimo":
    case "max":
    case "maximo": {
      const money = moneyAt(tokensOf(value), 0);
      if (!money || money.invalid) return bad;
      const isMin = name.startsWith("min");
      return {
        length: 1,
        kind: "value",
        apply: (d) => {
          if (isMin) d.minValue = money.value;
          else d.maxValue = money.value;
        },
      };
    }
    case "status":
    case "situacao": {
      const m = matchPhrase(sub(value), 0, STATUS_WORDS);
      return m ? statusStep(m.value, 1) : bad;
    }
    default:
      return bad;
  }
}

function tokensOf(value: string): QueryToken[] {
  return value.split(/\s+/).map((raw) => ({
    raw,
    fold: foldAccents(raw),
    key: phraseKeys(raw)[0] ?? "",
    quoted: false,
    breakBefore: false,
  }));
}
