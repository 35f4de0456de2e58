import { samplePath } from '@kpress/testkit';
import sharp from 'sharp';

const BASES = ['astronaut.png', 'chelsea.png', 'coffee.png'] as const;

/**
 * `count` small, distinct images made from the fixture samples: crops of
 * 48..111 pixels a side at shifting offsets, alternately JPEG and PNG, named
 * `v<i>.jpg` / `v<i>.png` under `dir` (e.g. `"a/"`).
 */
export async function sampleVariants(count: number, dir = ''): Promise<Record<string, Buffer>> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  }
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    const base = BASES[i % BASES.length] as string;
    const size = 48 + ((i * 37) % 64);
    const img = sharp(samplePath(base)).extract({
      left: (i * 13) % 150,
      top: (i * 7) % 150,
      width: size,
      height: size,
    });
    const jpeg = i % 2 === 0;
    const name = `${dir}v${String(i).padStart(4, '0')}.${jpeg ? 'jpg' : 'png'}`;
    out[name] = jpeg ? await img.jpeg({ quality: 90 }).toBuffer() : await img.png().toBuffer();
  }
  return out;
}

/**
 * `count` distinct full-size images (the 512-pixel fixture samples, each
 * rotated by its own angle), as PNG `l<i>.png`: each takes a worker a few
 * hundred ms at 256 colours, so a batch of them is still running when a test
 * looks at it.
 */
export async function largeVariants(count: number, dir = ''): Promise<Record<string, Buffer>> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  }
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    const base = BASES[i % BASES.length] as string;
    const img = sharp(samplePath(base)).rotate(7 * i + 3, { background: '#808080' });
    out[`${dir}l${String(i).padStart(4, '0')}.png`] = await img.png().toBuffer();
  }
  return out;
}
