/**
 * The finalize sequences of issue 23 that left a batch unfinished or wrong,
 * each replayed with the real finalize steps in this process against real
 * Redis and a real S3 server: a part dispatch that fails once, a re-queue
 * that fails half-way, a second finalize of a round whose parts have
 * settled, an assemble job that names fewer parts than its round has, a
 * cancel while the parts are out, and the watchdog's prune landing between
 * `addPending` and `addBulk`. A call "fails once" through a wrapper of the
 * real queue whose method throws on its first call (the Redis command is
 * never sent), as a Redis blip would.
 */
import { parseRow } from '@kpress/manifest';
import {
  assembleJobId,
  finalizeJobId,
  finalizePartJobId,
  jobIdFor,
  type KpressQueue,
  kpressKeys,
  parseFinalizeAssembleJob,
  parseFinalizeJob,
  parseFinalizePartJob,
  scheduleFinalize,
} from '@kpress/queue';
import type { Storage } from '@kpress/storage';
import { testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { recordKeyOf, writeRecord } from '../record.js';
import { BatchWatch } from './batch-watch.js';
import { finalizeAssemble, finalizeBatch, finalizePart } from './finalize.js';
import { failedRow, finalizeHarness } from './test/finalize-harness.js';

/** `queue` whose `method` throws once, on its first call, before sending anything. */
function failingOnce(queue: KpressQueue, method: 'add' | 'addBulk'): KpressQueue {
  let armed = true;
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === method && armed) {
        return async () => {
          armed = false;
          throw new Error(`injected: ${method} failed once`);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each(testS3Kinds())('finalize defects on %s', (kind) => {
  const h = finalizeHarness(kind, ['fd-src', 'fd-dst'], 'kpress-fin-defects');
  const { logger, queueName } = h;
  const row = (key: string) => failedRow(key, 1);

  /** A batch of `files` under `<name>/`; records written for `withRecords` of them. */
  async function newBatch(
    batchId: string,
    name: string,
    files: Record<string, string>,
    withRecords: number,
    boundaries?: string[],
  ) {
    const data = { batchId, source: `s3://fd-src/${name}/`, dest: `s3://fd-dst/${name}-out/` };
    const keys = await uploadFixtures(h.s3.client, 'fd-src', `${name}/`, files);
    const base = `${name}-out/_kpress/${batchId}/`;
    await h.storage.putJson('fd-dst', `${base}batch.json`, {
      version: 1,
      batchId,
      source: data.source,
      dest: data.dest,
      options: { colors: 16, seed: 1 },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    if (boundaries !== undefined) {
      await h.storage.putJson('fd-dst', `${base}listing.json`, {
        total: keys.length,
        enqueued: keys.length,
        finishedAt: '2026-01-01T00:00:00.000Z',
        rangeBoundaries: boundaries,
      });
    }
    const record = (key: string) => recordKeyOf(key, `${name}/`, `${name}-out/`, batchId);
    for (const key of keys.slice(0, withRecords))
      await writeRecord(h.storage, 'fd-dst', record(key), row(key));
    await h.tracker.register(data);
    await h.tracker.markListed(batchId);
    return {
      data,
      keys,
      record,
      summary: `${base}summary.json`,
      manifest: `${base}manifest.jsonl`,
    };
  }

  /** Takes a waiting job of the batch off the h.queue (finalize steps first), or undefined. */
  async function takeJob(batchId: string) {
    const jobs = await h.queue.getJobs(['waiting', 'delayed', 'prioritized']);
    const mine = jobs.filter((j) => (j?.data as { batchId?: string })?.batchId === batchId);
    mine.sort((a, b) => Number(a.name === 'compress') - Number(b.name === 'compress'));
    const job = mine[0];
    if (job !== undefined) await job.remove();
    return job;
  }

  /**
   * Runs the batch's queued jobs one at a time, as a worker would (a compress
   * job writes its record and settles), with the batch watch looking after
   * each step, until summary.json exists; fails after `maxSteps`.
   */
  async function drive(batchId: string, maxSteps = 60): Promise<void> {
    const watch = new BatchWatch({
      queue: h.queue,
      tracker: h.tracker,
      redis: h.redis,
      storage: h.storage,
      logger,
      intervalMs: 1000,
    });
    try {
      for (let step = 0; step < maxSteps; step++) {
        const reg = await h.tracker.registration(batchId);
        if (reg === undefined) return;
        const job = await takeJob(batchId);
        if (job === undefined) {
          await watch.lookAll();
          continue;
        }
        if (job.name === 'finalize') await finalizeBatch(parseFinalizeJob(job.data), h.ctx);
        else if (job.name === 'finalize-part')
          await finalizePart(parseFinalizePartJob(job.data), h.ctx);
        else if (job.name === 'finalize-assemble')
          await finalizeAssemble(parseFinalizeAssembleJob(job.data), h.ctx);
        else {
          const d = job.data as { key: string; source: string; dest: string };
          const name = d.source.slice('s3://fd-src/'.length);
          const out = d.dest.slice('s3://fd-dst/'.length);
          const rec = recordKeyOf(d.key, name, out, batchId);
          await writeRecord(h.storage, 'fd-dst', rec, row(d.key));
          if (await h.tracker.settle(batchId, job.id as string))
            await scheduleFinalize(h.queue, h.tracker, { batchId, source: d.source, dest: d.dest });
        }
      }
      throw new Error(`batch ${batchId} did not finish in ${maxSteps} steps`);
    } finally {
      await watch.close();
    }
  }

  async function manifestKeys(key: string): Promise<string[]> {
    const body = await h.storage.getObject('fd-dst', key, { maxBytes: 1 << 20 });
    return body
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => parseRow(l).key);
  }

  /** `storage` whose `method` runs `hook` once, before the first call whose key matches `pattern`. */
  function hookedStorage(
    method: 'getJson' | 'putObject',
    pattern: RegExp,
    hook: () => Promise<void>,
  ): Storage {
    let armed = true;
    return new Proxy(h.storage, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === method) {
          return async (bucket: string, key: string, ...rest: unknown[]) => {
            if (armed && pattern.test(key)) {
              armed = false;
              await hook();
            }
            return (value as (...a: unknown[]) => unknown).call(target, bucket, key, ...rest);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Runs the batch's jobs until its assemble job, and returns that job (removed from the h.queue). */
  async function untilAssemble(batchId: string) {
    for (let step = 0; step < 20; step++) {
      const job = await takeJob(batchId);
      if (job === undefined) throw new Error(`batch ${batchId}: no assemble job came`);
      if (job.name === 'finalize-assemble') return job;
      if (job.name === 'finalize') await finalizeBatch(parseFinalizeJob(job.data), h.ctx);
      else if (job.name === 'finalize-part')
        await finalizePart(parseFinalizePartJob(job.data), h.ctx);
      else throw new Error(`batch ${batchId}: unexpected ${job.name} job`);
    }
    throw new Error(`batch ${batchId}: no assemble job came in 20 steps`);
  }

  it('an enqueue rerun adding a source while the assemble reads its parts: the source is in the manifest', async () => {
    const b = await newBatch('fd-rj', 'drj', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const assemble = await untilAssemble('fd-rj');
    let began: unknown;
    // the rerun, as enqueue does it: listing begins, the new source's job is pending and queued, listing ends
    const rerun = async () => {
      await uploadFixtures(h.s3.client, 'fd-src', 'drj/', { c: 'c' });
      began = await h.tracker.unmarkListed('fd-rj');
      const id = jobIdFor('fd-rj', 'drj/c');
      await h.tracker.addPending('fd-rj', [id]);
      await h.queue.add('compress', { ...b.data, key: 'drj/c', size: 1 } as never, { jobId: id });
      await h.tracker.markListed('fd-rj');
    };
    // after the assemble's drained check, before it commits: while it reads the parts' summaries
    const racing = hookedStorage('getJson', /\/finalize\/.*part-\d+\.json$/, rerun);
    await finalizeAssemble(parseFinalizeAssembleJob(assemble.data), { ...h.ctx, storage: racing });
    await drive('fd-rj');
    expect(await manifestKeys(b.manifest)).toEqual([...b.keys, 'drj/c']);
    expect(began).toBe('listing');
  });

  it('an enqueue rerun while the assemble joins (committed): it finds the batch finishing and adds nothing', async () => {
    const b = await newBatch('fd-rk', 'drk', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const assemble = await untilAssemble('fd-rk');
    let began: unknown;
    const racing = hookedStorage('putObject', /report\.html$/, async () => {
      began = await h.tracker.unmarkListed('fd-rk');
    });
    const r = await finalizeAssemble(parseFinalizeAssembleJob(assemble.data), {
      ...h.ctx,
      storage: racing,
    });
    expect(r).toMatchObject({ kind: 'written', total: 2 });
    expect(began).toBe('finishing');
    expect(await h.tracker.registration('fd-rk')).toBeUndefined();
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('a cancel after the assemble committed (stage done): its retry still writes the summary', async () => {
    const b = await newBatch('fd-rc', 'drc', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const assemble = await untilAssemble('fd-rc');
    const data = parseFinalizeAssembleJob(assemble.data);
    // committed, then cancelled, then the worker dies before its first write
    const dying = hookedStorage('putObject', /manifest/, async () => {
      await h.tracker.cancel('fd-rc');
      throw new Error('injected: the worker died');
    });
    await expect(finalizeAssemble(data, { ...h.ctx, storage: dying })).rejects.toThrow(/injected/);
    expect(await h.tracker.finalizeState('fd-rc')).toMatchObject({ stage: 'done' });
    expect(await finalizeAssemble(data, h.ctx)).toMatchObject({ kind: 'written', total: 2 });
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('stage parts with its parts set and part jobs lost: the watchdog and the re-drive drive it on', async () => {
    const b = await newBatch('fd-pl', 'dpl', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-pl');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx)).toMatchObject({ parts: 1 });
    // Redis loses the part job and the parts set, not the stage
    await h.queue.remove(finalizePartJobId('fd-pl', 0, 0));
    await h.redis.del(kpressKeys(queueName).batch('fd-pl', 'parts'));
    expect(await h.tracker.finalizeState('fd-pl')).toMatchObject({ stage: 'parts', partsLeft: 0 });
    await drive('fd-pl', 20);
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 1: a part dispatch that fails once is dispatched again, and the batch ends', async () => {
    const b = await newBatch('fd-1', 'd1', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-1');
    const data = parseFinalizeJob(fin?.data);
    await expect(
      finalizeBatch(data, { ...h.ctx, queue: failingOnce(h.queue, 'addBulk') }),
    ).rejects.toThrow(/injected/);
    // BullMQ's retry of the same job
    await finalizeBatch(data, h.ctx);
    expect(await h.queue.getJob(finalizePartJobId('fd-1', 0, 0))).toBeDefined();
    await drive('fd-1');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 1: parts recorded but their jobs lost (no retry): the watchdog re-drives them', async () => {
    const b = await newBatch('fd-1w', 'd1w', { a: 'a', b: 'b', c: 'c' }, 3);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-1w');
    await expect(
      finalizeBatch(parseFinalizeJob(fin?.data), {
        ...h.ctx,
        queue: failingOnce(h.queue, 'addBulk'),
      }),
    ).rejects.toThrow(/injected/);
    // the failed finalize job is gone (a worker killed between the two calls, its job lost with Redis)
    await drive('fd-1w');
    expect(await h.storage.exists('fd-dst', b.summary)).toBe(true);
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 2: a re-queue that fails half-way is redone by its retry, and the batch ends', async () => {
    const b = await newBatch('fd-2', 'd2', { a: 'a', b: 'b', c: 'c' }, 1);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-2');
    await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx);
    const part = await takeJob('fd-2');
    await finalizePart(parseFinalizePartJob(part?.data), h.ctx);
    const asm = await takeJob('fd-2');
    expect(asm?.name).toBe('finalize-assemble');
    const data = parseFinalizeAssembleJob(asm?.data);
    await expect(
      finalizeAssemble(data, { ...h.ctx, queue: failingOnce(h.queue, 'addBulk') }),
    ).rejects.toThrow(/injected/);
    // BullMQ's retry of the same job
    expect(await finalizeAssemble(data, h.ctx)).toMatchObject({ kind: 'requeued', missing: 2 });
    expect(await h.tracker.listed('fd-2')).toBe(true);
    expect(await h.tracker.pending('fd-2')).toBe(2);
    await drive('fd-2');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 4: a second finalize after the parts settled does not stall the next round', async () => {
    const b = await newBatch('fd-4', 'd4', { a: 'a', b: 'b' }, 1);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-4');
    const finData = parseFinalizeJob(fin?.data);
    expect(await finalizeBatch(finData, h.ctx)).toMatchObject({ kind: 'dispatched', parts: 1 });
    const part = await takeJob('fd-4');
    await finalizePart(parseFinalizePartJob(part?.data), h.ctx);
    // a redelivered finalize of round 0 runs after its part settled, before the assemble
    await finalizeBatch(finData, h.ctx);
    const asm = await h.queue.getJob(assembleJobId('fd-4', 0));
    await asm?.remove();
    expect(await finalizeAssemble(parseFinalizeAssembleJob(asm?.data), h.ctx)).toMatchObject({
      kind: 'requeued',
      round: 1,
    });
    await drive('fd-4');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 5: an assemble job naming fewer parts than its round has still joins them all', async () => {
    const files = { a: 'a', b: 'b', c: 'c', d: 'd' };
    const b = await newBatch('fd-5', 'd5', files, 4, ['b']);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-5');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx)).toMatchObject({ parts: 2 });
    for (const i of [0, 1]) {
      const part = await h.queue.getJob(finalizePartJobId('fd-5', 0, i));
      await part?.remove();
      await finalizePart(parseFinalizePartJob(part?.data), h.ctx);
    }
    const asm = await h.queue.getJob(assembleJobId('fd-5', 0));
    await asm?.remove();
    const forged = { ...parseFinalizeAssembleJob(asm?.data), parts: 1 };
    expect(await finalizeAssemble(forged, h.ctx)).toEqual({ kind: 'written', total: 4 });
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('cancel while the parts are out: nothing is finalized until the batch is resumed', async () => {
    const b = await newBatch('fd-c', 'dc', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-c');
    await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx);
    // kpress cancel: the flag, then the round's finalize job removed
    await h.tracker.cancel('fd-c');
    await h.queue.remove(finalizeJobId('fd-c', 0));
    const part = await takeJob('fd-c');
    await finalizePart(parseFinalizePartJob(part?.data), h.ctx);
    const asm = await takeJob('fd-c');
    if (asm !== undefined) await finalizeAssemble(parseFinalizeAssembleJob(asm.data), h.ctx);
    expect(await h.storage.exists('fd-dst', b.summary)).toBe(false);
    // the resuming enqueue: register, listed, finalize scheduled when drained
    await h.tracker.register(b.data);
    await h.tracker.markListed('fd-c');
    await scheduleFinalize(h.queue, h.tracker, b.data);
    await drive('fd-c');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('a --keys rerun whose list changed mid-finalize: every key once, with the new ranges', async () => {
    const files = { a: 'a', b: 'b', c: 'c', d: 'd', e: 'e', f: 'f' };
    const b = await newBatch('fd-k', 'dk', files, 6);
    const base = 'dk-out/_kpress/fd-k/';
    /** What an enqueue with a key list writes: keys/part-*, then listing.json. */
    async function writeKeyList(boundaries: string[]) {
      const cuts = [...boundaries, null];
      let after: string | null = null;
      for (const [i, upTo] of cuts.entries()) {
        const rels = Object.keys(files).filter(
          (k) => (after === null || k > after) && (upTo === null || k <= upTo),
        );
        const body = rels.map((k) => `${JSON.stringify({ key: `dk/${k}`, size: 1 })}\n`).join('');
        await h.storage.putObject(
          'fd-dst',
          `${base}keys/part-${String(i).padStart(6, '0')}.jsonl`,
          body,
        );
        after = upTo;
      }
      await h.storage.putJson('fd-dst', `${base}listing.json`, {
        total: 6,
        enqueued: 0,
        finishedAt: new Date().toISOString(),
        rangeBoundaries: boundaries,
        keyList: { kind: 'keys', url: 's3://fd-src/list.csv', keys: 6 },
      });
    }
    await writeKeyList(['c']);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-k');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx)).toMatchObject({ parts: 2 });
    const part0 = await h.queue.getJob(finalizePartJobId('fd-k', 0, 0));
    await part0?.remove();
    await finalizePart(parseFinalizePartJob(part0?.data), h.ctx);
    // the rerun: listing flag off, new key-list parts and listing.json, flag on again
    await h.tracker.unmarkListed('fd-k');
    await writeKeyList(['d']);
    await h.tracker.markListed('fd-k');
    await drive('fd-k');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
    // no source is reported deleted (a key the old range missed came out as a record without a source)
    const body = await h.storage.getObject('fd-dst', b.manifest, { maxBytes: 1 << 20 });
    const rows = body.toString('utf8').trimEnd().split('\n').map(parseRow);
    expect(rows.filter((r) => r.sourceDeleted === true).map((r) => r.key)).toEqual([]);
  });

  it('parts out, their jobs lost, and listing.json rewritten with fewer ranges: the batch still ends', async () => {
    const b = await newBatch('fd-f', 'df', { a: 'a', b: 'b', c: 'c', d: 'd' }, 4, ['a', 'c']);
    await scheduleFinalize(h.queue, h.tracker, b.data);
    const fin = await takeJob('fd-f');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx)).toMatchObject({ parts: 3 });
    for (let i = 0; i < 3; i++) await h.queue.remove(finalizePartJobId('fd-f', 0, i));
    // an enqueue rerun rewrote listing.json: one range now
    await h.storage.putJson('fd-dst', 'df-out/_kpress/fd-f/listing.json', {
      total: 4,
      enqueued: 0,
      finishedAt: new Date().toISOString(),
      rangeBoundaries: [],
    });
    await drive('fd-f');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('the re-queue keeps at most maxWaiting jobs waiting (KPRESS_MAX_WAITING)', async () => {
    const b = await newBatch('fd-m', 'dm', { a: 'a', b: 'b', c: 'c' }, 0);
    // the h.queue already holds 2 waiting jobs of another batch; the cap is 2
    const others = [];
    for (const k of ['x', 'y'])
      others.push(
        await h.queue.add('compress', { batchId: 'other', key: k } as never, {
          jobId: `fd-m-${k}`,
        }),
      );
    const capped = { ...h.ctx, maxWaiting: 2 };
    await scheduleFinalize(h.queue, h.tracker, b.data);
    await finalizeBatch(parseFinalizeJob((await takeJob('fd-m'))?.data), capped);
    await finalizePart(parseFinalizePartJob((await takeJob('fd-m'))?.data), capped);
    const asm = parseFinalizeAssembleJob((await takeJob('fd-m'))?.data);
    const running = finalizeAssemble(asm, capped);
    let most = 0;
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      most = Math.max(most, await h.queue.getWaitingCount());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(most).toBe(2);
    // the other batch's jobs are taken, then the batch's own as they come: room for the re-queue
    for (const j of others) await j.remove();
    let result: unknown;
    void running.then((r) => {
      result = r;
    });
    while (result === undefined) {
      most = Math.max(most, await h.queue.getWaitingCount());
      const job = await takeJob('fd-m');
      if (job?.name === 'compress') {
        const key = (job.data as { key: string }).key;
        await writeRecord(h.storage, 'fd-dst', b.record(key), row(key));
        await h.tracker.settle('fd-m', job.id as string);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(most).toBe(2);
    expect(result).toMatchObject({ kind: 'requeued', missing: 3 });
    await drive('fd-m');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it("the watchdog's prune between addPending and addBulk does not finalize early", async () => {
    const b = await newBatch('fd-p', 'dp', { a: 'a' }, 0);
    const id = 'fd-p.a-late';
    const watch = new BatchWatch({
      queue: h.queue,
      tracker: h.tracker,
      redis: h.redis,
      storage: h.storage,
      logger,
      intervalMs: 1000,
    });
    try {
      await h.tracker.addPending('fd-p', [id]);
      // the watch looks before the job is added
      await watch.lookAll();
      await h.queue.add('compress', { ...b.data, key: 'dp/a', size: 1 } as never, { jobId: id });
      await watch.lookAll();
      await watch.lookAll();
      expect(await h.tracker.pending('fd-p')).toBe(1);
      expect(await h.queue.getJob(finalizeJobId('fd-p', 0))).toBeUndefined();
    } finally {
      await watch.close();
      await h.queue.remove(id);
    }
  });
});
