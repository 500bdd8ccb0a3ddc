/**
 * Inflected forms of one normalized pt-BR token, used to compile keywords so that a keyword written
 * in the singular also matches the plural (and a user's plural matches the singular).
 * Gender (médico/médica) is deliberately NOT generated: "pasta"/"pasto" and "porta"/"porto" would
 * collide. Keywords that need it use a prefix pattern (`odontolog*`) or list both forms.
 */

/** Connectors that are interchangeable inside a phrase: "locação de veículos" = "locação dos veículos". */
const CONNECTOR_GROUPS: readonly (readonly string[])[] = [
  ["de", "do", "da", "dos", "das"],
  ["em", "no", "na", "nos", "nas"],
];
const CONNECTORS = new Map<string, readonly string[]>();
for (const group of CONNECTOR_GROUPS) for (const word of group) CONNECTORS.set(word, group);

const VOWEL_END = /[aeiou]$/;

/**
 * Every surface form a normalized token may take: itself, its regular plurals (-s, -es, -ão→-ões/-ães/-ãos,
 * -l→-is, -il→-is/-eis, -m→-ns) and, when it already looks plural, its possible singulars. Over-generation
 * is harmless (a non-word form never occurs in text); under-generation loses matches.
 */
export function wordForms(token: string): string[] {
  const connector = CONNECTORS.get(token);
  if (connector) return [...connector];
  const forms = new Set([token]);
  if (token.length < 2 || /\d$/.test(token)) return [...forms];
  addPlurals(token, forms);
  addSingulars(token, forms);
  return [...forms];
}

function addPlurals(t: string, forms: Set<string>): void {
  if (t.endsWith("ao")) {
    const base = t.slice(0, -2);
    forms.add(`${base}oes`).add(`${base}aes`).add(`${base}aos`);
  } else if (t.endsWith("m")) {
    forms.add(`${t.slice(0, -1)}ns`);
  } else if (t.endsWith("il")) {
    forms.add(`${t.slice(0, -2)}is`).add(`${t.slice(0, -2)}eis`);
  } else if (t.endsWith("l")) {
    forms.add(`${t.slice(0, -1)}is`);
  } else if (/[rzs]$/.test(t)) {
    forms.add(`${t}es`);
  } else if (t.endsWith("n")) {
    forms.add(`${t}s`).add(`${t}es`);
  } else if (VOWEL_END.test(t) || /[bcdfgkpt]$/.test(t)) {
    // vowels, and loanwords such as "kit", "notebook", "tablet"
    forms.add(`${t}s`);
  }
}

function addSingulars(t: string, forms: Set<string>): void {
  if (t.length < 4 || !t.endsWith("s")) return;
  if (/(oes|aes|aos)$/.test(t)) forms.add(`${t.slice(0, -3)}ao`);
  if (t.endsWith("ns")) forms.add(`${t.slice(0, -2)}m`);
  if (t.endsWith("eis")) forms.add(`${t.slice(0, -3)}el`).add(`${t.slice(0, -3)}il`);
  else if (/[aou]is$/.test(t)) forms.add(`${t.slice(0, -2)}l`);
  else if (t.endsWith("is")) forms.add(`${t.slice(0, -2)}il`);
  if (t.endsWith("es") && t.length > 4) forms.add(t.slice(0, -2));
  forms.add(t.slice(0, -1));
}
