import { describe, expect, it } from 'vitest';
import { JobsInHand } from './jobs-in-hand.js';

/** A promise with its resolve and reject outside. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('JobsInHand', () => {
  it('counts jobs while they run and says when none is left, whether they succeed or throw', async () => {
    const jobs = new JobsInHand();
    await jobs.none(); // none in hand: at once
    const a = deferred<string>();
    const b = deferred<string>();
    const runA = jobs.run(() => a.promise);
    const runB = jobs.run(() => b.promise);
    expect(jobs.size).toBe(2);
    let empty = false;
    void jobs.none().then(() => {
      empty = true;
    });
    a.resolve('done');
    expect(await runA).toBe('done');
    expect(jobs.size).toBe(1);
    expect(empty).toBe(false);
    b.reject(new Error('boom'));
    await expect(runB).rejects.toThrow('boom');
    expect(jobs.size).toBe(0);
    await Promise.resolve();
    expect(empty).toBe(true);
  });
});
