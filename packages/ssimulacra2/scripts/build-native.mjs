#!/usr/bin/env node
// Builds the optional AVX2 + FMA kernels (native/build/Release/kpress_ssimulacra2.node) with
// node-gyp. Never fails the install: where a compiler is missing it says so in one line and
// the WebAssembly kernels do all the work (same scores, 5-10x slower blur; src/native.ts).
// binding.gyp sits in native/, not beside package.json, so that package managers do not run
// their implicit `node-gyp rebuild` (which downloads headers).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(here, 'native');
const addon = join(native, 'build', 'Release', 'kpress_ssimulacra2.node');
const sources = ['addon.c', 'binding.gyp'].map((f) => join(native, f));
const say = (line) => console.error(`[kpress] ${line}`);

if (process.arch !== 'x64') {
  say(`ssimulacra2: no native kernels for ${process.arch}; the WebAssembly ones score alone.`);
  process.exit(0);
}
const built = existsSync(addon) ? statSync(addon).mtimeMs : 0;
if (built > Math.max(...sources.map((f) => statSync(f).mtimeMs))) process.exit(0);

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
  say(
    `ssimulacra2: building the native kernels failed (${detail.trim()}); WebAssembly scores alone.`,
  );
}
