import { compareKeys } from './key-order.js';

/** One step of a merge: the key, and the item from each side that holds it. */
export interface MergeStep<L, R> {
  key: string;
  left?: L;
  right?: R;
}

/**
 * Merges two async streams that are each sorted by key (S3 listing order) into
 * one sorted stream, pairing items that share a key. Holds one item of each
 * side at a time, so it works on listings of any length. Throws when a side is
 * not sorted or repeats a key: a wrong merge would lose or double rows.
 */
export async function* mergeSorted<L, R>(
  left: AsyncIterable<L>,
  right: AsyncIterable<R>,
  leftKey: (item: L) => string,
  rightKey: (item: R) => string,
): AsyncGenerator<MergeStep<L, R>> {
  const l = sortedCursor(left, leftKey, 'left');
  const r = sortedCursor(right, rightKey, 'right');
  try {
    let a = await l.next();
    let b = await r.next();
    while (a || b) {
      if (a && b) {
        const c = compareKeys(a.key, b.key);
        if (c === 0) {
          yield { key: a.key, left: a.item, right: b.item };
          a = await l.next();
          b = await r.next();
        } else if (c < 0) {
          yield { key: a.key, left: a.item };
          a = await l.next();
        } else {
          yield { key: b.key, right: b.item };
          b = await r.next();
        }
      } else if (a) {
        yield { key: a.key, left: a.item };
        a = await l.next();
      } else if (b) {
        yield { key: b.key, right: b.item };
        b = await r.next();
      }
    }
  } finally {
    await l.close();
    await r.close();
  }
}

interface Keyed<T> {
  key: string;
  item: T;
}

function sortedCursor<T>(source: AsyncIterable<T>, keyOf: (item: T) => string, side: string) {
  const it = source[Symbol.asyncIterator]();
  let previous: string | undefined;
  let done = false;
  return {
    async next(): Promise<Keyed<T> | undefined> {
      if (done) return undefined;
      const step = await it.next();
      if (step.done) {
        done = true;
        return undefined;
      }
      const key = keyOf(step.value);
      if (previous !== undefined && compareKeys(previous, key) >= 0) {
        throw new Error(
          `mergeSorted: the ${side} stream is not in ascending key order: ${JSON.stringify(key)} came after ${JSON.stringify(previous)}`,
        );
      }
      previous = key;
      return { key, item: step.value };
    },
    async close(): Promise<void> {
      if (!done) {
        done = true;
        await it.return?.();
      }
    },
  };
}
