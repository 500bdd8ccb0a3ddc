/**
 * The rules of the query grammar. Each rule looks at the tokens from position `i` and, when it
 * recognizes something, says how many tokens it consumed and how it changes the draft. Rules are pure
 * until `apply` runs, so the parser can ask "would anything read this token?" without side effects.
 */
import { sectorByName } from "../filter/sectors.ts";
import type { Uf } from "../search-query.ts";
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
} from "./lexicon.ts";
import { readField } from "./query-fields.ts";
import { addAll, type Draft, type Step, statusStep, UF_SET, ufStep, unreadable } from "./query-steps.ts";
import { matchPhrase, type QueryToken, rawSpan } from "./query-tokens.ts";
import { readPeriod } from "./read-dates.ts";
import { moneyAt, readValue } from "./read-values.ts";

export type { Draft, Step } from "./query-steps.ts";

type Rule = (tokens: readonly QueryToken[], i: number, draft: Draft) => Step | null;

const nationalRule: Rule = (tokens, i) => {
  const m = matchPhrase(tokens, i, NATIONAL);
  return (
    m && {
      length: m.length,
      kind: "uf",
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
  return { length: read.length, kind: "period", apply: (d) => void d.periods.push(read.period) };
};

const valueRule: Rule = (tokens, i) => {
  const read = readValue(tokens, i);
  if (!read) return null;
  if ("error" in read) return unreadable(tokens, i, read.length);
  return {
    length: read.length,
    kind: "value",
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

const sortRule: Rule = (tokens, i) => {
  const lead = matchPhrase(tokens, i, SORT_LEADS)?.length ?? 0;
  const m = matchPhrase(tokens, i + lead, SORT_WORDS);
  if (!m) return lead > 0 && tokens[i]!.key.startsWith("orden") ? unreadable(tokens, i, lead + 1) : null;
  return {
    length: lead + m.length,
    kind: "sort",
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
  if (m) return { length: lead + m.length, kind: "modalidade", apply: (d) => addAll(d.modalidades, m.value) };
  const code = lead ? tokens[i + 1]?.fold : undefined;
  if (code && /^\d+$/.test(code)) {
    const id = Number(code);
    if (id >= 1 && id <= 19)
      return { length: 2, kind: "modalidade", apply: (d) => void d.modalidades.add(id) };
    return unreadable(tokens, i, 2);
  }
  return null;
};

const esferaRule: Rule = (tokens, i) => {
  const m = matchPhrase(tokens, i, ESFERA_WORDS);
  return m && { length: m.length, kind: "esfera", apply: (d) => void d.esferas.add(m.value) };
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
    kind: "municipio",
    apply: (d) => {
      d.municipios.push(name);
      if (isPrefeitura) {
        d.esferas.add("M");
        d.recognized.add("esfera");
      }
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

/**
 * Money typed without "acima de"/"até": clearly a value, but not which bound. A lone "mil" stays a
 * word; an absurd amount ("9999…9") is unreadable too.
 */
const bareMoneyRule: Rule = (tokens, i) => {
  const money = moneyAt(tokens, i);
  if (!money) return null;
  const clear = (money.explicit && !(money.words && money.length === 1)) || money.invalid;
  return clear ? unreadable(tokens, i, money.length) : null;
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

/** Every rule, in priority order. */
export const RULES: Rule[] = [fieldRule, ...RECOGNIZERS, placeRule, bareMoneyRule];
