import { Writable } from 'node:stream';
import { createLogger } from '@kpress/config';
import { startRedisServer } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { connectRedis } from './connect-redis.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ pretty: false, destination: stream });
  return { logger, messages: () => lines.map((l) => String(JSON.parse(l).msg)) };
}

describe('connectRedis', () => {
  it('one try: one clear error naming the redacted URL, nothing left open', async () => {
    await expect(
      connectRedis({ redisUrl: 'redis://:secret-pw@127.0.0.1:1' }, { timeoutMs: 500 }),
    ).rejects.toThrow(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: ECONNREFUSED$/);
  });

  it('reconnect: rides out a restart, logging the outage through RedisOutage, and a quit is none', async () => {
    const server = await startRedisServer({ password: 'pw-not-in-logs' });
    const { logger, messages } = sink();
    const redis = await connectRedis({ redisUrl: server.url }, { reconnect: true, logger });
    try {
      await redis.set('k', '1');
      await server.restart();
      let back = false;
      while (!back) {
        back = await redis.ping().then(
          () => true,
          () => false,
        );
        if (!back) await new Promise((r) => setTimeout(r, 20));
      }
      const where = `redis://:***@127.0.0.1:${server.port}`;
      expect(messages()[0]).toMatch(
        new RegExp(
          `^Redis at ${where.replace(/[*/.]/g, '\\$&')} does not answer \\(.+\\): retrying with backoff$`,
        ),
      );
      expect(messages().at(-1)).toMatch(/ is back after \d+ s$/);
      expect(messages().join('\n')).not.toContain('pw-not-in-logs');
    } finally {
      const before = messages().length;
      await redis.quit();
      await new Promise((r) => setTimeout(r, 50));
      expect(messages()).toHaveLength(before);
      await server.close();
    }
  });

  it('refuses reconnect without a logger', async () => {
    await expect(
      connectRedis({ redisUrl: 'redis://127.0.0.1:1' }, { reconnect: true }),
    ).rejects.toThrow(TypeError);
  });
});
