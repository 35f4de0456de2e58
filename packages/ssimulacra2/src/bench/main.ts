/**
 * pnpm --filter @kpress/ssimulacra2 bench: SSIMULACRA 2.1's accuracy on the 32 reference pairs
 * and its speed per image size (a dev script, Node and sharp; not part of the library).
 *   node dist/bench/main.js [--reps N] [--big]    (--big adds a 12 MP image)
 * Times are CPU milliseconds (user + system) of this process, the median of N runs after
 * warm-up runs: a worker scores warm, image after image.
 */
import sharp from 'sharp';
import { prepareOriginal, ssimulacra2 } from '../score.js';
import { decodeLikeReference, referencePairs } from '../test/pairs.js';
import type { ScoreImage } from '../types.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 7;
const big = args.includes('--big');

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(run: () => void, n: number): number {
  for (let i = 0; i < 2; i++) run();
  const times = Array.from({ length: n }, () => cpuMs(run)).sort((a, b) => a - b);
  return times[n >> 1];
}

async function accuracy(): Promise<void> {
  console.log('Accuracy on shared/metrics/reference-scores.json (reference: ssimulacra2 2.1)\n');
  console.log(
    `${'distorted'.padEnd(36)}${'kpress'.padStart(14)}${'reference'.padStart(14)}${'diff'.padStart(10)}`,
  );
  let worst = 0;
  for (const pair of referencePairs()) {
    const score = ssimulacra2(
      await decodeLikeReference(pair.original),
      await decodeLikeReference(pair.distorted),
    );
    const diff = score - pair.ssimulacra2;
    worst = Math.max(worst, Math.abs(diff));
    console.log(
      `${pair.distorted.padEnd(36)}${score.toFixed(8).padStart(14)}${pair.ssimulacra2.toFixed(8).padStart(14)}${diff.toExponential(1).padStart(10)}`,
    );
  }
  console.log(`max |diff| ${worst.toExponential(2)}\n`);
}

/** coffee.png resized to width x height and a JPEG (quality 85) of it, decoded. */
async function resizedPair(width: number, height: number): Promise<[ScoreImage, ScoreImage]> {
  const source = await decodeLikeReference('datasets/samples/coffee.png');
  const raw = { width: source.width, height: source.height, channels: 3 as const };
  const resized = await sharp(source.data, { raw }).resize(width, height).png().toBuffer();
  const jpeg = await sharp(resized).jpeg({ quality: 85 }).toBuffer();
  const decode = async (bytes: Buffer): Promise<ScoreImage> => {
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels as 3 };
  };
  return [await decode(resized), await decode(jpeg)];
}

async function speed(): Promise<void> {
  const cases: [string, Promise<[ScoreImage, ScoreImage]>][] = [
    [
      'chelsea k256',
      Promise.all([
        decodeLikeReference('datasets/samples/chelsea.png'),
        decodeLikeReference('pairs/chelsea.k256.png'),
      ]),
    ],
    [
      'coffee k256',
      Promise.all([
        decodeLikeReference('datasets/samples/coffee.png'),
        decodeLikeReference('pairs/coffee.k256.png'),
      ]),
    ],
    [
      'astronaut k256',
      Promise.all([
        decodeLikeReference('datasets/samples/astronaut.png'),
        decodeLikeReference('pairs/astronaut.k256.png'),
      ]),
    ],
    ['coffee 745x497 jpeg85', resizedPair(745, 497)],
    ['coffee 768x512 jpeg85', resizedPair(768, 512)],
    ['coffee 1732x1155 jpeg85', resizedPair(1732, 1155)],
  ];
  if (big) cases.push(['coffee 4000x3000 jpeg85', resizedPair(4000, 3000)]);
  console.log(`Speed: CPU ms per call, median of ${reps} after 2 warm-up runs, one thread\n`);
  console.log(
    `${'pair'.padEnd(26)}${'MP'.padStart(6)}${'one pair'.padStart(10)}${'prepare'.padStart(10)}${'score'.padStart(10)}${'ms/MP'.padStart(8)}`,
  );
  for (const [name, loading] of cases) {
    const [original, distorted] = await loading;
    const mp = (original.width * original.height) / 1e6;
    const n = mp > 5 ? 3 : reps;
    const pair = median(() => ssimulacra2(original, distorted), n);
    const prepare = median(() => prepareOriginal(original), n);
    const prepared = prepareOriginal(original);
    const score = median(() => prepared.score(distorted), n);
    console.log(
      `${name.padEnd(26)}${mp.toFixed(2).padStart(6)}${pair.toFixed(1).padStart(10)}${prepare.toFixed(1).padStart(10)}${score.toFixed(1).padStart(10)}${(score / mp).toFixed(0).padStart(8)}`,
    );
  }
  console.log(
    '\none pair = ssimulacra2(original, distorted); prepare = prepareOriginal(original); score = prepared.score(distorted), the cost of each further candidate.',
  );
}

await accuracy();
await speed();
