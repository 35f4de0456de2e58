/**
 * The report samples' seed per key. The generator itself is @kpress/core's
 * mulberry32, the one seeded PRNG of kpress.
 */
export { mulberry32 as seededRandom } from '@kpress/core/random';

/** A 32-bit FNV-1a hash of a string, used as the default seed per key. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
