/**
 * The rules of the query grammar. Each rule looks at the tokens from position `i` and, when it
 * recognizes something, says how many tokens it consumed and how it changes the draft. Rules are pure
 * until `apply` runs, so the parser can ask "would anything read this token?" without side effects.
 */
import type { BidStatus, Esfera } from "../bid.ts";
import { foldAccents } from "../filter/normalize-text.ts";
import { sectorByName } from "../filter/sectors.ts";
import type { SectorId } from "../sectors.ts";
import {
  AMBIGUOUS_UFS,
  ESFERA_WORDS,
  MODALIDADE_AFTER_LEAD,
  MODALIDADE_NAMES,
  NATIONAL,
  SORT_LEADS,
  SORT_WORDS,
  STATE_NAMES,
  STATUS_WORDS,
  type StatusWord,
} from "./lexicon.ts";
import { matchPhrase, phraseKeys, type QueryToken, rawSpan } from "./query-tokens.ts";
import { type Period, readPeriod } from "./read-dates.ts";
import { moneyAt, readValue } from "./read-values.ts";
import { type SortKey, UFS, type Uf } from "./search-query.ts";

/** What the text said so far. */
export interface Draft {
  today: string;
  words: { text: string; run: number; quoted: boolean }[];
  run: number;
  sector: SectorId | null;
  ufs: Set<Uf>;
  national: boolean;
  periods: Period[];
  minValue: number | null;
  maxValue: number | null;
  modalidades: Set<number>;
  openOnly: boolean;
  statuses: Set<BidStatus>;
  esferas: Set<Esfera>;
  municipios: string[];
  orgaos: string[];
  sort: SortKey | null;
  unrecognized: string[];
  notes: string[];
  /** Token positions right after a UF, for reading "sc pr se" as three UFs. */
  ufEnds: Set<number>;
}

/** A recognized piece: tokens consumed and its effect. */
export interface Step {
  length: number;
  apply(draft: Draft): void;
}

type Rule = (tokens: readonly QueryToken[], i: number, draft: Draft) => Step | null;

const UF_SET: ReadonlySet<string> = new Set(UFS);
const unreadable = (tokens: readonly QueryToken[], i: number, length: number): Step => ({
  length,
  apply: (d) => d.unrecognized.push(rawSpan(tokens, i, length)),
});

const nationalRule: Rule = (tokens, i) => {
  const m = matchPhrase(tokens, i, NATIONAL);
  return (
    m && {
      length: m.length,
      apply: (d) => {
        d.national = true;
      },
    }
  );
};

const stateRule: Rule = (tokens, i) => {
  if (!tokens[i]!.quoted && tokens[i]!.raw.toLowerCase() === "pará") return ufStep(["PA"], i, 1);
  const m = matchPhrase(tokens, i, STATE_NAMES);
  return m && ufStep([m.value], i, m.length);
};

function ufStep(ufs: Uf[], i: number, length: number): Step {
  return {
    length,
    apply: (d) => {
      for (const uf of ufs) d.ufs.add(uf);
      d.ufEnds.add(i + length);
    },
  };
}

/** UF codes: capitals always; lowercase too, except the ambiguous ones outside a list of UFs. */
export function ufCodeAt(tokens: readonly QueryToken[], i: number, draft: Draft | null): Uf | null {
  const token = tokens[i];
  if (!token || token.quoted || token.field || !/^\p{L}{2}$/u.test(token.raw)) return null;
  const code = token.raw.toUpperCase();
  if (!UF_SET.has(code) || /[^\p{ASCII}]/u.test(token.raw)) return null;
  if (token.raw === code || !AMBIGUOUS_UFS.has(token.key)) return code as Uf;
  const afterUf = draft?.ufEnds.has(i) ?? false;
  const beforeUf = ufCodeAt(tokens, i + 1, null) !== null && !AMBIGUOUS_UFS.has(tokens[i + 1]!.key);
  return afterUf || beforeUf ? (code as Uf) : null;
}

const ufRule: Rule = (tokens, i, draft) => {
  const uf = ufCodeAt(tokens, i, draft);
  return uf && ufStep([uf], i, 1);
};

const periodRule: Rule = (tokens, i, draft) => {
  const read = readPeriod(tokens, i, draft.today);
  if (!read) return null;
  if ("error" in read) return unreadable(tokens, i, read.length);
  return { length: read.length, apply: (d) => void d.periods.push(read.period) };
};

const valueRule: Rule = (tokens, i) => {
  const read = readValue(tokens, i);
  if (!read) return null;
  if ("error" in read) return unreadable(tokens, i, read.length);
  return {
    length: read.length,
    apply: (d) => {
      if (read.min !== null) d.minValue = read.min;
      if (read.max !== null) d.maxValue = read.max;
    },
  };
};

const statusRule: Rule = (tokens, i) => {
  const m = matchPhrase(tokens, i, STATUS_WORDS);
  return m && statusStep(m.value, m.length);
};

function statusStep(word: StatusWord, length: number): Step {
  return {
    length,
    apply: (d) => {
      if ("open" in word) d.openOnly = true;
      else d.statuses.add(word.status);
    },
  };
}

const sortRule: Rule = (tokens, i) => {
  const lead = matchPhrase(tokens, i, SORT_LEADS)?.length ?? 0;
  const m = matchPhrase(tokens, i + lead, SORT_WORDS);
  if (!m) return lead > 0 && tokens[i]!.key.startsWith("orden") ? unreadable(tokens, i, lead + 1) : null;
  return {
    length: lead + m.length,
    apply: (d) => {
      d.sort = m.value;
    },
  };
};

const modalidadeRule: Rule = (tokens, i) => {
  const lead = /^modalidades?$/.test(tokens[i]!.key) && !tokens[i]!.quoted ? 1 : 0;
  const m =
    matchPhrase(tokens, i + lead, MODALIDADE_NAMES) ??
    (lead ? matchPhrase(tokens, i + 1, MODALIDADE_AFTER_LEAD) : null);
  if (m) return { length: lead + m.length, apply: (d) => addAll(d.modalidades, m.value) };
  const code = lead ? tokens[i + 1]?.key : undefined;
  if (code && /^\d+$/.test(code)) {
    const id = Number(code);
    if (id >= 1 && id <= 19) return { length: 2, apply: (d) => void d.modalidades.add(id) };
    return unreadable(tokens, i, 2);
  }
  return null;
};

const esferaRule: Rule = (tokens, i) => {
  const m = matchPhrase(tokens, i, ESFERA_WORDS);
  return m && { length: m.length, apply: (d) => void d.esferas.add(m.value) };
};

const PLACE_LEADS = new Set(["em", "no", "na"]);
const PLACE_FORMS = new Set(["municipio-de", "cidade-de", "prefeitura-de", "prefeitura-municipal-de"]);

/** "em Campinas", "município de São José dos Campos", "prefeitura de Vitória" → município (+ esfera M). */
const placeRule: Rule = (tokens, i, draft) => {
  const lead2 = `${tokens[i]!.key}-${tokens[i + 1]?.key ?? ""}`;
  const lead3 = `${lead2}-${tokens[i + 2]?.key ?? ""}`;
  const formLength = PLACE_FORMS.has(lead3) ? 3 : PLACE_FORMS.has(lead2) ? 2 : 0;
  const isPrefeitura = tokens[i]!.key === "prefeitura";
  if (formLength === 0 && !(PLACE_LEADS.has(tokens[i]!.key) && isPlaceWord(tokens, i + 1, draft)))
    return null;
  const start = i + (formLength || 1);
  let end = start;
  while (
    end < tokens.length &&
    (end === start ? isNameWord(tokens[end]!, formLength > 0) : isPlaceWord(tokens, end, draft))
  ) {
    end++;
    const connector = tokens[end]?.key;
    if (connector && /^d[aeo]s?$/.test(connector) && isPlaceWord(tokens, end + 1, draft)) end++;
  }
  if (end === start) return null;
  const name = rawSpan(tokens, start, end - start);
  return {
    length: end - i,
    apply: (d) => {
      d.municipios.push(name);
      if (isPrefeitura) d.esferas.add("M");
    },
  };
};

function isNameWord(token: QueryToken, afterForm: boolean): boolean {
  return (
    !token.quoted &&
    !token.field &&
    /^\p{L}[\p{L}'-]*$/u.test(token.raw) &&
    (afterForm || /^\p{Lu}/u.test(token.raw))
  );
}

/** A Capitalized word that no other rule reads (not a UF, month, sector name, status…). */
function isPlaceWord(tokens: readonly QueryToken[], i: number, draft: Draft): boolean {
  const token = tokens[i];
  if (!token || !isNameWord(token, false) || token.raw.length < 3 || token.raw === token.raw.toUpperCase())
    return false;
  if (sectorByName(token.raw)) return false;
  return !RECOGNIZERS.some((rule) => rule(tokens, i, draft) !== null);
}

const fieldRule: Rule = (tokens, i) => {
  const field = tokens[i]!.field;
  return field ? readField(tokens, i, field.name, field.value) : null;
};

/** `setor:saude`, `uf:sp,rj`, `orgao:"…"`, `municipio:campinas`, `modalidade:6,8`, `esfera:municipal`, `ordem:maior valor`, `min:50mil`, `max:1mi`. */
function readField(tokens: readonly QueryToken[], i: number, name: string, value: string): Step {
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
      return items.length ? { length: 1, apply: (d) => void d.orgaos.push(...items) } : bad;
    case "municipio":
    case "cidade":
    case "municipios":
      return items.length ? { length: 1, apply: (d) => void d.municipios.push(...items) } : bad;
    case "modalidade":
    case "modalidades": {
      const ids = items.flatMap((item) =>
        /^\d+$/.test(item) ? [Number(item)] : (matchPhrase(sub(item), 0, MODALIDADE_NAMES)?.value ?? [0]),
      );
      return ids.length && ids.every((id) => id >= 1 && id <= 19)
        ? { length: 1, apply: (d) => addAll(d.modalidades, ids) }
        : bad;
    }
    case "esfera": {
      const m = matchPhrase(sub(value), 0, ESFERA_WORDS);
      const letter = value.toUpperCase();
      const esfera = m?.value ?? (["M", "E", "F", "D"].includes(letter) ? (letter as Esfera) : null);
      return esfera ? { length: 1, apply: (d) => void d.esferas.add(esfera) } : bad;
    }
    case "ordem":
    case "ordenar":
    case "sort": {
      const m =
        matchPhrase(sub(value.replaceAll("_", " ")), 0, SORT_WORDS) ?? matchPhrase(sub(value), 0, SORT_WORDS);
      return m
        ? {
            length: 1,
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
      if (!money) return bad;
      const isMin = name.startsWith("min");
      return {
        length: 1,
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

/** Money typed without "acima de"/"até": clearly a value, but not which bound. */
const bareMoneyRule: Rule = (tokens, i) => {
  const money = moneyAt(tokens, i);
  return money?.explicit ? unreadable(tokens, i, money.length) : null;
};

/** Rules that recognize vocabulary (used to tell a place name from a keyword). */
const RECOGNIZERS: Rule[] = [
  nationalRule,
  stateRule,
  periodRule,
  valueRule,
  statusRule,
  sortRule,
  modalidadeRule,
  esferaRule,
  ufRule,
];

function addAll<T>(set: Set<T>, values: readonly T[]): void {
  for (const value of values) set.add(value);
}

/** Every rule, in priority order. */
export const RULES: Rule[] = [fieldRule, ...RECOGNIZERS, placeRule, bareMoneyRule];
