// Builds a package's optional Node-API addon (<package>/native/binding.gyp, its first target)
// with node-gyp against Node's own headers, so that nothing is downloaded. Never fails the
// install: where the compiler or a header is missing it says so in one line (prefixed
// "[kpress] <package>:"), and the package runs without its addon. Skips the build while the
// addon is newer than its sources, binding.gyp and any extra input.
// binding.gyp sits in native/, not beside package.json, so that package managers do not run
// their implicit `node-gyp rebuild` (which downloads headers).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/** One line on stderr, as every kpress build step says things. */
export const say = (line) => console.error(`[kpress] ${line}`);

/**
 * Builds `<dir>/native`'s addon. `fallback` says what runs without it ("zlib deflates").
 * `inputs`: more files whose change calls for a rebuild (a system header). Returns the
 * addon's path when it is built (now or before), or undefined after saying why not.
 */
export function buildAddon({ dir, fallback, inputs = [] }) {
  const native = join(dir, 'native');
  const gypFile = join(native, 'binding.gyp');
  const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name ?? basename(dir);
  // kpress's binding.gyp files are JSON (gyp's Python literal syntax allows more)
  const target = JSON.parse(readFileSync(gypFile, 'utf8')).targets[0];
  const addon = join(native, 'build', 'Release', `${target.target_name}.node`);
  const headers = readdirSync(native).filter((f) => f.endsWith('.h'));
  const sources = [...target.sources, ...headers, 'binding.gyp'].map((f) => join(native, f));
  const built = existsSync(addon) ? statSync(addon).mtimeMs : 0;
  const newest = Math.max(...[...sources, ...inputs].map((f) => statSync(f).mtimeMs));
  if (built > newest) return addon;

  // Node's own headers (Debian: /usr/include/node, the official images: /usr/local/include/node).
  const nodedir = dirname(dirname(process.execPath));
  const args = ['rebuild', '--release', '--jobs', '2'];
  if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
  const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  const r = spawnSync(process.execPath, [gyp, ...args], { cwd: native, encoding: 'utf8' });
  if (r.status !== 0) {
    const detail =
      `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l)) ??
      `exit ${r.status}`;
    say(`${name}: building ${basename(addon)} failed (${detail.trim()}); ${fallback}.`);
    return undefined;
  }
  return addon;
}
