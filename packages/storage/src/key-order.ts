/**
 * S3 lists keys in ascending order of their UTF-8 bytes, which is the order of
 * their Unicode code points. JavaScript's `<` on strings compares UTF-16 code
 * units instead, which disagrees for characters above U+FFFF (surrogate pairs)
 * against characters in U+E000..U+FFFF. This comparison matches S3.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (0xD800..0xDFFF) above the rest of the BMP, as UTF-8 orders them. */
function fixup(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
