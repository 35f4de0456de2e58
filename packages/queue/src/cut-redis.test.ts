/**
 * cutRedis against a real redis-server that is killed: a command waiting in
 * the offline queue of a reconnecting client is rejected at once, and the
 * client stays ended (no reconnect once the server is back).
 */
import { type RedisServer, startRedisServer } from '@kpress/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CUT_MESSAGE, cutRedis } from './cut-redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cutRedis', () => {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('rejects what waits on a client reconnecting to a dead Redis, and ends it', async () => {
    server = await startRedisServer();
    // as every kpress client: retry each command for ever, reconnect with backoff
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    expect(await client.ping()).toBe('PONG');
    await server.kill();
    while (client.status !== 'reconnecting') await sleep(10);

    const waiting = client.set('k', 'v').then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await sleep(300);
    cutRedis(client);
    // settled by the cut itself, not by a timer: one turn of the event loop is enough
    expect(await Promise.race([waiting, sleep(50).then(() => 'still pending')])).toBe(CUT_MESSAGE);

    await server.restart();
    await sleep(500);
    expect(client.status).not.toBe('ready');
    await expect(client.get('k')).rejects.toThrow();
  });

  it('on a live client, is a disconnect', async () => {
    server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    expect(await client.ping()).toBe('PONG');
    cutRedis(client);
    while (client.status !== 'end') await sleep(10);
    await expect(client.ping()).rejects.toThrow();
  });
});
