import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './measure.js';

/** Wall ms of `kpress compress` (the real CLI, a new process) against a sharp script, alternated. */
export interface CliWall {
  kpressMs: number;
  sharpMs: number;
  runs: number;
}

function wall(args: string[], cwd: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t;
}

/**
 * `kpress compress <jpeg> out.png --colors 16` (default effort) and a
 * node script that does sharp's palette PNG (k=16, dither 0, effort 7), each
 * a new process, `runs` times alternated; medians.
 */
export function compressWallTime(root: string, jpeg: string, runs = 5): CliWall {
  const work = mkdtempSync(join(tmpdir(), 'kpress-wall-'));
  const cli = join(root, 'apps/cli/dist/bin.js');
  const sharpScript = `require('sharp')(${JSON.stringify(jpeg)}).autoOrient().png({ palette: true, colours: 16, dither: 0, effort: 7 }).toFile(${JSON.stringify(join(work, 'sharp.png'))}).catch((e) => { console.error(e); process.exit(1); })`;
  const k: number[] = [];
  const s: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      rmSync(join(work, 'kpress.png'), { force: true });
      // k=16 against sharp's 16 (the default is the perceptual target since issue 25)
      k.push(wall([cli, 'compress', jpeg, join(work, 'kpress.png'), '--colors', '16'], work));
      s.push(wall(['-e', sharpScript], join(root, 'packages/codec')));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { kpressMs: median(k), sharpMs: median(s), runs };
}
