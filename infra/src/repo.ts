import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository root (infra/ is one level below it). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** Files directly in a repo folder whose names end in one of `exts`, sorted. */
export function listRepoFiles(dir: string, exts: readonly string[]): string[] {
  return readdirSync(join(repoRoot, dir))
    .filter((f) => exts.some((e) => f.endsWith(e)))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Every document of a multi-document YAML file, as plain objects; throws on any parse error. */
export function parseYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readRepoFile(path));
  if (!Array.isArray(docs)) throw new Error(`${path}: empty YAML`);
  return docs.map((doc, i) => {
    if (doc.errors.length > 0) {
      throw new Error(`${path} document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    return doc.toJS({ maxAliasCount: 100 });
  });
}
