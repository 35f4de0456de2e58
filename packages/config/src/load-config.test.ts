import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { BYTES_PER_PIXEL, loadConfig, pixelsForBudget } from './load-config.js';

describe('loadConfig', () => {
  it('applies the DESIGN.md defaults', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      s3Endpoint: undefined,
      s3ForcePathStyle: false,
      awsRegion: 'us-east-1',
      queueName: 'kpress',
      maxPixels: 12_582_912,
      slotMemoryMb: 3072,
      maxBytes: 268_435_456,
      maxWaiting: 100_000,
      finalizeRangeKeys: 50_000,
      listing: { concurrency: 8, depth: 2 },
      finalizeBackoff: { baseMs: 2000, maxMs: 300_000 },
      finalizeRounds: 3,
      reportWorst: 12,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      logLevel: 'info',
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
  });

  it('reads the finalize settings, a max below the base counting as the base', () => {
    const c = loadConfig({
      KPRESS_FINALIZE_RANGE_KEYS: '7',
      KPRESS_FINALIZE_BACKOFF_MS: '500',
      KPRESS_FINALIZE_BACKOFF_MAX_MS: '100',
    });
    expect(c.finalizeRangeKeys).toBe(7);
    expect(c.finalizeBackoff).toEqual({ baseMs: 500, maxMs: 500 });
    expect(() => loadConfig({ KPRESS_FINALIZE_RANGE_KEYS: '0' })).toThrow(
      /KPRESS_FINALIZE_RANGE_KEYS/,
    );
    expect(loadConfig({ KPRESS_FINALIZE_ROUNDS: '0' }).finalizeRounds).toBe(0);
    expect(loadConfig({ KPRESS_REPORT_WORST: '0' }).reportWorst).toBe(0);
    expect(loadConfig({ KPRESS_REPORT_WORST: '40' }).reportWorst).toBe(40);
    expect(() => loadConfig({ KPRESS_REPORT_WORST: '1001' })).toThrow(
      /KPRESS_REPORT_WORST.*expected a whole number <= 1000/,
    );
    expect(() => loadConfig({ KPRESS_REPORT_WORST: 'many' })).toThrow(
      /KPRESS_REPORT_WORST.*expected a whole number/,
    );
    expect(() => loadConfig({ KPRESS_FINALIZE_ROUNDS: '-1' })).toThrow(/KPRESS_FINALIZE_ROUNDS/);
  });

  it('reads the listing settings: 1 request in flight or depth 0 list serially', () => {
    expect(loadConfig({ KPRESS_LIST_CONCURRENCY: '1', KPRESS_LIST_DEPTH: '0' }).listing).toEqual({
      concurrency: 1,
      depth: 0,
    });
    expect(() => loadConfig({ KPRESS_LIST_CONCURRENCY: '0' })).toThrow(
      /KPRESS_LIST_CONCURRENCY.*expected a whole number >= 1/,
    );
    expect(() => loadConfig({ KPRESS_LIST_DEPTH: '-1' })).toThrow(
      /KPRESS_LIST_DEPTH.*expected a whole number/,
    );
    expect(() => loadConfig({ KPRESS_LIST_CONCURRENCY: '1001' })).toThrow(/<= 1000/);
  });

  it('derives the pixel limit from the slot memory budget unless KPRESS_MAX_PIXELS is set', () => {
    expect(BYTES_PER_PIXEL).toBe(256);
    expect(loadConfig({ KPRESS_SLOT_MEMORY_MB: '512' }).maxPixels).toBe(2_097_152);
    expect(pixelsForBudget(512)).toBe((512 * 1024 * 1024) / BYTES_PER_PIXEL);
    // the default fits a 12 MP camera photo (4240 x 2832), 6144 MiB a 24 MP one (6000 x 4000)
    expect(loadConfig({}).maxPixels).toBeGreaterThanOrEqual(4240 * 2832);
    expect(pixelsForBudget(6144)).toBeGreaterThanOrEqual(6000 * 4000);
    expect(pixelsForBudget(5859)).toBeLessThan(6000 * 4000);
    // 1 MiB is 4096 pixels
    expect(pixelsForBudget(1)).toBe(4096);
    // never above sharp's own limit (16383 x 16383 x 256 bytes is just under 64 GiB)
    expect(pixelsForBudget(65_535)).toBe(268_402_689);
    expect(loadConfig({ KPRESS_SLOT_MEMORY_MB: '65536' }).maxPixels).toBe(268_402_689);
    const both = loadConfig({ KPRESS_SLOT_MEMORY_MB: '512', KPRESS_MAX_PIXELS: '1000' });
    expect([both.maxPixels, both.slotMemoryMb]).toEqual([1000, 512]);
    expect(() => loadConfig({ KPRESS_SLOT_MEMORY_MB: '0' })).toThrow(/KPRESS_SLOT_MEMORY_MB/);
  });

  it('reads the job lock and stalled-check intervals (tests shorten them)', () => {
    const c = loadConfig({ KPRESS_LOCK_DURATION_MS: '2000', KPRESS_STALLED_INTERVAL_MS: '1000' });
    expect([c.lockDurationMs, c.stalledIntervalMs]).toEqual([2000, 1000]);
    expect(() => loadConfig({ KPRESS_LOCK_DURATION_MS: '0' })).toThrow(/KPRESS_LOCK_DURATION_MS/);
  });

  it('reads every variable; path style defaults to true with an endpoint', () => {
    const c = loadConfig({
      REDIS_URL: 'rediss://u:p@redis.example:6380/2',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_REGION: 'eu-west-3',
      KPRESS_QUEUE: 'kp-test.1',
      KPRESS_MAX_PIXELS: '1000',
      KPRESS_MAX_BYTES: '2048',
      KPRESS_MAX_WAITING: '50',
      KPRESS_METRICS_PORT: '9100',
      KPRESS_METRICS_HOST: '0.0.0.0',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c).toMatchObject({
      s3Endpoint: 'http://127.0.0.1:9000',
      s3ForcePathStyle: true,
      awsRegion: 'eu-west-3',
      queueName: 'kp-test.1',
      maxPixels: 1000,
      maxBytes: 2048,
      maxWaiting: 50,
      metricsPort: 9100,
      metricsHost: '0.0.0.0',
      logLevel: 'debug',
    });
    expect(
      loadConfig({ S3_ENDPOINT: 'http://x:1', S3_FORCE_PATH_STYLE: 'false' }).s3ForcePathStyle,
    ).toBe(false);
    expect(loadConfig({ S3_FORCE_PATH_STYLE: '1' }).s3ForcePathStyle).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ KPRESS_QUEUE: '', KPRESS_METRICS_PORT: ' ' }).queueName).toBe('kpress');
  });

  it.each([
    ['KPRESS_MAX_PIXELS', 'abc', 'expected a whole number'],
    ['KPRESS_MAX_BYTES', '0', '>= 1'],
    // S3's parts are at least 5 MiB: a multipart copy needs two of them
    ['KPRESS_COPY_PART_BYTES', '1000', 'from 10485760 (10 MiB) to 5368709120 (5 GiB)'],
    ['KPRESS_MAX_WAITING', '-5', 'expected a whole number'],
    ['KPRESS_METRICS_PORT', '70000', '0-65535'],
    ['KPRESS_QUEUE', 'a:b', 'no ":"'],
    ['LOG_LEVEL', 'loud', 'expected one of'],
    ['S3_ENDPOINT', 'ftp://x', 'http://'],
    ['S3_FORCE_PATH_STYLE', 'maybe', 'true or false'],
    ['AWS_REGION', 'US East', 'region'],
    ['REDIS_URL', 'http://localhost', 'redis://'],
  ])('names %s=%j in one clear error', (name, value, hint) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain(`${name}=${JSON.stringify(value)} is invalid`);
    expect(message).toContain(hint);
  });

  it('lists every invalid variable in one error', () => {
    expect(() => loadConfig({ KPRESS_MAX_PIXELS: 'x', LOG_LEVEL: 'y' })).toThrow(
      /KPRESS_MAX_PIXELS="x".*\n.*LOG_LEVEL="y"/,
    );
  });

  it('never prints the password of a bad REDIS_URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2secret@host' })).toThrow(
      'REDIS_URL="http://user:***@host" is invalid',
    );
    try {
      loadConfig({ REDIS_URL: 'http://user:hunter2secret@host' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2secret');
    }
  });
});
