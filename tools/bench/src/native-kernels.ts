// pnpm --filter @kpress/bench bench:native: the native k-means kernels (@kpress/core's
// native/) against TypeScript alone, side by side in one run, alternated and repeated:
// 1. in-process quantize at k = 256 on the three sample PNGs (warm; ms, median and min);
// 2. the CLI, `kpress compress <folder>` with the defaults over the five bench photos, a new
//    process each run, CPU from /usr/bin/time (user + system s), native against
//    KPRESS_CORE_NATIVE=off.
// Every pair of results must be the same bits (palettes, indices; output PNG bytes), or it stops.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreKernels, quantize, useNativeKernels } from '@kpress/core';
import sharp from 'sharp';
import { median } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const samples = join(root, 'fixtures/samples');
const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png'];
const BENCH = ['astronaut.png', 'astronaut.jpg', 'chelsea.png', 'coffee.png', 'coffee.jpg'];
const rounds = Number(process.argv[2] ?? 5);
const cliRounds = Number(process.argv[3] ?? 3);

if (coreKernels().name !== 'native')
  throw new Error(`no native kernels: ${JSON.stringify(coreKernels())}`);
const fmt = (x: number, d = 0) => x.toFixed(d).padStart(7);

process.stdout.write(`in-process quantize, k = 256, ${rounds} rounds alternated (ms)\n`);
process.stdout.write('photo            native med/min        ts med/min   ts/native\n');
for (const name of PHOTOS) {
  const { data, info } = await sharp(join(samples, name))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image = {
    data: new Uint8Array(data),
    width: info.width,
    height: info.height,
    channels: info.channels as 3,
  };
  const times = { native: [] as number[], ts: [] as number[] };
  let first: ReturnType<typeof quantize> | undefined;
  for (let r = -1; r < rounds; r++) {
    const order = r % 2 === 0 ? (['native', 'ts'] as const) : (['ts', 'native'] as const);
    for (const which of order) {
      useNativeKernels(which === 'native');
      const t = performance.now();
      const out = quantize(image, { colors: 256 });
      const ms = performance.now() - t;
      if (r >= 0) times[which].push(ms); // round -1 warms both paths up
      first ??= out;
      if (
        !Buffer.from(out.palette).equals(Buffer.from(first.palette)) ||
        !Buffer.from(out.indices).equals(Buffer.from(first.indices))
      )
        throw new Error(`${name}: native and TypeScript palettes differ`);
    }
  }
  useNativeKernels(true);
  const n = median(times.native);
  const s = median(times.ts);
  process.stdout.write(
    `${name.padEnd(15)} ${fmt(n)} /${fmt(Math.min(...times.native))}  ${fmt(s)} /${fmt(Math.min(...times.ts))}   ${fmt(s / n, 2)}x\n`,
  );
}

const work = mkdtempSync(join(tmpdir(), 'kpress-bench-native-'));
try {
  const input = join(work, 'in');
  mkdirSync(input);
  for (const f of BENCH) copyFileSync(join(samples, f), join(input, f));
  const cli = join(root, 'apps/cli/dist/bin.js');
  const cpu = { native: [] as number[], ts: [] as number[] };
  let reference: Map<string, Buffer> | undefined;
  let run = 0;
  for (let r = 0; r < cliRounds; r++) {
    const order = r % 2 === 0 ? (['native', 'ts'] as const) : (['ts', 'native'] as const);
    for (const which of order) {
      const out = join(work, `out-${run++}`);
      const env = { ...process.env, KPRESS_CORE_NATIVE: which === 'native' ? 'on' : 'off' };
      const p = spawnSync(
        '/usr/bin/time',
        ['-f', '%U %S', process.execPath, cli, 'compress', input, out],
        { env, encoding: 'utf8' },
      );
      if (p.status !== 0) throw new Error(`kpress compress exited ${p.status}: ${p.stderr}`);
      const [user, sys] = (p.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
      cpu[which].push((user ?? Number.NaN) + (sys ?? Number.NaN));
      const pngs = new Map(
        readdirSync(out)
          .filter((f) => f.endsWith('.png'))
          .map((f) => [f, readFileSync(join(out, f))]),
      );
      reference ??= pngs;
      for (const [f, bytes] of reference)
        if (!pngs.get(f)?.equals(bytes))
          throw new Error(`${f}: the ${which} run wrote other bytes`);
    }
  }
  process.stdout.write(
    `\nkpress compress <5 bench photos> (defaults), ${cliRounds} rounds alternated, user+sys s\n` +
      `native: ${cpu.native.map((x) => x.toFixed(2)).join(' ')}  median ${median(cpu.native).toFixed(2)}\n` +
      `ts:     ${cpu.ts.map((x) => x.toFixed(2)).join(' ')}  median ${median(cpu.ts).toFixed(2)}\n` +
      `same PNG bytes in every run: ${reference?.size ?? 0} files\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
