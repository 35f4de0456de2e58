import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { CliError, EXIT } from '@kpress/cli-kit';
import { KPRESS_DIR } from '@kpress/storage/layout';

/** One local file to compress, and the name it has under the output folder. */
export interface LocalSource {
  /** The file as found (absolute). */
  path: string;
  /** Its name in the output tree, `/`-separated: a folder's files keep their place in it, a file its name. */
  rel: string;
  size: number;
}

/** What the walk found and left out. */
export interface LocalInputs {
  sources: LocalSource[];
  /** Symbolic links and other non-regular files, not followed (a batch has none). */
  skipped: string[];
}

const toRel = (p: string) => p.split(sep).join('/');

/**
 * The files of `inputs`: a file stands for itself (named by its base name), a
 * folder for every regular file under it (named by its path inside it),
 * except `_kpress/` folders, where kpress writes its manifests. Sorted by
 * name. Two inputs with the same name are refused (exit 2), as is a missing one.
 */
export async function collectInputs(inputs: readonly string[]): Promise<LocalInputs> {
  const sources: LocalSource[] = [];
  const skipped: string[] = [];
  const dirName = KPRESS_DIR.replace(/\/$/, '');
  for (const input of inputs) {
    const path = resolve(input);
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(
        `${input}: ${code === 'ENOENT' ? 'no such file or folder' : code}`,
        EXIT.failure,
      );
    }
    if (st.isFile()) {
      sources.push({ path, rel: basename(path), size: st.size });
    } else if (st.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        // Dirent.parentPath is Node 20.12+; `path` is the same folder on 20.9-20.11
        const full = join(e.parentPath ?? e.path, e.name);
        const rel = toRel(relative(path, full));
        if (rel.split('/').includes(dirName)) continue;
        if (e.isDirectory()) continue;
        if (!e.isFile()) {
          skipped.push(full);
          continue;
        }
        sources.push({ path: full, rel, size: (await lstat(full)).size });
      }
    } else {
      skipped.push(path);
    }
  }
  sources.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (let i = 1; i < sources.length; i++) {
    const [a, b] = [sources[i - 1] as LocalSource, sources[i] as LocalSource];
    if (a.rel === b.rel) {
      throw new CliError(
        `${a.path} and ${b.path} would both be written as ${a.rel}: give them in separate commands`,
        EXIT.usage,
      );
    }
  }
  return { sources, skipped };
}

/** The real path of `p`, or of its nearest existing parent joined with the rest (for outputs not written yet). */
export async function realPathOf(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = resolve(abs, '..');
    if (parent === abs) return abs;
    return join(await realPathOf(parent), basename(abs));
  }
}

/** True when `child` is `parent` or inside it (real paths). */
export function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}
