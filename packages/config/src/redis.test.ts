import { describe, expect, it } from 'vitest';
import { createRedis, reconnectDelay, redisOptions } from './redis.js';

describe('redisOptions', () => {
  it('derives host, port, db, auth and BullMQ settings', () => {
    const o = redisOptions('redis://alice:p%40ss@cache.local:6380/3');
    expect(o).toMatchObject({
      host: 'cache.local',
      port: 6380,
      db: 3,
      username: 'alice',
      password: 'p@ss',
      maxRetriesPerRequest: null,
    });
    expect(o.tls).toBeUndefined();
    expect(typeof o.retryStrategy).toBe('function');
    expect(redisOptions('redis://127.0.0.1')).toMatchObject({ port: 6379, db: 0 });
    expect(redisOptions('redis://[::1]:7000').host).toBe('::1');
  });

  it('enables TLS for rediss://', () => {
    expect(redisOptions('rediss://h.example:6380').tls).toEqual({ servername: 'h.example' });
  });

  it('refuses bad URLs naming them without the password', () => {
    expect(() => redisOptions('http://u:secretpw@h')).toThrow(
      'REDIS_URL "http://u:***@h" must start with redis:// or rediss://',
    );
    expect(() => redisOptions('redis://h/abc')).toThrow(/database "abc"/);
    expect(() => redisOptions('nonsense')).toThrow('REDIS_URL "nonsense" is not a valid URL');
  });

  it('backs off exponentially up to 5 s', () => {
    for (let t = 1; t < 30; t++) {
      const d = reconnectDelay(t);
      const base = Math.min(100 * 2 ** (t - 1), 5000);
      expect(d).toBeGreaterThanOrEqual(base / 2);
      expect(d).toBeLessThanOrEqual(base);
    }
  });
});

describe('createRedis', () => {
  it('connects to the real Redis at REDIS_URL', async () => {
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await redis.quit();
    }
  });
});
