import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  commandCalls,
  diffCalls,
  parseInfo,
  redisCpuSeconds,
  totalCalls,
  usedMemory,
} from './redis-info.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.disconnect());

describe('INFO parsing against a real Redis', () => {
  it('reads used_memory as a positive byte count', async () => {
    const bytes = usedMemory(await redis.info('memory'));
    expect(Number.isInteger(bytes)).toBe(true);
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('counts our own commands in the commandstats delta', async () => {
    const before = commandCalls(await redis.info('commandstats'));
    for (let i = 0; i < 25; i++) await redis.echo('x');
    const after = commandCalls(await redis.info('commandstats'));
    const d = diffCalls(before, after);
    expect(d.get('echo')).toBeGreaterThanOrEqual(25);
    expect(totalCalls(d)).toBeGreaterThanOrEqual(25);
  });

  it('reads Redis CPU seconds, which never go backwards', async () => {
    const a = redisCpuSeconds(await redis.info('cpu'));
    for (let i = 0; i < 200; i++) await redis.echo('x');
    const b = redisCpuSeconds(await redis.info('cpu'));
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThanOrEqual(a);
    expect(() => redisCpuSeconds('# CPU\r\n')).toThrow(/used_cpu_user/);
  });

  it('rejects INFO text without used_memory, and skips comments', () => {
    expect(() => usedMemory('# Memory\r\nfoo:1\r\n')).toThrow(/used_memory/);
    expect(parseInfo('# Server\r\nredis_version:7.0.15\r\n').get('redis_version')).toBe('7.0.15');
  });
});
