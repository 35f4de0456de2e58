import { describe, expect, it } from 'vitest';
import { closeWithoutRedis } from './close-without-redis.js';
import { JobsInHand } from './jobs-in-hand.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Redis outage that started `downSince` (ms since epoch), or none. */
function outageOf(state: { downSince?: number }) {
  return {
    downForMs: () => (state.downSince === undefined ? 0 : Date.now() - state.downSince),
  };
}

function logger() {
  const lines: string[] = [];
  return { lines, warn: (_fields: object, message: string) => lines.push(message) };
}

describe('closeWithoutRedis', () => {
  it('does nothing while Redis answers', async () => {
    const log = logger();
    let cuts = 0;
    const close = closeWithoutRedis({
      outage: outageOf({}),
      jobs: new JobsInHand(),
      logger: log,
      cut: () => cuts++,
      downMs: 20,
      pollMs: 5,
    });
    const ended = await Promise.race([
      close.deadline.then(() => true),
      sleep(100).then(() => false),
    ]);
    close.stop();
    expect({ ended, cuts, lines: log.lines }).toEqual({ ended: false, cuts: 0, lines: [] });
  });

  it('once Redis has been down long enough, cuts once and ends when the jobs in hand end', async () => {
    const log = logger();
    const jobs = new JobsInHand();
    let release!: () => void;
    const job = jobs.run(() => new Promise<void>((r) => (release = r)));
    const state: { downSince?: number } = { downSince: Date.now() };
    let cuts = 0;
    const close = closeWithoutRedis({
      outage: outageOf(state),
      jobs,
      logger: log,
      cut: () => {
        cuts++;
        release(); // as cutRedis does: what the job awaited of Redis fails, the job ends
      },
      downMs: 30,
      graceMs: 60_000,
      pollMs: 5,
    });
    await close.deadline;
    await job;
    close.stop();
    expect(cuts).toBe(1);
    expect(log.lines).toEqual([
      'Redis is down: closing without it; the jobs in hand keep their S3 records and go back to the queue at its stall check',
    ]);
  });

  it('gives up on jobs that do not end within the grace, saying so', async () => {
    const log = logger();
    const jobs = new JobsInHand();
    void jobs.run(() => new Promise<void>(() => {})); // never ends
    const close = closeWithoutRedis({
      outage: outageOf({ downSince: Date.now() - 1000 }),
      jobs,
      logger: log,
      cut: () => {},
      downMs: 10,
      graceMs: 50,
      pollMs: 5,
    });
    await close.deadline;
    close.stop();
    expect(log.lines.at(-1)).toBe('jobs in hand did not end without Redis: leaving them');
    expect(jobs.size).toBe(1);
  });
});
