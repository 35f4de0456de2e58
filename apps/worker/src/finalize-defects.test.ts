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
import { createLogger, createRedis, loadConfig } from '@kpress/config';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import {
  assembleJobId,
  BatchTracker,
  createQueue,
  finalizeJobId,
  finalizePartJobId,
  jobIdFor,
  type KpressQueue,
  parseFinalizeAssembleJob,
  parseFinalizeJob,
  parseFinalizePartJob,
  scheduleFinalize,
} from '@kpress/queue';
import { Storage } from '@kpress/storage';
import {
  removeQueueKeys,
  redisUrl,
  type S3Server,
  startS3Server,
  testS3Kinds,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWatch } from './batch-watch.js';
import { type FinalizeContext, finalizeAssemble, finalizeBatch, finalizePart } from './finalize.js';
import { recordKeyOf, writeRecord } from './record.js';

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
  let s3: S3Server;
  let storage: Storage;
  let queue: KpressQueue;
  let redis: ReturnType<typeof createRedis>;
  let tracker: BatchTracker;
  let ctx: FinalizeContext;
  const queueName = uniqueQueueName('kpress-fin-defects');
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['fd-src', 'fd-dst'] });
    const config = loadConfig({ ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName });
    storage = new Storage({ client: s3.client });
    queue = createQueue(config);
    redis = createRedis(config.redisUrl);
    tracker = new BatchTracker(redis, queueName);
    ctx = { storage, queue, tracker, logger };
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await redis?.quit();
    await removeQueueKeys(queueName);
    await s3?.close();
  });

  function row(key: string): ManifestRow {
    return {
      key,
      status: 'failed',
      originalBytes: 1,
      outputKey: null,
      outputBytes: null,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      ms: 1,
      error: `not an image: ${key}`,
    };
  }

  /** A batch of `files` under `<name>/`; records written for `withRecords` of them. */
  async function newBatch(
    batchId: string,
    name: string,
    files: Record<string, string>,
    withRecords: number,
    boundaries?: string[],
  ) {
    const data = { batchId, source: `s3://fd-src/${name}/`, dest: `s3://fd-dst/${name}-out/` };
    const keys = await uploadFixtures(s3.client, 'fd-src', `${name}/`, files);
    const base = `${name}-out/_kpress/${batchId}/`;
    await storage.putJson('fd-dst', `${base}batch.json`, {
      version: 1,
      batchId,
      source: data.source,
      dest: data.dest,
      options: { colors: 16, seed: 1 },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    if (boundaries !== undefined) {
      await storage.putJson('fd-dst', `${base}listing.json`, {
        total: keys.length,
        enqueued: keys.length,
        finishedAt: '2026-01-01T00:00:00.000Z',
        rangeBoundaries: boundaries,
      });
    }
    const record = (key: string) => recordKeyOf(key, `${name}/`, `${name}-out/`, batchId);
    for (const key of keys.slice(0, withRecords))
      await writeRecord(storage, 'fd-dst', record(key), row(key));
    await tracker.register(data);
    await tracker.markListed(batchId);
    return {
      data,
      keys,
      record,
      summary: `${base}summary.json`,
      manifest: `${base}manifest.jsonl`,
    };
  }

  /** Takes a waiting job of the batch off the queue (finalize steps first), or undefined. */
  async function takeJob(batchId: string) {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
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
    const watch = new BatchWatch({ queue, tracker, redis, storage, logger, intervalMs: 1000 });
    try {
      for (let step = 0; step < maxSteps; step++) {
        const reg = await tracker.registration(batchId);
        if (reg === undefined) return;
        const job = await takeJob(batchId);
        if (job === undefined) {
          await watch.lookAll();
          continue;
        }
        if (job.name === 'finalize') await finalizeBatch(parseFinalizeJob(job.data), ctx);
        else if (job.name === 'finalize-part')
          await finalizePart(parseFinalizePartJob(job.data), ctx);
        else if (job.name === 'finalize-assemble')
          await finalizeAssemble(parseFinalizeAssembleJob(job.data), ctx);
        else {
          const d = job.data as { key: string; source: string; dest: string };
          const name = d.source.slice('s3://fd-src/'.length);
          const out = d.dest.slice('s3://fd-dst/'.length);
          const rec = recordKeyOf(d.key, name, out, batchId);
          await writeRecord(storage, 'fd-dst', rec, row(d.key));
          if (await tracker.settle(batchId, job.id as string))
            await scheduleFinalize(queue, tracker, { batchId, source: d.source, dest: d.dest });
        }
      }
      throw new Error(`batch ${batchId} did not finish in ${maxSteps} steps`);
    } finally {
      await watch.close();
    }
  }

  async function manifestKeys(key: string): Promise<string[]> {
    const body = await storage.getObject('fd-dst', key, { maxBytes: 1 << 20 });
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
    return new Proxy(storage, {
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

  /** Runs the batch's jobs until its assemble job, and returns that job (removed from the queue). */
  async function untilAssemble(batchId: string) {
    for (let step = 0; step < 20; step++) {
      const job = await takeJob(batchId);
      if (job === undefined) throw new Error(`batch ${batchId}: no assemble job came`);
      if (job.name === 'finalize-assemble') return job;
      if (job.name === 'finalize') await finalizeBatch(parseFinalizeJob(job.data), ctx);
      else if (job.name === 'finalize-part')
        await finalizePart(parseFinalizePartJob(job.data), ctx);
      else throw new Error(`batch ${batchId}: unexpected ${job.name} job`);
    }
    throw new Error(`batch ${batchId}: no assemble job came in 20 steps`);
  }

  it('an enqueue rerun adding a source while the assemble reads its parts: the source is in the manifest', async () => {
    const b = await newBatch('fd-rj', 'drj', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const assemble = await untilAssemble('fd-rj');
    let began: unknown;
    // the rerun, as enqueue does it: listing begins, the new source's job is pending and queued, listing ends
    const rerun = async () => {
      await uploadFixtures(s3.client, 'fd-src', 'drj/', { c: 'c' });
      began = await tracker.unmarkListed('fd-rj');
      const id = jobIdFor('fd-rj', 'drj/c');
      await tracker.addPending('fd-rj', [id]);
      await queue.add('compress', { ...b.data, key: 'drj/c', size: 1 } as never, { jobId: id });
      await tracker.markListed('fd-rj');
    };
    // after the assemble's drained check, before it commits: while it reads the parts' summaries
    const racing = hookedStorage('getJson', /\/finalize\/.*part-\d+\.json$/, rerun);
    await finalizeAssemble(parseFinalizeAssembleJob(assemble.data), { ...ctx, storage: racing });
    await drive('fd-rj');
    expect(await manifestKeys(b.manifest)).toEqual([...b.keys, 'drj/c']);
    expect(began).toBe('listing');
  });

  it('an enqueue rerun while the assemble joins (committed): it finds the batch finishing and adds nothing', async () => {
    const b = await newBatch('fd-rk', 'drk', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const assemble = await untilAssemble('fd-rk');
    let began: unknown;
    const racing = hookedStorage('putObject', /report\.html$/, async () => {
      began = await tracker.unmarkListed('fd-rk');
    });
    const r = await finalizeAssemble(parseFinalizeAssembleJob(assemble.data), {
      ...ctx,
      storage: racing,
    });
    expect(r).toMatchObject({ kind: 'written', total: 2 });
    expect(began).toBe('finishing');
    expect(await tracker.registration('fd-rk')).toBeUndefined();
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('a cancel after the assemble committed (stage done): its retry still writes the summary', async () => {
    const b = await newBatch('fd-rc', 'drc', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const assemble = await untilAssemble('fd-rc');
    const data = parseFinalizeAssembleJob(assemble.data);
    // committed, then cancelled, then the worker dies before its first write
    const dying = hookedStorage('putObject', /manifest/, async () => {
      await tracker.cancel('fd-rc');
      throw new Error('injected: the worker died');
    });
    await expect(finalizeAssemble(data, { ...ctx, storage: dying })).rejects.toThrow(/injected/);
    expect(await tracker.finalizeState('fd-rc')).toMatchObject({ stage: 'done' });
    expect(await finalizeAssemble(data, ctx)).toMatchObject({ kind: 'written', total: 2 });
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('stage parts with its parts set and part jobs lost: the watchdog and the re-drive drive it on', async () => {
    const b = await newBatch('fd-pl', 'dpl', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-pl');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), ctx)).toMatchObject({ parts: 1 });
    // Redis loses the part job and the parts set, not the stage
    await queue.remove(finalizePartJobId('fd-pl', 0, 0));
    await redis.del(`kpress:${queueName}:batch:fd-pl:parts`);
    expect(await tracker.finalizeState('fd-pl')).toMatchObject({ stage: 'parts', partsLeft: 0 });
    await drive('fd-pl', 20);
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 1: a part dispatch that fails once is dispatched again, and the batch ends', async () => {
    const b = await newBatch('fd-1', 'd1', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-1');
    const data = parseFinalizeJob(fin?.data);
    await expect(
      finalizeBatch(data, { ...ctx, queue: failingOnce(queue, 'addBulk') }),
    ).rejects.toThrow(/injected/);
    // BullMQ's retry of the same job
    await finalizeBatch(data, ctx);
    expect(await queue.getJob(finalizePartJobId('fd-1', 0, 0))).toBeDefined();
    await drive('fd-1');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 1: parts recorded but their jobs lost (no retry): the watchdog re-drives them', async () => {
    const b = await newBatch('fd-1w', 'd1w', { a: 'a', b: 'b', c: 'c' }, 3);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-1w');
    await expect(
      finalizeBatch(parseFinalizeJob(fin?.data), { ...ctx, queue: failingOnce(queue, 'addBulk') }),
    ).rejects.toThrow(/injected/);
    // the failed finalize job is gone (a worker killed between the two calls, its job lost with Redis)
    await drive('fd-1w');
    expect(await storage.exists('fd-dst', b.summary)).toBe(true);
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 2: a re-queue that fails half-way is redone by its retry, and the batch ends', async () => {
    const b = await newBatch('fd-2', 'd2', { a: 'a', b: 'b', c: 'c' }, 1);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-2');
    await finalizeBatch(parseFinalizeJob(fin?.data), ctx);
    const part = await takeJob('fd-2');
    await finalizePart(parseFinalizePartJob(part?.data), ctx);
    const asm = await takeJob('fd-2');
    expect(asm?.name).toBe('finalize-assemble');
    const data = parseFinalizeAssembleJob(asm?.data);
    await expect(
      finalizeAssemble(data, { ...ctx, queue: failingOnce(queue, 'addBulk') }),
    ).rejects.toThrow(/injected/);
    // BullMQ's retry of the same job
    expect(await finalizeAssemble(data, ctx)).toMatchObject({ kind: 'requeued', missing: 2 });
    expect(await tracker.listed('fd-2')).toBe(true);
    expect(await tracker.pending('fd-2')).toBe(2);
    await drive('fd-2');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 4: a second finalize after the parts settled does not stall the next round', async () => {
    const b = await newBatch('fd-4', 'd4', { a: 'a', b: 'b' }, 1);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-4');
    const finData = parseFinalizeJob(fin?.data);
    expect(await finalizeBatch(finData, ctx)).toMatchObject({ kind: 'dispatched', parts: 1 });
    const part = await takeJob('fd-4');
    await finalizePart(parseFinalizePartJob(part?.data), ctx);
    // a redelivered finalize of round 0 runs after its part settled, before the assemble
    await finalizeBatch(finData, ctx);
    const asm = await queue.getJob(assembleJobId('fd-4', 0));
    await asm?.remove();
    expect(await finalizeAssemble(parseFinalizeAssembleJob(asm?.data), ctx)).toMatchObject({
      kind: 'requeued',
      round: 1,
    });
    await drive('fd-4');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('defect 5: an assemble job naming fewer parts than its round has still joins them all', async () => {
    const files = { a: 'a', b: 'b', c: 'c', d: 'd' };
    const b = await newBatch('fd-5', 'd5', files, 4, ['b']);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-5');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), ctx)).toMatchObject({ parts: 2 });
    for (const i of [0, 1]) {
      const part = await queue.getJob(finalizePartJobId('fd-5', 0, i));
      await part?.remove();
      await finalizePart(parseFinalizePartJob(part?.data), ctx);
    }
    const asm = await queue.getJob(assembleJobId('fd-5', 0));
    await asm?.remove();
    const forged = { ...parseFinalizeAssembleJob(asm?.data), parts: 1 };
    expect(await finalizeAssemble(forged, ctx)).toEqual({ kind: 'written', total: 4 });
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
  });

  it('cancel while the parts are out: nothing is finalized until the batch is resumed', async () => {
    const b = await newBatch('fd-c', 'dc', { a: 'a', b: 'b' }, 2);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-c');
    await finalizeBatch(parseFinalizeJob(fin?.data), ctx);
    // kpress cancel: the flag, then the round's finalize job removed
    await tracker.cancel('fd-c');
    await queue.remove(finalizeJobId('fd-c', 0));
    const part = await takeJob('fd-c');
    await finalizePart(parseFinalizePartJob(part?.data), ctx);
    const asm = await takeJob('fd-c');
    if (asm !== undefined) await finalizeAssemble(parseFinalizeAssembleJob(asm.data), ctx);
    expect(await storage.exists('fd-dst', b.summary)).toBe(false);
    // the resuming enqueue: register, listed, finalize scheduled when drained
    await tracker.register(b.data);
    await tracker.markListed('fd-c');
    await scheduleFinalize(queue, tracker, b.data);
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
        await storage.putObject(
          'fd-dst',
          `${base}keys/part-${String(i).padStart(6, '0')}.jsonl`,
          body,
        );
        after = upTo;
      }
      await storage.putJson('fd-dst', `${base}listing.json`, {
        total: 6,
        enqueued: 0,
        finishedAt: new Date().toISOString(),
        rangeBoundaries: boundaries,
        keyList: { kind: 'keys', url: 's3://fd-src/list.csv', keys: 6 },
      });
    }
    await writeKeyList(['c']);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-k');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), ctx)).toMatchObject({ parts: 2 });
    const part0 = await queue.getJob(finalizePartJobId('fd-k', 0, 0));
    await part0?.remove();
    await finalizePart(parseFinalizePartJob(part0?.data), ctx);
    // the rerun: listing flag off, new key-list parts and listing.json, flag on again
    await tracker.unmarkListed('fd-k');
    await writeKeyList(['d']);
    await tracker.markListed('fd-k');
    await drive('fd-k');
    expect(await manifestKeys(b.manifest)).toEqual(b.keys);
    // no source is reported deleted (a key the old range missed came out as a record without a source)
    const body = await storage.getObject('fd-dst', b.manifest, { maxBytes: 1 << 20 });
    const rows = body.toString('utf8').trimEnd().split('\n').map(parseRow);
    expect(rows.filter((r) => r.sourceDeleted === true).map((r) => r.key)).toEqual([]);
  });

  it('parts out, their jobs lost, and listing.json rewritten with fewer ranges: the batch still ends', async () => {
    const b = await newBatch('fd-f', 'df', { a: 'a', b: 'b', c: 'c', d: 'd' }, 4, ['a', 'c']);
    await scheduleFinalize(queue, tracker, b.data);
    const fin = await takeJob('fd-f');
    expect(await finalizeBatch(parseFinalizeJob(fin?.data), ctx)).toMatchObject({ parts: 3 });
    for (let i = 0; i < 3; i++) await queue.remove(finalizePartJobId('fd-f', 0, i));
    // an enqueue rerun rewrote listing.json: one range now
    await storage.putJson('fd-dst', 'df-out/_kpress/fd-f/listing.json', {
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
    // the queue already holds 2 waiting jobs of another batch; the cap is 2
    const others = [];
    for (const k of ['x', 'y'])
      others.push(
        await queue.add('compress', { batchId: 'other', key: k } as never, { jobId: `fd-m-${k}` }),
      );
    const capped = { ...ctx, maxWaiting: 2 };
    await scheduleFinalize(queue, tracker, b.data);
    await finalizeBatch(parseFinalizeJob((await takeJob('fd-m'))?.data), capped);
    await finalizePart(parseFinalizePartJob((await takeJob('fd-m'))?.data), capped);
    const asm = parseFinalizeAssembleJob((await takeJob('fd-m'))?.data);
    const running = finalizeAssemble(asm, capped);
    let most = 0;
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      most = Math.max(most, await queue.getWaitingCount());
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
      most = Math.max(most, await queue.getWaitingCount());
      const job = await takeJob('fd-m');
      if (job?.name === 'compress') {
        const key = (job.data as { key: string }).key;
        await writeRecord(storage, 'fd-dst', b.record(key), row(key));
        await tracker.settle('fd-m', job.id as string);
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
    const watch = new BatchWatch({ queue, tracker, redis, storage, logger, intervalMs: 1000 });
    try {
      await tracker.addPending('fd-p', [id]);
      // the watch looks before the job is added
      await watch.lookAll();
      await queue.add('compress', { ...b.data, key: 'dp/a', size: 1 } as never, { jobId: id });
      await watch.lookAll();
      await watch.lookAll();
      expect(await tracker.pending('fd-p')).toBe(1);
      expect(await queue.getJob(finalizeJobId('fd-p', 0))).toBeUndefined();
    } finally {
      await watch.close();
      await queue.remove(id);
    }
  });
});
