/**
 * The finalize's three steps against RGW and s3rver and Redis, run in this
 * process one job at a time (no worker processes): a source without a
 * record is queued again under a new round; once every source has a record
 * the manifests hold exactly one row per source, and cut into many ranges
 * they are byte for byte what one range writes; a stale or early finalize
 * changes nothing; after the last round, still-missing sources become failed
 * rows, but a record that appeared meanwhile is kept.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseRow } from '@kpress/manifest';
import {
  assembleJobId,
  finalizeJobId,
  finalizePartJobId,
  jobIdFor,
  kpressKeys,
  parseFinalizeAssembleJob,
  parseFinalizeJob,
  parseFinalizePartJob,
} from '@kpress/queue';
import { finalizeWorkPrefix } from '@kpress/storage';
import { testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { recordKeyOf, writeRecord } from '../record.js';
import { BatchWatch } from './batch-watch.js';
import { finalizeAssemble, finalizeBatch, finalizePart } from './finalize.js';
import { failedRow, finalizeHarness } from './test/finalize-harness.js';

describe.each(testS3Kinds())('finalize on %s', (kind) => {
  const h = finalizeHarness(kind, ['fin-src', 'fin-dst'], 'kpress-finalize');
  const { logger, queueName } = h;
  const row = (key: string) => failedRow(key, 3);

  async function text(key: string): Promise<string> {
    const r = await h.s3.client.send(new GetObjectCommand({ Bucket: 'fin-dst', Key: key }));
    return (r.Body as { transformToString(): Promise<string> }).transformToString();
  }

  async function newBatch(batchId: string, name: string, files: Record<string, string>) {
    const data = { batchId, source: `s3://fin-src/${name}/`, dest: `s3://fin-dst/${name}-out/` };
    const keys = await uploadFixtures(h.s3.client, 'fin-src', `${name}/`, files);
    await h.storage.putJson('fin-dst', `${name}-out/_kpress/${batchId}/batch.json`, {
      version: 1,
      batchId,
      source: data.source,
      dest: data.dest,
      options: { colors: 16, seed: 1 },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await h.tracker.markListed(batchId);
    return {
      data,
      keys,
      record: (key: string) => recordKeyOf(key, `${name}/`, `${name}-out/`, batchId),
    };
  }

  /**
   * Runs the finalize job queued for the batch's round, then its parts, then the
   * assemble, as workers would (one at a time), taking each job off the h.queue.
   */
  let lastParts = 0;
  async function runRound(batchId: string): Promise<unknown> {
    const round = await h.tracker.round(batchId);
    const fin = await h.queue.getJob(finalizeJobId(batchId, round));
    expect(fin, 'a finalize job for the round').toBeDefined();
    await fin?.remove();
    const r = await finalizeBatch(parseFinalizeJob(fin?.data), h.ctx);
    if (r.kind !== 'dispatched') return r;
    lastParts = r.parts;
    for (let i = 0; i < r.parts; i++) {
      const part = await h.queue.getJob(finalizePartJobId(batchId, round, i));
      await part?.remove();
      await finalizePart(parseFinalizePartJob(part?.data), h.ctx);
    }
    const asm = await h.queue.getJob(assembleJobId(batchId, round));
    await asm?.remove();
    return finalizeAssemble(parseFinalizeAssembleJob(asm?.data), h.ctx);
  }

  async function schedule(data: { batchId: string; source: string; dest: string }) {
    const round = await h.tracker.round(data.batchId);
    await h.queue.add(
      'finalize',
      { ...data, round },
      { jobId: finalizeJobId(data.batchId, round) },
    );
  }

  it('re-queues sources without a record, then writes one row per source', async () => {
    const { data, keys, record } = await newBatch('fin-a', 'a', { x: 'x', 'y z': 'y', 'é+%': 'z' });
    const [first, ...rest] = keys as [string, ...string[]];
    await writeRecord(h.storage, 'fin-dst', record(first), row(first));

    await schedule(data);
    expect(await runRound('fin-a')).toEqual({ kind: 'requeued', round: 1, missing: 2 });
    for (const key of rest) {
      expect(await h.queue.getJobState(`${jobIdFor('fin-a', key)}.r1`)).toBe('waiting');
    }
    expect(await h.tracker.pending('fin-a')).toBe(2);
    expect(await h.storage.exists('fin-dst', 'a-out/_kpress/fin-a/summary.json')).toBe(false);

    for (const key of rest) await writeRecord(h.storage, 'fin-dst', record(key), row(key));
    // the round-1 jobs settle (as the worker does when it has written the record)
    await h.redis.del(kpressKeys(queueName).batch('fin-a', 'pending'));
    await schedule(data);
    expect(await runRound('fin-a')).toEqual({ kind: 'written', total: 3 });
    const lines = (await text('a-out/_kpress/fin-a/manifest.jsonl')).trimEnd().split('\n');
    expect(lines.map((l) => parseRow(l).key)).toEqual(keys);
    const summary = JSON.parse(await text('a-out/_kpress/fin-a/summary.json'));
    expect(summary.counts).toMatchObject({ total: 3, failed: 3 });
    // the parts' scratch files are gone
    const left = [];
    for await (const o of h.storage.listObjects('fin-dst', finalizeWorkPrefix('a-out/', 'fin-a')))
      left.push(o);
    expect(left).toEqual([]);
    expect(await finalizeBatch({ ...data, round: 1 }, h.ctx)).toEqual({ kind: 'already-done' });
  });

  it('a stale or early finalize changes nothing', async () => {
    const { data, keys, record } = await newBatch('fin-s', 's', { p: 'p', q: 'q' });
    for (const key of keys) await writeRecord(h.storage, 'fin-dst', record(key), row(key));
    // a finalize of a round the batch has left
    await h.tracker.advanceRound('fin-s', 0);
    expect(await finalizeBatch({ ...data, round: 0 }, h.ctx)).toEqual({
      kind: 'stale',
      round: 0,
      current: 1,
    });
    // a compare-and-set from a round that is not the current one does not move it
    expect(await h.tracker.advanceRound('fin-s', 0)).toBeUndefined();
    expect(await h.tracker.round('fin-s')).toBe(1);
    // a finalize while a job is still pending
    await h.tracker.addPending('fin-s', ['fin-s.job']);
    expect(await finalizeBatch({ ...data, round: 1 }, h.ctx)).toEqual({
      kind: 'early',
      pending: 1,
    });
    const parts = await h.queue.getJob(finalizePartJobId('fin-s', 1, 0));
    expect(parts).toBeUndefined();
    expect(await h.storage.exists('fin-dst', 's-out/_kpress/fin-s/manifest.jsonl')).toBe(false);
    // drained: it runs, and a duplicate while its parts are out does nothing
    await h.tracker.settle('fin-s', 'fin-s.job');
    expect(await finalizeBatch({ ...data, round: 1 }, h.ctx)).toMatchObject({
      kind: 'dispatched',
      parts: 1,
    });
    expect(await finalizeBatch({ ...data, round: 1 }, h.ctx)).toEqual({
      kind: 'under-way',
      parts: 1,
    });
  });

  it('cut into ranges, writes byte for byte what one range writes', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 23; i++) files[`d${i % 3}/img-${String(i).padStart(2, '0')}.jpg`] = `${i}`;
    files['ünï/çødé.png'] = 'u';
    const { data, keys, record } = await newBatch('fin-r', 'r', files);
    for (const key of keys) await writeRecord(h.storage, 'fin-dst', record(key), row(key));
    // one range (no boundaries in listing.json)
    await schedule(data);
    expect(await runRound('fin-r')).toEqual({ kind: 'written', total: 24 });
    expect(lastParts).toBe(1);
    const names = ['manifest.jsonl', 'manifest.csv', 'manifest-sha256.txt', 'report.html'];
    const serial = await Promise.all(names.map((n) => text(`r-out/_kpress/fin-r/${n}`)));
    const serialSummary = JSON.parse(await text('r-out/_kpress/fin-r/summary.json'));

    // again, cut every 5 keys (and at keys that have no source, which changes nothing)
    for (const n of [...names, 'summary.json'])
      await h.storage.deleteObject('fin-dst', `r-out/_kpress/fin-r/${n}`);
    const rel = keys.map((k) => k.slice('r/'.length));
    const boundaries = [rel[4], rel[9], 'd1/img-zz.jpg', rel[14], rel[19]].sort() as string[];
    await h.storage.putJson('fin-dst', 'r-out/_kpress/fin-r/listing.json', {
      total: 24,
      enqueued: 24,
      finishedAt: '2026-01-01T00:00:00.000Z',
      rangeBoundaries: boundaries,
    });
    await h.tracker.markListed('fin-r');
    await schedule(data);
    expect(await runRound('fin-r')).toEqual({ kind: 'written', total: 24 });
    expect(lastParts).toBe(6);
    const parallel = await Promise.all(
      names.slice(0, 3).map((n) => text(`r-out/_kpress/fin-r/${n}`)),
    );
    expect(parallel).toEqual(serial.slice(0, 3));
    const summary = JSON.parse(await text('r-out/_kpress/fin-r/summary.json'));
    expect({ ...summary, finishedAt: '' }).toEqual({ ...serialSummary, finishedAt: '' });
    const html = await text('r-out/_kpress/fin-r/report.html');
    const noTimes = (s: string) =>
      s.replaceAll(summary.finishedAt, '').replaceAll(serialSummary.finishedAt, '');
    expect(noTimes(html)).toBe(noTimes(serial[3] as string));
  });

  it('after the last round, gives a failed row to each source still without one, keeping a late record', async () => {
    const { data, keys, record } = await newBatch('fin-b', 'b', { lost: 'q', late: 'r' });
    const slow = { ...h.ctx, maxRounds: 0 };
    const late = keys.find((k) => k.endsWith('late')) as string;
    await schedule(data);
    const round = await h.tracker.round('fin-b');
    const fin = await h.queue.getJob(finalizeJobId('fin-b', round));
    await fin?.remove();
    const r = await finalizeBatch(parseFinalizeJob(fin?.data), slow);
    expect(r).toMatchObject({ kind: 'dispatched', parts: 1 });
    await finalizePart(
      parseFinalizePartJob((await h.queue.getJob(finalizePartJobId('fin-b', round, 0)))?.data),
      slow,
    );
    // the late job writes its record after the part saw it missing, before the give-up
    await writeRecord(h.storage, 'fin-dst', record(late), {
      ...row(late),
      error: 'the real result',
    });
    const asm = await h.queue.getJob(assembleJobId('fin-b', round));
    expect(await finalizeAssemble(parseFinalizeAssembleJob(asm?.data), slow)).toEqual({
      kind: 'gave-up',
      round: 1,
      failed: 1,
    });
    expect(await runRound('fin-b')).toEqual({ kind: 'written', total: 2 });
    const rows = (await text('b-out/_kpress/fin-b/manifest.jsonl'))
      .trimEnd()
      .split('\n')
      .map(parseRow);
    expect(rows.find((x) => x.key === late)?.error).toBe('the real result');
    expect(rows.find((x) => x.key !== late)?.error).toMatch(/no result after 1 round of attempts/);
  });

  it("a worker's batch watch schedules the lost finalize of a drained batch nobody waits for, once", async () => {
    const { data, keys, record } = await newBatch('fin-w', 'w', { p: 'p', q: 'q' });
    for (const key of keys) await writeRecord(h.storage, 'fin-dst', record(key), row(key));
    const watch = new BatchWatch({
      queue: h.queue,
      tracker: h.tracker,
      redis: h.redis,
      storage: h.storage,
      logger,
      intervalMs: 1000,
    });
    // not registered: not watched
    await watch.lookAll();
    await watch.lookAll();
    expect(await h.queue.getJob(finalizeJobId('fin-w', 0))).toBeUndefined();
    await h.tracker.register(data);
    expect(await h.tracker.registered()).toContainEqual(expect.objectContaining(data));
    // two looks in a row must see it drained with no finalize (an assemble may be on its way)
    await watch.lookAll();
    expect(await h.queue.getJob(finalizeJobId('fin-w', 0))).toBeUndefined();
    await watch.lookAll();
    expect(await h.queue.getJob(finalizeJobId('fin-w', 0))).toBeDefined();
    expect((await runRound('fin-w')) as { kind: string }).toMatchObject({ kind: 'written' });
    expect(await h.storage.exists('fin-dst', 'w-out/_kpress/fin-w/summary.json')).toBe(true);
    // the finalize cleared the registry entry: nothing more to watch
    expect((await h.tracker.registered()).map((b) => b.batchId)).not.toContain('fin-w');
    await watch.lookAll();
    await watch.lookAll();
    expect(await h.queue.getJob(finalizeJobId('fin-w', 1))).toBeUndefined();
    await watch.close();
  });

  it('the batch watch leaves a batch alone while jobs are pending', async () => {
    const { data } = await newBatch('fin-v', 'v', { r: 'r' });
    // a job waiting in the h.queue (no worker takes it here)
    const waiting = await h.queue.add('compress', { ...data, key: 'v/r' } as never, {
      jobId: 'fin-v-r',
    });
    await h.tracker.addPending('fin-v', ['fin-v-r']);
    await h.tracker.register(data);
    const watch = new BatchWatch({
      queue: h.queue,
      tracker: h.tracker,
      redis: h.redis,
      storage: h.storage,
      logger,
      intervalMs: 1000,
    });
    for (let i = 0; i < 3; i++) await watch.lookAll();
    expect(await h.queue.getJob(finalizeJobId('fin-v', 0))).toBeUndefined();
    expect(await h.tracker.pending('fin-v')).toBe(1);
    await watch.close();
    await waiting.remove();
    expect(
      () =>
        new BatchWatch({
          queue: h.queue,
          tracker: h.tracker,
          redis: h.redis,
          storage: h.storage,
          logger,
          intervalMs: 0,
        }),
    ).toThrow('intervalMs must be a whole number of ms >= 1, got 0');
  });
});
