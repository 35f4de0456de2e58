import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateBackend, zlibCompress } from './backend.js';

// Mostly repetitive bytes with some noise: what palette indices look like.
function indicesLike(n: number): Uint8Array {
  const noise = randomBytes(n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++)
    out[i] = (noise[i] as number) < 20 ? (noise[i] as number) % 16 : (i >> 6) % 16;
  return out;
}

describe('zlibCompress', () => {
  it('uses libdeflate here (the bootstrap installs libdeflate-dev and builds the addon)', () => {
    expect(deflateBackend()).toMatchObject({ name: 'libdeflate', version: '1.14' });
  });

  it('writes zlib streams that Node’s zlib inflates (header and adler32 checked) at every level', () => {
    const data = indicesLike(200_000);
    const sizes = new Map<number, number>();
    for (let level = 0; level <= 12; level++) {
      const z = zlibCompress(data, level);
      expect(z[0]).toBe(0x78); // deflate, 32 KiB window
      expect(Buffer.from(inflateSync(z)).equals(Buffer.from(data))).toBe(true);
      sizes.set(level, z.length);
    }
    expect(sizes.get(12)).toBeLessThan(sizes.get(1) as number);
    expect(sizes.get(0)).toBeGreaterThan(data.length); // stored blocks
    expect(inflateSync(zlibCompress(new Uint8Array(0), 6)).length).toBe(0);
  });

  it('refuses a level outside 0..12 and data that is not bytes', () => {
    expect(() => zlibCompress(new Uint8Array(4), 13)).toThrow(/level .*0 to 12, got 13/);
    expect(() => zlibCompress(new Uint8Array(4), 1.5)).toThrow(/got 1.5/);
    expect(() => zlibCompress(new Uint16Array(4) as unknown as Uint8Array, 6)).toThrow(
      /Uint8Array/,
    );
  });

  it('falls back to zlib, saying why, where the addon is switched off', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `import(${JSON.stringify(dist)}).then((m) => { const z = m.zlibCompress(new Uint8Array(1000).fill(3), 12); process.stdout.write(JSON.stringify({ b: m.deflateBackend(), ok: require('node:zlib').inflateSync(z).length })); })`;
    const out = execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, KPRESS_DEFLATE: 'zlib' },
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { b: { name: string; reason: string }; ok: number };
    expect(r.b).toMatchObject({ name: 'zlib', reason: 'KPRESS_DEFLATE=zlib' });
    expect(r.ok).toBe(1000);
  });
});
