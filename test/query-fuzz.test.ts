/**
 * Property test: the chat command reader and the query grammar never throw, always produce a query
 * that passes `searchQuerySchema`, and never show `NaN`, `Infinity`, `undefined`, `Invalid Date` or
 * `null` in a note, an echoed piece or the one-line description — whatever the user types.
 * 100,000+ generated inputs in total (see RUNS), mixing real query vocabulary with hostile text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCommand } from "../src/core/chat/parse-command.ts";
import { describeQuery } from "../src/core/query/describe-query.ts";
import { parseQuery } from "../src/core/query/parse-query.ts";
import { RECOGNIZED_KINDS, searchQuerySchema, UFS } from "../src/core/search-query.ts";

/** Generous: the machine may be shared; the runs themselves take ~30 s of CPU on one core. */
const TIMEOUT_MS = 240_000;
const NOW = new Date("2026-11-22T12:00:00-03:00");
/** Runs per property; the total is ≥ 100,000 (checked below). */
const RUNS = { mixed: 40_000, fields: 15_000, unicode: 20_000, commands: 25_000, long: 300 };
const BAD_WORDS = ["NaN", "Infinity", "undefined", "Invalid Date", "null"];

const word = (words: readonly string[]) => fc.constantFrom(...words);
const VOCABULARY = (
  "uniformes|jalecos|merenda escolar|obras|informática|setor:saude|setor:xyz|abertas|" +
  "encerradas|em julgamento|pregão|pregão eletrônico|dispensa|modalidade|concurso|" +
  "municipal|federal|ordenar por|maior valor|mais recentes|em|de|a|e|até|desde|entre|" +
  "acima de|abaixo de|mais de|menos de|valor|mínimo|R$|reais|mil|milhão|milhões|k|mi|" +
  "hoje|ontem|semana passada|mês passado|este ano|últimos|últimas|nos|dias|semanas|" +
  "meses|anos|quinzena|semestre|trimestre|passado|d|Campinas|São José dos Campos|" +
  "prefeitura de|município de|todo o Brasil|santa catarina|rio grande do sul|pará|para|" +
  'outubro|março|marco|out/2026|orgao:"prefeitura de x"|uf:sp,rj|min:50mil|max:1mi|' +
  'ordem:value_desc|status:abertas|esfera:M|cnpj:18715383000140|"kit lanche"|“aspas”|' +
  "licitações|buscar"
).split("|");
const NUMBER_WORDS = (
  "um|uma|dois|duas|três|quinze|vinte|e|cinco|cinquenta|cem|cento|duzentos|trezentos|" +
  "mil|milhão|milhões|bilhão|trilhão|meio|meia|dez"
).split("|");
const PROTO_WORDS = (
  "__proto__|constructor|prototype|toString|hasOwnProperty|valueOf|isPrototypeOf|" +
  "__defineGetter__|propertyIsEnumerable|toLocaleString|setor:__proto__|uf:constructor|" +
  "modalidade:toString|ordem:__proto__|esfera:valueOf|status:constructor|" +
  "min:constructor|NaN|Infinity|undefined|null|Invalid Date"
).split("|");
const ODD = [
  "👍",
  "🔎",
  "🇧🇷",
  "👨‍👩‍👧",
  "\u200b",
  "\u200d",
  "\u2060",
  "\ufeff",
  "\u202e",
  "\u202d",
  "\u061c",
  "مرحبا",
  "שלום",
  "\u0000",
  "\u0007",
  "\u001b[31m",
  "\r",
  "\t",
  "\u0085",
  "\u2028",
  "<b>",
  "</b>",
  "<a href='x'>",
  "*x*",
  "_x_",
  "`",
  "```",
  "~x~",
  "&amp;",
  "&lt;",
  "\\",
  "%s",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder typed by a user
  "${x}",
  "{{x}}",
  "’",
  "´",
  "“",
  "”",
  '"',
  "'",
  "(",
  ")",
  "[",
  "]",
  ":",
  "/",
  "-",
  "−",
  "–",
  ".",
  "!",
  "?",
  ",",
  ";",
];
const SEPARATORS = [" ", " ", " ", ", ", "; ", "\n", "/", "-", ":", "  ", ""];

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const bigNumber = fc.oneof(
  digits(1, 6),
  digits(10, 400),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.double().map(String),
  fc.constantFrom(
    "1e999",
    "-1e999",
    "9e308",
    "1e-999",
    "0",
    "-0",
    "00",
    "-5",
    "−5",
    "1,5",
    "1.5",
    "1.000.000,00",
  ),
  fc
    .tuple(digits(1, 4), fc.constantFrom("k", "mil", "mi", "d", "dias", "semanas", "meses", "anos", "e5"))
    .map(([n, s]) => n + s),
  fc
    .tuple(fc.constantFrom("-", "−", "+", ""), digits(1, 12), fc.constantFrom("d", " dias", " mil", ""))
    .map(([sign, n, s]) => sign + n + s),
);
const year = fc.oneof(
  digits(1, 6),
  fc.constantFrom("0000", "0001", "1899", "1900", "2026", "2027", "9999", "275760"),
);
const date = fc.oneof(
  fc.tuple(digits(1, 3), digits(1, 3), year).map(([d, m, y]) => `${d}/${m}/${y}`),
  fc.tuple(year, digits(1, 3), digits(1, 3)).map(([y, m, d]) => `${y}-${m}-${d}`),
  fc.tuple(digits(1, 3), digits(1, 3)).map(([d, m]) => `${d}/${m}`),
  fc.tuple(digits(1, 3), year).map(([m, y]) => `${m}/${y}`),
  fc.tuple(digits(1, 2), digits(1, 2), digits(2, 2)).map(([d, m, y]) => `${d}.${m}.${y}`),
  fc.tuple(word(["out", "jan", "dez", "fev", "xyz"]), year).map(([m, y]) => `${m}/${y}`),
  fc.tuple(word(["outubro", "dezembro", "março"]), word([" de ", " ", "/"]), year).map((p) => p.join("")),
  fc
    .tuple(
      word(["até ", "desde ", "de ", "em ", "a partir de ", "antes de "]),
      digits(1, 2),
      digits(1, 2),
      year,
    )
    .map(([lead, d, m, y]) => `${lead}${d}/${m}/${y}`),
);
const ufs = fc.oneof(
  word(UFS),
  word(UFS.map((u) => u.toLowerCase())),
  word(["Minas Gerais", "Espírito Santo", "brasília"]),
);
const piece = fc.oneof(
  { weight: 5, arbitrary: word(VOCABULARY) },
  { weight: 3, arbitrary: word(NUMBER_WORDS) },
  { weight: 3, arbitrary: ufs },
  { weight: 3, arbitrary: date },
  { weight: 3, arbitrary: bigNumber },
  { weight: 2, arbitrary: word(PROTO_WORDS) },
  { weight: 2, arbitrary: word(ODD) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);
const line = fc
  .array(fc.tuple(piece, word(SEPARATORS)), { maxLength: 14 })
  .map((parts) => parts.map(([p, s]) => p + s).join(""));

const fieldLine = fc
  .array(
    fc.tuple(
      word([
        "setor",
        "uf",
        "ufs",
        "estado",
        "orgao",
        "cnpj",
        "municipio",
        "cidade",
        "modalidade",
        "esfera",
        "ordem",
        "sort",
        "min",
        "max",
        "minimo",
        "status",
        "situacao",
        "foo",
        "__proto__",
        "constructor",
      ]),
      fc.oneof(
        piece,
        fc.string({ maxLength: 10 }).map((s) => `"${s}"`),
      ),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((fields) => fields.map(([k, v]) => `${k}:${v}`).join(" "));

const now = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2100-12-31T00:00:00Z"),
  noInvalidDate: true,
});

/** `text` may itself contain "null" or "NaN": only words the input did not carry are failures. */
function assertClean(shown: string, input: string): void {
  for (const bad of BAD_WORDS) {
    if (shown.includes(bad) && !input.includes(bad)) {
      throw new Error(`"${bad}" shown for input ${JSON.stringify(input)}: ${JSON.stringify(shown)}`);
    }
  }
}

const KINDS: ReadonlySet<string> = new Set(RECOGNIZED_KINDS);

/**
 * Everything a user sees from one parse, checked with plain comparisons (no `expect` in the hot loop,
 * to keep 100k runs fast); throws on the first violation, which fast-check then shrinks.
 */
function checkParse(text: string, at: Date = NOW): void {
  const parsed = parseQuery(text, { now: at });
  const valid = searchQuerySchema.safeParse(parsed.query);
  if (!valid.success) throw new Error(`invalid query: ${valid.error.message}`);
  if (parsed.query.from > parsed.query.to) throw new Error(`from after to: ${parsed.query.from}`);
  if (!Array.isArray(parsed.recognized) || new Set(parsed.recognized).size !== parsed.recognized.length)
    throw new Error(`recognized: ${JSON.stringify(parsed.recognized)}`);
  for (const kind of parsed.recognized) if (!KINDS.has(kind)) throw new Error(`unknown kind ${kind}`);
  for (const shown of [...parsed.notes, ...parsed.unrecognized, describeQuery(parsed.query)]) {
    if (typeof shown !== "string") throw new Error(`not a string: ${String(shown)}`);
    assertClean(shown, text);
  }
}

describe("query fuzz: parseQuery and parseCommand never throw nor show NaN/Infinity/undefined", () => {
  it(`runs at least 100,000 inputs in total`, () => {
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
  });

  it(
    "mixes of real query words, UFs, dates, huge numbers, number words and hostile text",
    () => {
      fc.assert(
        fc.property(line, (text) => checkParse(text)),
        { numRuns: RUNS.mixed - 5_000 },
      );
      fc.assert(
        fc.property(line, now, (text, at) => checkParse(text, at)),
        { numRuns: 5_000 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "key:value fields with any value",
    () => {
      fc.assert(
        fc.property(fieldLine, line, (fields, rest) => checkParse(`${fields} ${rest}`)),
        { numRuns: RUNS.fields },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "arbitrary unicode text",
    () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => checkParse(text)),
        { numRuns: RUNS.unicode / 2 },
      );
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (text) => checkParse(text)),
        { numRuns: RUNS.unicode / 2 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "chat commands: /words, @bot suffixes and plain text, then the search they carry",
    () => {
      const command = fc.oneof(
        word([
          "buscar",
          "busca",
          "setores",
          "plano",
          "assinar",
          "ajuda",
          "help",
          "start",
          "início",
          ...PROTO_WORDS,
        ]),
        fc.string({ maxLength: 12 }),
      );
      const input = fc.oneof(
        fc
          .tuple(command, word(["", "@SmartPncpBot", "@x_bot", "@"]), word(["", " ", "\n", "  "]), line)
          .map(([c, bot, sep, rest]) => `/${c}${bot}${sep}${rest}`),
        line,
        word([...ODD, ...PROTO_WORDS, "oi", "obrigado!", "bom dia", "ajuda", "?", "  ", ""]),
      );
      fc.assert(
        fc.property(input, fc.boolean(), (text, isPrivate) => {
          const command = parseCommand(text, isPrivate);
          if (command === null) return;
          if (command.name === "unknown") {
            if (!command.command.startsWith("/")) throw new Error(`bad unknown ${command.command}`);
            return;
          }
          if (typeof command.name !== "string" || typeof command.args !== "string")
            throw new Error(`bad command ${JSON.stringify(command)}`);
          if (command.name === "buscar") checkParse(command.args);
        }),
        { numRuns: RUNS.commands },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "10,000-character lines",
    () => {
      const long = fc.tuple(line, fc.integer({ min: 1, max: 3 })).map(([text, kind]) => {
        const base = text === "" ? "uniformes SP " : `${text} `;
        if (kind === 1) return base.repeat(Math.ceil(10_000 / base.length)).slice(0, 10_000);
        if (kind === 2) return `${"9".repeat(9_990)} ${text}`.slice(0, 10_000);
        return `acima de ${"1".repeat(5_000)} ${"x".repeat(4_000)} ${text}`.slice(0, 10_000);
      });
      fc.assert(
        fc.property(long, (text) => {
          checkParse(text);
          parseCommand(text, true);
          parseCommand(`/buscar ${text}`, false);
        }),
        { numRuns: RUNS.long },
      );
    },
    TIMEOUT_MS,
  );
});
