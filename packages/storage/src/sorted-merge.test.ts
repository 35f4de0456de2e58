import { describe, expect, it } from 'vitest';
import { compareKeys } from './key-order.js';
import { mergeSorted } from './sorted-merge.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('compareKeys', () => {
  it('orders keys by UTF-8 bytes, as S3 lists them', () => {
    const keys = [
      'b',
      'a',
      'a b',
      'a+b',
      'a%20b',
      'é',
      'z',
      '\u{1F600}',
      '\uFF5E',
      'ab',
      'a'.repeat(2),
    ];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
  });

  it('puts characters above U+FFFF after U+FF5E (where UTF-16 order differs)', () => {
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareKeys('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
  });
});

describe('mergeSorted', () => {
  it('pairs equal keys and keeps one-sided keys, in order', async () => {
    const steps = await collect(
      mergeSorted(
        from(['a', 'b', 'd', 'e']),
        from([{ k: 'b' }, { k: 'c' }, { k: 'e' }, { k: 'f' }]),
        (s) => s,
        (r) => r.k,
      ),
    );
    expect(steps.map((s) => [s.key, s.left !== undefined, s.right !== undefined])).toEqual([
      ['a', true, false],
      ['b', true, true],
      ['c', false, true],
      ['d', true, false],
      ['e', true, true],
      ['f', false, true],
    ]);
  });

  it('handles empty sides', async () => {
    expect(await collect(mergeSorted(from<string>([]), from<string>([]), String, String))).toEqual(
      [],
    );
    const onlyLeft = await collect(mergeSorted(from(['x']), from<string>([]), String, String));
    expect(onlyLeft).toEqual([{ key: 'x', left: 'x' }]);
  });

  it('throws naming the keys when a side is out of order', async () => {
    await expect(
      collect(mergeSorted(from(['b', 'a']), from<string>([]), String, String)),
    ).rejects.toThrow(/left stream is not in ascending key order: "a" came after "b"/);
    await expect(
      collect(mergeSorted(from(['a']), from(['c', 'c']), String, String)),
    ).rejects.toThrow(/right stream/);
  });

  it('closes both sources when the consumer stops early', async () => {
    const closed: string[] = [];
    async function* tracked(name: string, items: string[]) {
      try {
        for (const i of items) yield i;
      } finally {
        closed.push(name);
      }
    }
    for await (const step of mergeSorted(
      tracked('l', ['a', 'b']),
      tracked('r', ['a']),
      String,
      String,
    )) {
      expect(step.key).toBe('a');
      break;
    }
    expect(closed.sort()).toEqual(['l', 'r']);
  });
});
