import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, MAX_JOBS, parseArgs } from './options.js';

describe('parseArgs', () => {
  it('gives the documented defaults with no arguments', () => {
    expect(parseArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.chunk).toBe(1000);
    expect(DEFAULT_OPTIONS.concurrency).toBe(50);
  });

  it('reads flags, with a pnpm "--" separator and underscores in numbers', () => {
    const o = parseArgs([
      '--',
      '--jobs',
      '1_000_000',
      '--workers=3',
      '--time-limit',
      '60',
      '--quiet',
    ]);
    expect(o.jobs).toBe(1_000_000);
    expect(o.workers).toBe(3);
    expect(o.timeLimitSeconds).toBe(60);
    expect(o.progress).toBe(false);
  });

  it('refuses out-of-bound and malformed values, naming them', () => {
    expect(() => parseArgs(['--jobs', '0'])).toThrow(/jobs .* got 0/);
    expect(() => parseArgs(['--jobs', String(MAX_JOBS + 1)])).toThrow(RangeError);
    expect(() => parseArgs(['--jobs', 'many'])).toThrow(/--jobs must be a number, got "many"/);
    expect(() => parseArgs(['--chunk', '1.5'])).toThrow(/chunk/);
    expect(() => parseArgs(['--nope', '1'])).toThrow(/unknown argument "--nope"/);
    expect(() => parseArgs(['--jobs'])).toThrow(/--jobs needs a value/);
    expect(() => parseArgs(['--redis-url', 'http://x'])).toThrow(/redisUrl .*"http:\/\/x"/);
  });
});
