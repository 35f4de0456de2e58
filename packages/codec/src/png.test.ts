import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { luminanceOrder, reorderPalette } from './palette-order.js';
import { bitDepthFor, encodePalettePng, type PaletteImage } from './png.js';
import { pngChunks } from './test/fixtures.js';

/** Deterministic pseudo-random palette image (xorshift), with smooth regions so filters matter. */
function makeImage(width: number, height: number, colors: number, alphaEntries = 0): PaletteImage {
  let s = 0x9e3779b9 ^ (width * 31 + height * 17 + colors);
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
  const palette = new Uint8Array(colors * 4);
  for (let i = 0; i < colors; i++) {
    palette[i * 4] = Math.floor(rand() * 256);
    palette[i * 4 + 1] = Math.floor(rand() * 256);
    palette[i * 4 + 2] = Math.floor(rand() * 256);
    palette[i * 4 + 3] = i < alphaEntries ? Math.floor(rand() * 255) : 255;
  }
  const indices = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const smooth = Math.floor(((x + y) / (width + height)) * colors);
      indices[y * width + x] = rand() < 0.2 ? Math.floor(rand() * colors) : smooth;
    }
  }
  return { width, height, palette, colors, hasAlpha: alphaEntries > 0, indices };
}

/** Decodes with sharp (libpng) and checks every pixel is exactly palette[index]. */
async function expectExactPixels(png: Buffer, q: PaletteImage): Promise<void> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(q.width);
  expect(info.height).toBe(q.height);
  const ch = info.channels;
  expect(ch).toBe(q.hasAlpha ? 4 : 3);
  let mismatches = 0;
  for (let p = 0; p < q.width * q.height; p++) {
    const e = (q.indices[p] as number) * 4;
    for (let c = 0; c < ch; c++) if (data[p * ch + c] !== q.palette[e + c]) mismatches++;
  }
  expect(mismatches).toBe(0);
}

describe('bitDepthFor', () => {
  it('picks the smallest of 1/2/4/8 that holds the colours', () => {
    expect([1, 2, 3, 4, 5, 16, 17, 256].map(bitDepthFor)).toEqual([1, 1, 2, 2, 4, 4, 8, 8]);
  });
});

describe('encodePalettePng', () => {
  const cases: [number, number, number, number][] = [
    // width, height, colors, bit depth; odd widths exercise the sub-byte row padding
    [13, 7, 2, 1],
    [33, 9, 3, 2],
    [61, 17, 16, 4],
    [64, 20, 17, 8],
    [101, 40, 256, 8],
    [1, 1, 1, 1],
  ];
  for (const [w, h, colors, depth] of cases) {
    it(`${w}x${h}, ${colors} colours -> ${depth}-bit palette PNG, exact pixels`, async () => {
      const q = makeImage(w, h, colors);
      const png = await encodePalettePng(q);
      const meta = await sharp(png).metadata();
      expect(meta.isPalette).toBe(true);
      expect(meta.bitsPerSample).toBe(depth);
      expect(png[24]).toBe(depth);
      expect(png[25]).toBe(3);
      const chunks = pngChunks(png);
      expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
      const plte = chunks[1]?.data;
      expect(plte?.length).toBe(colors * 3);
      for (let i = 0; i < colors; i++) {
        expect(Array.from(plte?.subarray(i * 3, i * 3 + 3) ?? [])).toEqual(
          Array.from(q.palette.subarray(i * 4, i * 4 + 3)),
        );
      }
      await expectExactPixels(png, q);
    });
  }

  it('writes tRNS up to the last non-opaque entry only, and the alpha decodes exactly', async () => {
    const q = makeImage(40, 30, 20, 5);
    const png = await encodePalettePng(q);
    const trns = pngChunks(png).find((c) => c.type === 'tRNS');
    expect(trns?.data.length).toBe(5);
    expect(Array.from(trns?.data ?? [])).toEqual([0, 1, 2, 3, 4].map((i) => q.palette[i * 4 + 3]));
    await expectExactPixels(png, q);
  });

  it('writes no tRNS when hasAlpha is false', async () => {
    const png = await encodePalettePng(makeImage(40, 30, 20));
    expect(pngChunks(png).some((c) => c.type === 'tRNS')).toBe(false);
  });

  it('is deterministic', async () => {
    const q = makeImage(200, 100, 64);
    const a = await encodePalettePng(q);
    const b = await encodePalettePng(q);
    expect(a.equals(b)).toBe(true);
  });

  it('writes the same pixels at every effort, as a zlib stream any inflate reads', async () => {
    const q = makeImage(300, 200, 16, 3);
    const sizes: number[] = [];
    for (const effort of [1, 2, 3, 4, 5]) {
      const png = await encodePalettePng(q, { effort });
      await expectExactPixels(png, q);
      // Node's zlib (not libdeflate) inflates it, checking the adler32
      const idat = Buffer.concat(
        pngChunks(png)
          .filter((c) => c.type === 'IDAT')
          .map((c) => c.data),
      );
      expect(() => inflateSync(idat)).not.toThrow();
      sizes.push(png.length);
    }
    expect((await encodePalettePng(q)).equals(await encodePalettePng(q, { effort: 3 }))).toBe(true);
    expect(new Set(sizes).size).toBeGreaterThan(1); // the efforts do differ
    expect(sizes[4]).toBeLessThanOrEqual(sizes[3] as number); // 5 keeps the smallest of its tries
  });

  it('reorders a palette without changing a pixel, transparent entries first', async () => {
    const q = makeImage(64, 48, 40, 5);
    const order = luminanceOrder(q);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    for (let i = 0; i < 5; i++) expect(order[i]).toBeLessThan(5);
    const r = reorderPalette(q, order);
    for (let p = 0; p < q.indices.length; p++) {
      const a = (q.indices[p] as number) * 4;
      const b = (r.indices[p] as number) * 4;
      expect([...r.palette.subarray(b, b + 4)]).toEqual([...q.palette.subarray(a, a + 4)]);
    }
    await expectExactPixels(await encodePalettePng(r), q);
  });

  it('filter none writes filter byte 0 on every row', async () => {
    const q = makeImage(50, 20, 16);
    const png = await encodePalettePng(q, { effort: 1 });
    const idat = pngChunks(png).find((c) => c.type === 'IDAT');
    const raw = inflateSync(idat?.data ?? Buffer.alloc(0));
    const stride = 1 + Math.ceil((50 * 4) / 8);
    expect(raw.length).toBe(stride * 20);
    for (let y = 0; y < 20; y++) expect(raw[y * stride]).toBe(0);
  });

  it('refuses bad input with errors naming the value', async () => {
    const q = makeImage(10, 10, 4);
    await expect(encodePalettePng({ ...q, colors: 0 })).rejects.toThrow(/colors .*got 0/);
    await expect(encodePalettePng({ ...q, colors: 300 })).rejects.toThrow(/colors .*got 300/);
    await expect(encodePalettePng({ ...q, width: 11 })).rejects.toThrow(/indices has 100 entries/);
    const bad = { ...q, indices: q.indices.slice() };
    bad.indices[7] = 4;
    await expect(encodePalettePng(bad)).rejects.toThrow(/indices\[7\] is 4/);
    await expect(encodePalettePng({ ...q, palette: q.palette.subarray(0, 8) })).rejects.toThrow(
      /palette/,
    );
    await expect(encodePalettePng(q, { effort: 6 })).rejects.toThrow(/effort .*got 6/);
  });
});
