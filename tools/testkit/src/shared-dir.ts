import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: testkit sits at `tools/testkit/dist/`. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The `shared/` folder (reference data kept beside the repository, e.g. SSIMULACRA 2
 * reference scores): `$KPRESS_SHARED_DIR` when set, else the first `shared/` beside the
 * repository root or beside one of its parents (the CI clones the repository with `shared/`
 * beside it; a git worktree under `wt/` finds it one level further up). Throws, naming the
 * places looked at, when there is none: a test that needs it must fail, not skip.
 */
export function sharedDir(): string {
  const fromEnv = process.env.KPRESS_SHARED_DIR;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`KPRESS_SHARED_DIR is ${fromEnv}, which does not exist`);
    }
    return fromEnv;
  }
  const tried: string[] = [];
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared');
    tried.push(candidate);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `no shared/ folder beside the repository (looked at ${tried.join(', ')}); clone it there or set KPRESS_SHARED_DIR`,
  );
}

/** Path of a file in the `shared/` folder, e.g. `sharedPath('metrics/reference-scores.json')`. */
export function sharedPath(relative: string): string {
  return join(sharedDir(), relative);
}
