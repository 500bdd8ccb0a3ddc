import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { workbookFileName } from "../core/excel/file-name.ts";

/** Where `--xlsx` will write, checked before searching; or why it cannot. */
export type XlsxTarget = { ok: true; path: string } | { ok: false; message: string };

async function kind(path: string): Promise<"dir" | "file" | "missing"> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A name in `dir` not taken yet: `name.xlsx`, then `name-2.xlsx`, … */
async function freeName(dir: string, name: string): Promise<string> {
  const stem = name.replace(/\.xlsx$/, "");
  for (let n = 1; n < 1000; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem}-${n}.xlsx`);
    if ((await kind(candidate)) === "missing") return candidate;
  }
  return join(dir, name);
}

/**
 * Resolves `--xlsx ARG` before any search runs. A folder (existing, or written with a trailing `/`) gets a
 * file named per search (`workbookFileName`, never overwriting); a file path is used as given. The folder
 * must exist and be writable: a pt-BR message says which folder and what to do.
 */
export async function resolveXlsxTarget(arg: string, queryText: string, now: Date): Promise<XlsxTarget> {
  const full = resolve(arg);
  const asFolder = /[/\\]$/.test(arg) || (await kind(full)) === "dir";
  const folder = asFolder ? full : dirname(full);
  const folderKind = await kind(folder);
  if (folderKind === "missing") {
    return {
      ok: false,
      message: `Não é possível salvar a planilha: a pasta "${folder}" não existe. Crie a pasta ou escolha outra em --xlsx.`,
    };
  }
  if (folderKind === "file") {
    return { ok: false, message: `Não é possível salvar a planilha: "${folder}" não é uma pasta (--xlsx).` };
  }
  if (!(await writable(folder))) {
    return {
      ok: false,
      message: `Não é possível salvar a planilha: sem permissão de escrita na pasta "${folder}" (--xlsx).`,
    };
  }
  if (asFolder) return { ok: true, path: await freeName(folder, workbookFileName(queryText, now)) };
  if ((await kind(full)) === "file" && !(await writable(full))) {
    return {
      ok: false,
      message: `Não é possível salvar a planilha: o arquivo "${full}" é somente leitura (--xlsx).`,
    };
  }
  return { ok: true, path: full };
}

/** pt-BR reason for a failed write (the results were already shown). */
export function fileErrorMessage(path: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === "ENOSPC"
      ? "o disco está cheio"
      : code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? "sem permissão de escrita"
        : code === "ENOENT"
          ? "a pasta deixou de existir"
          : "erro ao gravar o arquivo";
  return `Não foi possível salvar a planilha em ${path}: ${reason}. Os resultados acima não foram perdidos.`;
}
