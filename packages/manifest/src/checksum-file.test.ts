import { describe, expect, it } from 'vitest';
import { checksumLine, rowChecksumLine } from './checksum-file.js';
import type { ManifestRow } from './row.js';

const hex = 'ab'.repeat(32);

describe('manifest-sha256.txt lines', () => {
  it('are `<hex>  <path>` as sha256sum writes them', () => {
    expect(checksumLine(hex, 'a b/c.png')).toBe(`${hex}  a b/c.png\n`);
  });

  it('escape backslashes and newlines the GNU way', () => {
    expect(checksumLine(hex, 'a\\b\nc.png')).toBe(`\\${hex}  a\\\\b\\nc.png\n`);
  });

  it('refuse a digest that is not one', () => {
    expect(() => checksumLine('xyz', 'a')).toThrow(
      'sha256 must be 64 lower-case hex digits, got "xyz"',
    );
  });

  it('come from rows that wrote an output, relative to the destination prefix', () => {
    const row = {
      key: 'in/a.jpg',
      status: 'compressed',
      outputKey: 'out/a.jpg.png',
      outputSha256: hex,
    } as ManifestRow;
    expect(rowChecksumLine(row, 'out/')).toBe(`${hex}  a.jpg.png\n`);
    expect(rowChecksumLine({ ...row, status: 'failed', outputKey: null }, 'out/')).toBeUndefined();
    expect(rowChecksumLine({ ...row, outputSha256: null }, 'out/')).toBeUndefined();
    expect(() => rowChecksumLine(row, 'elsewhere/')).toThrow(/not under the destination prefix/);
  });
});
