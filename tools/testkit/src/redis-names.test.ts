import { afterEach, describe, expect, it } from 'vitest';
import { redisUrl, uniqueQueueName } from './redis-names.js';

const saved = process.env.REDIS_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = saved;
});

describe('uniqueQueueName', () => {
  it('gives distinct names with the prefix and no ":"', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueQueueName('t')));
    expect(names.size).toBe(100);
    for (const n of names) {
      expect(n.startsWith('t-')).toBe(true);
      expect(n).not.toContain(':');
    }
    expect(uniqueQueueName()).toMatch(/^kpress-test-/);
  });

  it('refuses a prefix with ":"', () => {
    expect(() => uniqueQueueName('a:b')).toThrow(/"a:b"/);
  });
});

describe('redisUrl', () => {
  it('reads REDIS_URL or defaults to loopback', () => {
    process.env.REDIS_URL = 'redis://example:6380';
    expect(redisUrl()).toBe('redis://example:6380');
    delete process.env.REDIS_URL;
    expect(redisUrl()).toBe('redis://127.0.0.1:6379');
  });
});
