import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from './crc32.js';

describe('crc32', () => {
  it('matches the check value and the table fallback', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Table(check)).toBe(0xcbf43926);
    const data = Uint8Array.from({ length: 5000 }, (_, i) => Math.imul(i, 2654435761) >>> 24);
    expect(crc32Table(data)).toBe(crc32(data));
  });
});
