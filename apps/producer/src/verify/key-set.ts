/**
 * A set of keys held as 64-bit hashes in one typed array (open addressing,
 * linear probing): 16 bytes per key at most, against about 110 for a `Set` of
 * strings (measured: 109 MB for a million 16-hex-digit strings). `verify`
 * keeps every output key of a batch in one, to find the extra objects. A
 * false "present" needs two keys with one 64-bit SHA-1 prefix: for a million
 * keys, a chance of about 3e-8. Pure.
 */
import { createHash } from 'node:crypto';

function hash64(key: string): bigint {
  const h = createHash('sha1').update(key, 'utf8').digest();
  const v = h.readBigUInt64BE(0);
  return v === 0n ? 1n : v; // 0 marks an empty slot
}

export class KeyHashSet {
  private slots = new BigUint64Array(1024);
  private count = 0;

  /** Keys added (distinct). */
  get size(): number {
    return this.count;
  }

  add(key: string): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    if (this.insert(this.slots, hash64(key))) this.count++;
  }

  has(key: string): boolean {
    const h = hash64(key);
    const mask = this.slots.length - 1;
    for (let i = Number(h & BigInt(mask)); ; i = (i + 1) & mask) {
      const v = this.slots[i];
      if (v === 0n) return false;
      if (v === h) return true;
    }
  }

  private insert(slots: BigUint64Array, h: bigint): boolean {
    const mask = slots.length - 1;
    for (let i = Number(h & BigInt(mask)); ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === h) return false;
      if (v === 0n) {
        slots[i] = h;
        return true;
      }
    }
  }

  private grow(): void {
    const next = new BigUint64Array(this.slots.length * 2);
    for (const v of this.slots) if (v !== 0n) this.insert(next, v);
    this.slots = next;
  }
}
