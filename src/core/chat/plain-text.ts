/**
 * What plain text in a private chat is, before anyone thinks of searching it. People greet, thank, send
 * 👍 or "ok", or paste an invisible character; none of that is a nationwide search on their trial.
 *
 * - `greeting` ("oi", "bom dia", "olá, tudo bem?", 👋): the welcome and the examples.
 * - `thanks` ("obrigado!", "valeu", "obg", 🙏 with words): a short "de nada".
 * - `help`, `plan`, `sectors`, `subscribe`: the usual words for those commands.
 * - `silent`: nothing to answer — only emoji, punctuation or invisible characters, or an acknowledgement
 *   ("ok", "beleza", "entendi"). A bot that answers a 👍 with a lecture is worse than a quiet one.
 * - `text`: anything else; the chat core searches it only when the grammar recognises something in it.
 */
export type PlainIntent =
  | "greeting"
  | "thanks"
  | "help"
  | "plan"
  | "sectors"
  | "subscribe"
  | "silent"
  | "text";

const GREETINGS = [
  "oi",
  "oie",
  "oii",
  "ola",
  "opa",
  "eai",
  "e ai",
  "ei",
  "hey",
  "hello",
  "hi",
  "salve",
  "bom dia",
  "boa tarde",
  "boa noite",
  "tudo bem",
  "tudo bom",
  "td bem",
  "como vai",
  "menu",
  "inicio",
  "comecar",
  "start",
];
const THANKS = [
  "obrigado",
  "obrigada",
  "obrigadao",
  "muito obrigado",
  "muito obrigada",
  "obg",
  "obgd",
  "brigado",
  "brigada",
  "valeu",
  "vlw",
  "valeu mesmo",
  "grato",
  "grata",
  "agradeco",
  "thanks",
  "thank you",
  "thx",
  "tks",
];
const ACKS = [
  "ok",
  "okay",
  "okey",
  "blz",
  "beleza",
  "certo",
  "entendi",
  "show",
  "top",
  "perfeito",
  "legal",
  "joia",
  "massa",
  "otimo",
  "ta",
  "ta bom",
  "tá bom",
  "sim",
  "nao",
  "kk",
  "kkk",
  "haha",
  "rs",
  "tchau",
  "ate mais",
  "falou",
  "flw",
];
const HELP = ["ajuda", "help", "socorro", "como funciona", "comandos", "exemplos"];
const PLAN = ["plano", "meu plano"];
const SECTORS = ["setores"];
const SUBSCRIBE = ["assinar", "planos"];
/** Words that may ride along with a greeting or thanks: "oi bot", "valeu pela ajuda", "obrigado, tchau". */
const COURTESY = new Set([
  "bot",
  "robo",
  "amigo",
  "pessoal",
  "gente",
  "smart",
  "pncp",
  "pela",
  "ajuda",
  "mesmo",
  "demais",
  "viu",
  "tchau",
  "ate",
  "mais",
  "e",
  "ai",
  "de",
  "novo",
  "por",
  "tudo",
]);

const WAVE = /^(?:\u{1F44B}[\u{1F3FB}-\u{1F3FF}]?)+$/u;
const SEPARATORS =
  /[\s\p{P}\p{S}\p{Cf}\p{Cc}\p{Z}\p{M}\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{E0020}-\u{E007F}]+/u;

/** Lowercase, accents and emoji gone, words separated by one space. */
export function foldPlainText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(SEPARATORS)
    .filter((w) => w !== "")
    .join(" ");
}

type Tag = "greeting" | "thanks" | "ack";

/** Folded phrase → what it says; phrases are at most three words. */
const PHRASES = new Map<string, Tag>([
  ...GREETINGS.map((p) => [foldPlainText(p), "greeting"] as const),
  ...THANKS.map((p) => [foldPlainText(p), "thanks"] as const),
  ...ACKS.map((p) => [foldPlainText(p), "ack"] as const),
]);
const COMMAND_WORDS = new Map<string, PlainIntent>([
  ...HELP.map((p) => [foldPlainText(p), "help"] as const),
  ...PLAN.map((p) => [foldPlainText(p), "plan"] as const),
  ...SECTORS.map((p) => [foldPlainText(p), "sectors"] as const),
  ...SUBSCRIBE.map((p) => [foldPlainText(p), "subscribe"] as const),
]);

/**
 * The tags of `words` when they are only greeting/thanks/acknowledgement phrases plus courtesy words
 * ("ola bom dia", "oi tudo bem", "muito obrigado pela ajuda"); null as soon as another word appears.
 */
function courtesyTags(words: readonly string[]): Set<Tag> | null {
  const tags = new Set<Tag>();
  let i = 0;
  while (i < words.length) {
    let matched = 0;
    for (let n = Math.min(3, words.length - i); n >= 1 && matched === 0; n--) {
      const tag = PHRASES.get(words.slice(i, i + n).join(" "));
      if (tag) {
        tags.add(tag);
        matched = n;
      }
    }
    if (matched === 0 && !COURTESY.has(words[i]!)) return null;
    i += Math.max(matched, 1);
  }
  return tags;
}

/** Classifies plain text typed in a private chat (see `PlainIntent`). Never throws. */
export function classifyPlainText(text: string): PlainIntent {
  // Keycaps (1️⃣ #️⃣) are emoji although they start with a digit.
  const compact = text.replace(/[\s\p{Cf}\p{Cc}\p{Z}]+|[\d#*]\uFE0F?\u20E3/gu, "");
  if (compact === "?") return "help";
  if (WAVE.test(compact)) return "greeting";
  // No letter and no digit: emoji, punctuation, symbols or invisible characters only.
  if (!/[\p{L}\p{N}]/u.test(compact)) return "silent";
  const folded = foldPlainText(text);
  if (folded === "") return "silent";
  const command = COMMAND_WORDS.get(folded);
  if (command) return command;
  const words = folded.split(" ");
  if (words.length > 12) return "text";
  const tags = courtesyTags(words);
  if (!tags || tags.size === 0) return "text";
  if (tags.has("thanks")) return "thanks";
  if (tags.has("greeting")) return "greeting";
  return "silent";
}
