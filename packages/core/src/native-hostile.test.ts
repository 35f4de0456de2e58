// The addon called with arguments no kpress caller passes: each call runs in a child process, so
// that a crash (a write past an array, a C stack overflow) fails the test instead of killing the
// test runner. Every call must come back as a thrown error, with the child exiting normally.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const addon = fileURLToPath(new URL('../native/build/Release/kpress_core.node', import.meta.url));
const off = process.env.KPRESS_CORE_NATIVE === 'off';

/** Runs `call` (JavaScript using `addon` and `W`, plain weights) in a child; its exit and output. */
function inChild(call: string): { status: number | null; signal: string | null; out: string } {
  const script = `
    const addon = require(${JSON.stringify(addon)});
    const W = new Float64Array([1, 1, 1, 1]);
    try { const r = (() => { ${call} })(); console.log('returned', r); }
    catch (e) { console.log('threw', e.constructor.name, e.message); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}`.trim() };
}

describe.skipIf(off || !existsSync(addon))('native kernels: hostile arguments throw', () => {
  it('seed with k = 0 (the first centre has nowhere to go)', () => {
    // an empty view at the end of a buffer: a write through it lands past the buffer
    const r = inChild(`
      const centres = new Float64Array(new ArrayBuffer(8), 8, 0);
      return addon.seed(new Float64Array([1, 2, 3, 4]), new Float64Array([1]), 1, 0, 2,
        new Uint32Array(1), centres, W);`);
    expect(r).toMatchObject({ status: 0, signal: null });
    expect(r.out).toMatch(/^threw TypeError core addon: seed: bad array or count$/);
    const empty = inChild(`
      return addon.seed(new Float64Array([1, 2, 3, 4]), new Float64Array([1]), 1, 0, 2,
        new Uint32Array(1), new Float64Array(0), W);`);
    expect(empty).toMatchObject({ status: 0, signal: null });
    expect(empty.out).toMatch(/^threw TypeError/);
  });

  // A chain of nodes (each the only child of the one before): two equal centres are never
  // filtered apart, so each level keeps 2 candidates and k * 12 entries allow ~6k levels.
  const chain = (nodes: number, k: number, links = '') => `
    const nodes = ${nodes}, k = ${k};
    const lo = new Uint8Array(nodes * 4).fill(128), hi = new Uint8Array(nodes * 4).fill(128);
    const first = new Int32Array(nodes), kids = new Int32Array(nodes);
    const start = new Int32Array(nodes), end = new Int32Array(nodes).fill(1);
    for (let i = 0; i < nodes - 1; i++) { first[i] = i + 1; kids[i] = 1; }
    ${links}
    const c = new Float64Array(k * 4);
    for (let j = 0; j < k; j++) c.set(j < 2 ? [128, 128, 128, 255] : [0, 0, 0, 255], j * 4);
    return addon.treeAssign(lo, hi, new Uint8Array([128, 128, 128, 255]), first, kids, start,
      end, new Float64Array(1), new Float64Array(nodes * 4), new Float64Array(nodes), c, k, true,
      new Float64Array(k * 4), new Float64Array(k), new Int32Array(k * 12), null, W);`;

  it('treeAssign over a chain of 300,000 nodes (not a C stack overflow)', () => {
    const r = inChild(chain(300_000, 40_000));
    expect(r).toMatchObject({ status: 0, signal: null });
    expect(r.out).toMatch(/^threw \w+Error core addon: treeAssign/);
  });

  it('treeAssign over 12 levels, and over a node that is the child of two parents', () => {
    const deep = inChild(chain(12, 2));
    expect(deep.out).toMatch(/^threw TypeError core addon: treeAssign: bad array, count or tree$/);
    expect(inChild(chain(11, 2)).out).toBe('returned undefined');
    // the root's children are nodes 1 and 2, and node 1's child is node 2 too
    const shared = inChild(chain(4, 2, 'kids[0] = 2;'));
    expect(shared.out).toMatch(
      /^threw TypeError core addon: treeAssign: bad array, count or tree$/,
    );
  });

  it('the palette sums (palette_tables.c): entry numbers and indices out of range', () => {
    const colours = 'const colors = new Uint8Array(8), counts = new Float64Array([1, 2]);';
    const cases: [string, RegExp][] = [
      [
        `${colours} return addon.colourSse(colors, counts, 2, new Uint8Array(8), 2, new Int32Array([0, 2]));`,
        /colourSse: bad array, count or entry number/,
      ],
      [
        `${colours} return addon.colourSse(colors, counts, 2, new Uint8Array(8), 2, new Int32Array([-1, 0]));`,
        /colourSse/,
      ],
      [
        `${colours} return addon.colourSse(colors, counts, 3, new Uint8Array(8), 2, new Int32Array(3));`,
        /colourSse/,
      ],
      [
        `${colours} return addon.colourSse(colors, counts, 2, new Uint8Array(4), 2, new Int32Array(2));`,
        /colourSse/,
      ],
      [
        'return addon.entryCounts(new Float64Array(2), 2, new Int32Array([0, 5]), new Float64Array(2));',
        /entryCounts: bad array, count or entry number/,
      ],
      [
        'return addon.entryCounts(new Float64Array(2), 2, new Int32Array([0, 1]), new Float32Array(2));',
        /entryCounts/,
      ],
      [
        'return addon.colourIndices(2, new Int32Array([0, 9]), new Int32Array(2), new Uint8Array(2));',
        /colourIndices: bad array, count or entry number/,
      ],
      [
        'return addon.colourIndices(3, new Int32Array(3), new Int32Array(2), new Uint8Array(2));',
        /colourIndices/,
      ],
      [
        'return addon.paletteMse(new Uint8Array(9), 2, new Uint8Array(8), new Uint8Array(3));',
        /paletteMse: bad array or channels/,
      ],
      [
        'return addon.paletteMse(new Uint8Array(9), 3, new Uint8Array(8), new Uint8Array(2));',
        /paletteMse/,
      ],
    ];
    for (const [call, message] of cases) {
      const r = inChild(call);
      expect(r).toMatchObject({ status: 0, signal: null });
      expect(r.out).toMatch(/^threw TypeError core addon: /);
      expect(r.out).toMatch(message);
    }
    // an index past the palette: -1, so that the TypeScript answers (NaN, as it always has)
    expect(
      inChild(
        'return addon.paletteMse(new Uint8Array(6), 3, new Uint8Array(4), new Uint8Array([0, 1]));',
      ).out,
    ).toBe('returned -1');
  });
});
