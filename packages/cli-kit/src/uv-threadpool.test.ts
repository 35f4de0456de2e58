import { describe, expect, it } from 'vitest';
import { uvThreadpoolSize } from './uv-threadpool.js';

describe('uvThreadpoolSize', () => {
  it('gives one libuv thread per compress thread plus 4, at least 4', () => {
    expect(uvThreadpoolSize(['node', 'bin.js', 'worker'], 2)).toBe(6);
    expect(uvThreadpoolSize(['worker', '--concurrency', '12'], 2)).toBe(16);
    expect(uvThreadpoolSize(['worker', '--concurrency=3'], 8)).toBe(7);
  });
  it('falls back to the cores for an unreadable --concurrency, and caps at 1024', () => {
    expect(uvThreadpoolSize(['worker', '--concurrency', 'lots'], 8)).toBe(12);
    expect(uvThreadpoolSize(['worker', '--concurrency', '5000'], 8)).toBe(1024);
  });
});
