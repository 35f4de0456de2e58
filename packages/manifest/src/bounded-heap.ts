/**
 * Keeps the `capacity` best items seen, in O(capacity) memory and
 * O(log capacity) per offer. `compare(a, b) > 0` means a ranks above b; make
 * it total (break ties on a unique field) for a result independent of the
 * order of offers.
 */
export class BoundedHeap<T> {
  /** A min-heap on rank: items[0] is the worst item kept. */
  private readonly items: T[] = [];

  constructor(
    readonly capacity: number,
    private readonly compare: (a: T, b: T) => number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`capacity must be an integer >= 0, got ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Offers an item; returns whether it was kept. */
  offer(item: T): boolean {
    const { items } = this;
    if (items.length < this.capacity) {
      items.push(item);
      this.up(items.length - 1);
      return true;
    }
    if (this.capacity === 0 || this.compare(item, items[0] as T) <= 0) return false;
    items[0] = item;
    this.down(0);
    return true;
  }

  /** The kept items, best first (a copy). */
  sorted(): T[] {
    return [...this.items].sort((a, b) => this.compare(b, a));
  }

  private up(i: number): void {
    const { items } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  private down(i: number): void {
    const { items } = this;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.compare(items[l] as T, items[min] as T) < 0) min = l;
      if (r < n && this.compare(items[r] as T, items[min] as T) < 0) min = r;
      if (min === i) return;
      [items[i], items[min]] = [items[min] as T, items[i] as T];
      i = min;
    }
  }
}
