import { readFileSync } from 'node:fs';

/**
 * Reads the .sql files of one folder (`folder` is that folder's URL, e.g. `new URL('.', import.meta.url)`).
 * A file may write `{{name}}` for an expression several statements share: `fragments` names the file
 * that holds it (without its comment lines), and the file is spliced in when it is read, once, at load.
 */
export function sqlFiles(folder: URL, fragments: Record<string, string> = {}): (name: string) => string {
  const read = (name: string) => readFileSync(new URL(name, folder), 'utf8');
  const expressions = Object.fromEntries(
    Object.entries(fragments).map(([k, file]) => [
      k,
      read(file)
        .replace(/^--.*\n/gm, '')
        .trim(),
    ]),
  );
  return (name) =>
    read(name).replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
      const f = expressions[k];
      if (f === undefined) throw new Error(`${name}: no SQL fragment {{${k}}}`);
      return f;
    });
}
