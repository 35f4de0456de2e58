import { describe, expect, it } from 'vitest';
import { BoundedHeap } from './bounded-heap.js';

describe('BoundedHeap', () => {
  it('keeps the best items whatever the order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const heap = new BoundedHeap<number>(5, (a, b) => a - b);
    for (const v of values) heap.offer(v);
    expect(heap.sorted()).toEqual([999, 998, 997, 996, 995]);
    expect(heap.size).toBe(5);
  });

  it('keeps nothing with capacity 0 and rejects a bad capacity', () => {
    const heap = new BoundedHeap<number>(0, (a, b) => a - b);
    expect(heap.offer(1)).toBe(false);
    expect(heap.sorted()).toEqual([]);
    expect(() => new BoundedHeap<number>(-1, (a, b) => a - b)).toThrow(/capacity.*-1/);
  });
});
