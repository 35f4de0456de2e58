/**
 * The perceptual target against pngquant, side by side in one run (issue 25):
 * (a) CPU of one default (`--target 80`) `kpress compress <folder> <out>`
 * process against the summed CPU of pngquant at its defaults on the same
 * photos; (b) at pngquant's own score on each photo (kpress's SSIMULACRA 2.1
 * of pngquant's PNG), kpress's bytes over pngquant's; (c) the scores of the
 * default run, and where the CPU goes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodecError, compressImage, decode } from '@kpress/codec';
import { ssimulacra2 } from '@kpress/ssimulacra2';
import sharp from 'sharp';
import { PNGQUANT } from './systems.js';

/** The bench photos (the samples that are photos: not the truncated JPEG). */
export const TARGET_PHOTOS = [
  'astronaut.png',
  'astronaut.jpg',
  'chelsea.png',
  'coffee.png',
  'coffee.jpg',
];

/**
 * Rounds of the CPU comparison (a), kpress and pngquant alternating; the figure is the median
 * round's. A single pair of runs moved by 0.2x between runs on a shared 2-core machine.
 * KPRESS_BENCH_ROUNDS overrides: an odd number from 1 to 25, so that the median is one round.
 */
export function cpuRounds(value = process.env.KPRESS_BENCH_ROUNDS): number {
  if (value === undefined || value === '') return 5;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 25 || n % 2 === 0) {
    throw new RangeError(`KPRESS_BENCH_ROUNDS must be an odd number from 1 to 25, got ${value}`);
  }
  return n;
}

/** The CPU budget of the default run, as a multiple of pngquant's (issue 25). */
export const CPU_BUDGET = 1.5;
/** The bytes budget at pngquant's own score, as a fraction of pngquant's (issue 25). */
export const BYTES_BUDGET = 0.85;

/** CPU seconds (user + system, every thread) and exit status of one process, by /usr/bin/time. */
function cpuOf(args: string[], cwd?: string): { cpuS: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'KPRESS_CPU %U %S', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    ...(cwd === undefined ? {} : { cwd }),
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('KPRESS_CPU'));
  if (line === undefined || r.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  const [, user, system] = line.split(' ');
  return { cpuS: Number(user) + Number(system), stdout: r.stdout };
}

async function pixelsOf(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
}

interface PhotoFigures {
  name: string;
  pngquantBytes: number;
  pngquantScore: number;
  /** kpress at --target pngquantScore: bytes and colours, or null when it kept the original. */
  kpressBytes: number | null;
  kpressColors: number | null;
}

/** Lines of the bench's target section; `photos` are the bench photos, `pngOf` their decoded PNGs (pngquant's input). */
export async function targetSection(
  root: string,
  work: string,
  photos: string[],
  pngOf: Map<string, string>,
): Promise<{ lines: string[]; cpuRatio: number; bytesRatio: number }> {
  const cli = join(root, 'apps/cli/dist/bin.js');
  const folder = join(work, 'target-in');
  mkdirSync(folder, { recursive: true });
  for (const p of photos) copyFileSync(p, join(folder, basename(p)));

  // (a) one kpress process over the folder, default options; pngquant once per photo, defaults;
  // in rounds, the two alternating, so that a busy spell of the machine falls on both
  const start = cpuOf([process.execPath, cli, '--version']).cpuS;
  const pngquantOut = (p: string) => join(work, `${basename(p)}.pngquant.png`);
  const runs: { kpress: number; pngquant: number }[] = [];
  const rounds = cpuRounds();
  for (let round = 0; round < rounds; round++) {
    const out = join(work, round === 0 ? 'target-out' : `target-out-${round}`);
    const kpressCpu = cpuOf([process.execPath, cli, 'compress', folder, out]).cpuS;
    let pngquantCpu = 0;
    for (const p of photos) {
      const src = pngOf.get(p) as string;
      pngquantCpu += cpuOf([PNGQUANT, '--force', '--output', pngquantOut(p), src]).cpuS;
    }
    runs.push({ kpress: kpressCpu, pngquant: pngquantCpu });
  }
  const byRatio = [...runs].sort((x, y) => x.kpress / x.pngquant - y.kpress / y.pngquant);
  const median = byRatio[(byRatio.length - 1) >> 1] as { kpress: number; pngquant: number };
  const figures: PhotoFigures[] = [];
  for (const p of photos) {
    const png = readFileSync(pngquantOut(p));
    const input = readFileSync(p);
    const score = ssimulacra2(await decode(input), await pixelsOf(png));
    // (b) kpress at pngquant's own score on this photo
    const at = await compressImage(input, { target: Math.floor(score * 100) / 100 }).catch(
      (e: unknown) => {
        if (e instanceof CodecError && e.code === 'BELOW_TARGET') return null;
        throw e;
      },
    );
    figures.push({
      name: basename(p),
      pngquantBytes: png.byteLength,
      pngquantScore: score,
      kpressBytes: at?.png.byteLength ?? null,
      kpressColors: at?.colors ?? null,
    });
  }
  const manifest = readManifest(join(work, 'target-out'));
  const cpuRatio = median.kpress / median.pngquant;
  const served = figures.filter((f) => f.kpressBytes !== null);
  const servedRatio =
    served.reduce((s, f) => s + (f.kpressBytes ?? 0), 0) /
    served.reduce((s, f) => s + f.pngquantBytes, 0);
  const bytesRatio = served.length === figures.length ? servedRatio : Number.NaN;
  const where = await whereTimeGoes(photos);
  const lines = [
    `(a) CPU: one default (--target 80) \`kpress compress <folder>\` process over ${photos.length} photos ${median.kpress.toFixed(2)} s (of which ${start.toFixed(2)} s is a bare process start, \`kpress --version\`) vs pngquant defaults ${median.pngquant.toFixed(2)} s summed over ${photos.length} processes: ${cpuRatio.toFixed(2)}x (budget ${CPU_BUDGET}x), the median of ${runs.length} rounds, the two alternating (each round, kpress s / pngquant s = ratio: ${runs.map((r) => `${r.kpress.toFixed(2)}/${r.pngquant.toFixed(2)} = ${(r.kpress / r.pngquant).toFixed(2)}`).join('; ')})`,
    `    where kpress's time goes, in process, summed over the photos (ms): ${where}`,
    `(b) bytes at pngquant's own score (kpress --target = kpress's SSIMULACRA 2.1 of pngquant's PNG): ${Number.isNaN(bytesRatio) ? `n/a over all (${figures.length - served.length} kept as originals); ${servedRatio.toFixed(3)}x over the ${served.length} kpress served` : `${bytesRatio.toFixed(3)}x`} (budget ${BYTES_BUDGET}x)`,
    ...figures.map(
      (f) =>
        `    ${f.name}: pngquant ${f.pngquantBytes} B at ${f.pngquantScore.toFixed(2)}; kpress ${f.kpressBytes === null ? 'kept the original (no palette reaches it)' : `${f.kpressBytes} B with ${f.kpressColors} colours (${((f.kpressBytes ?? 0) / f.pngquantBytes).toFixed(3)}x)`}`,
    ),
    `(c) scores of the default run (SSIMULACRA 2.1, kpress's own): ${scoreDistribution(manifest)}`,
    ...manifest.map(
      (r) =>
        `    ${basename(r.key)}: ${r.status}${r.ssimulacra2 === null ? '' : ` ${r.ssimulacra2.toFixed(2)}, ${r.colors} colours`}${r.status === 'kept-original' ? ` (${r.error})` : ''}`,
    ),
  ];
  return { lines, cpuRatio, bytesRatio };
}

interface Row {
  key: string;
  status: string;
  ssimulacra2: number | null;
  colors: number | null;
  error: string | null;
}

function readManifest(out: string): Row[] {
  const dir = join(out, '_kpress');
  const run = readdirSync(dir).find((d) => statSync(join(dir, d)).isDirectory()) as string;
  return readFileSync(join(dir, run, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
}

function scoreDistribution(rows: Row[]): string {
  const scores = rows
    .map((r) => r.ssimulacra2)
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
  const kept = rows.filter((r) => r.status === 'kept-original').length;
  if (scores.length === 0) return `no compressed output; ${kept} kept as originals`;
  const median = scores[Math.floor(scores.length / 2)] as number;
  return `${scores.length} compressed: min ${scores[0]?.toFixed(2)}, median ${median.toFixed(2)}, max ${scores.at(-1)?.toFixed(2)}; ${kept} kept as originals (below 80 at every palette)`;
}

/** Decode, quantize (search), score and encode ms of the default run, in this process (warm). */
async function whereTimeGoes(photos: string[]): Promise<string> {
  const sum = { decodeMs: 0, quantizeMs: 0, scoreMs: 0, encodeMs: 0, probes: 0, kept: 0 };
  let keptMs = 0;
  for (const warm of [true, false]) {
    for (const p of photos) {
      const input = readFileSync(p);
      const t = performance.now();
      const r = await compressImage(input).catch((e: unknown) => {
        if (e instanceof CodecError && e.code === 'BELOW_TARGET') return null;
        throw e;
      });
      if (warm) continue;
      if (r === null) {
        sum.kept++;
        keptMs += performance.now() - t;
        continue;
      }
      sum.decodeMs += r.timings.decodeMs;
      sum.quantizeMs += r.timings.quantizeMs;
      sum.scoreMs += r.timings.scoreMs;
      sum.encodeMs += r.timings.encodeMs;
      sum.probes += r.probes;
    }
  }
  const n = photos.length - sum.kept;
  return `decode ${sum.decodeMs.toFixed(0)}, quantize (every probe) ${sum.quantizeMs.toFixed(0)}, score ${sum.scoreMs.toFixed(0)}, encode ${sum.encodeMs.toFixed(0)} over the ${n} a palette served (${sum.probes} probes; a served one whose PNG is no smaller than its source is then kept, by the run, not here); the ${sum.kept} no palette served ${keptMs.toFixed(0)} in all (2 probes each at 256 colours, undithered and dithered: decode, quantize, dither, score)`;
}
