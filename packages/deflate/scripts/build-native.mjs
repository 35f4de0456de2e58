#!/usr/bin/env node
// Builds the libdeflate addon (native/build/Release/kpress_deflate.node) with
// node-gyp against Debian's libdeflate-dev, linked statically. Never fails the
// install: where libdeflate-dev or a compiler is missing it says so in one
// line and the PNG writer deflates with zlib (see src/backend.ts).
// binding.gyp sits in native/, not beside package.json, so that package
// managers do not run their implicit `node-gyp rebuild` (which downloads headers).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(here, 'native');
const addon = join(native, 'build', 'Release', 'kpress_deflate.node');
const sources = ['deflate.c', 'binding.gyp'].map((f) => join(native, f));
const say = (line) => console.error(`[kpress] ${line}`);

const header = ['/usr/include', '/usr/local/include'].find((d) =>
  existsSync(join(d, 'libdeflate.h')),
);
if (header === undefined) {
  say(
    'libdeflate-dev is not installed: PNGs will be deflated with zlib (larger, slower). ' +
      'Install it (Debian: apt-get install -y libdeflate-dev) and run pnpm install again.',
  );
  process.exit(0);
}
const built = existsSync(addon) ? statSync(addon).mtimeMs : 0;
const newest = Math.max(
  statSync(join(header, 'libdeflate.h')).mtimeMs,
  ...sources.map((f) => statSync(f).mtimeMs),
);
if (built > newest) process.exit(0);

// Node's own headers, so that node-gyp downloads nothing (Debian: /usr/include/node,
// the official images: /usr/local/include/node).
const nodedir = dirname(dirname(process.execPath));
const args = ['rebuild', '--release', '--jobs', '2'];
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const r = spawnSync(process.execPath, [gyp, ...args], { cwd: native, encoding: 'utf8' });
if (r.status !== 0) {
  const detail =
    `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l)) ??
    `exit ${r.status}`;
  say(`building the libdeflate addon failed (${detail.trim()}): PNGs will be deflated with zlib.`);
  process.exit(0);
}
// libdeflate is MIT (Expat): its notice travels with the binary that contains it.
const notice = '/usr/share/doc/libdeflate-dev/copyright';
if (existsSync(notice))
  copyFileSync(notice, join(native, 'build', 'Release', 'LIBDEFLATE-LICENSE'));
