import { Writable } from 'node:stream';
import { createLogger } from '@kpress/config';
import { describe, expect, it } from 'vitest';
import { isConnectionError, RedisOutage } from './redis-outage.js';

function captured() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ destination, pretty: false, level: 'debug' }) };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), {
  code: 'ECONNREFUSED',
});

describe('isConnectionError', () => {
  it('tells connection failures from command errors', () => {
    expect(isConnectionError(refused)).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('ERR unknown command'))).toBe(false);
    expect(isConnectionError(new Error('Missing key for job 7'))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});

describe('RedisOutage', () => {
  it('logs one line per outage, reminders at doubling gaps, and one line when back', () => {
    const { lines, logger } = captured();
    let now = 1_000_000;
    const outage = new RedisOutage({ logger, where: 'redis://h:1', now: () => now });
    expect(outage.down).toBe(false);
    // an error every 100 ms for 75 s: reminders after 10 s, then 20 s, then 40 s gaps
    for (let t = 0; t <= 75_000; t += 100) {
      now = 1_000_000 + t;
      expect(outage.report(refused)).toBe(true);
    }
    expect(outage.down).toBe(true);
    expect(outage.downForMs()).toBe(75_000);
    expect(lines.map((l) => l.downS)).toEqual([undefined, 10, 30, 70]);
    expect(lines[0]).toMatchObject({ level: 50, stage: 'redis', err: 'ECONNREFUSED' });
    expect(lines[0]?.msg).toBe(
      'Redis at redis://h:1 does not answer (ECONNREFUSED): retrying with backoff',
    );
    expect(outage.report(new Error('ERR wrong type'))).toBe(false);
    outage.recovered();
    outage.recovered();
    expect(outage.down).toBe(false);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatchObject({ level: 40, msg: 'Redis at redis://h:1 is back after 75 s' });
    // a new outage starts its own count
    now += 1000;
    outage.report(refused);
    expect(lines).toHaveLength(6);
    expect(outage.downForMs()).toBe(0);
  });

  it('caps the gap between reminders', () => {
    const { lines, logger } = captured();
    let now = 0;
    const outage = new RedisOutage({
      logger,
      where: 'x',
      now: () => now,
      firstReminderMs: 1000,
      maxReminderMs: 2000,
    });
    for (now = 0; now <= 10_000; now += 50) outage.report(refused);
    // at 1 s, then 2 s apart: 3, 5, 7, 9
    expect(lines.slice(1).map((l) => l.downS)).toEqual([1, 3, 5, 7, 9]);
  });
});
