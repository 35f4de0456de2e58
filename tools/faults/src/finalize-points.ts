/**
 * The machinery of the finalize's systematic fault test
 * (finalize-points.test.ts): one tiny batch per injection point and mode,
 * all run at once by real worker processes that read a fault plan
 * (`KPRESS_FAULT_PLAN`, see @kpress/config's fault-plan.ts), a supervisor
 * that starts a new worker whenever one is SIGKILLed, and the check each
 * finished batch must pass.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { FINALIZE_FAULT_POINTS, type FaultMode, type FaultPoint } from '@kpress/config';
import type { BatchTracker, KpressQueue } from '@kpress/queue';
import type { ProcessHandle } from '@kpress/testkit';
import { type BatchCheck, checkBatch, getBytes, listKeys } from './batch-check.js';
import { kpress } from './kpress-cli.js';

/** The points only a batch whose last round gives up reaches (a worker with KPRESS_FINALIZE_ROUNDS=0). */
export const GIVE_UP_POINTS: readonly FaultPoint[] = FINALIZE_FAULT_POINTS.filter((p) =>
  p.startsWith('give-up.'),
);

/**
 * Which worker pool (its own queue) runs a batch: `fail` (the failing-once
 * runs, many jobs per process), `kill` (the SIGKILL runs, one job per
 * process, so that a kill ends only the step at the point), `give-up` (the
 * give-up points, KPRESS_FINALIZE_ROUNDS=0, one job per process).
 */
export type PoolName = 'fail' | 'kill' | 'give-up';

/** One run: a batch with a fault at `point`. */
export interface PointRun {
  batchId: string;
  point: FaultPoint;
  mode: FaultMode;
  pool: PoolName;
}

/** Every point in both modes. */
export function pointRuns(modes: readonly FaultMode[] = ['fail', 'kill']): PointRun[] {
  const runs: PointRun[] = [];
  for (const [i, point] of FINALIZE_FAULT_POINTS.entries()) {
    for (const mode of modes) {
      const pool = GIVE_UP_POINTS.includes(point) ? 'give-up' : mode;
      runs.push({ batchId: `fp${String(i).padStart(2, '0')}-${mode}`, point, mode, pool });
    }
  }
  return runs;
}

/** Writes the plan file for `runs` in a fresh folder; returns its path and folder. */
export function writePlan(runs: readonly PointRun[]): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kpress-fault-plan-'));
  const faults = Object.fromEntries(runs.map((r) => [r.batchId, { point: r.point, mode: r.mode }]));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify({ dir, trace: true, faults }));
  return { file, dir };
}

/**
 * `n` workers kept running: a worker that exits (SIGKILLed by its plan) is
 * replaced at once. `all` holds every worker ever started, for their logs.
 */
export class WorkerPool {
  readonly all: ProcessHandle[] = [];
  private live: ProcessHandle[] = [];
  private closed = false;
  /** Workers that ended by a signal other than SIGTERM (the plan's SIGKILLs). */
  killed = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly n: number,
    private readonly concurrency: number,
  ) {}

  /** Starts the workers (not waiting for them to be ready: a plan may kill one before it says so). */
  start(): void {
    for (let i = 0; i < this.n; i++) this.spawn();
  }

  private spawn(): void {
    const w = kpress(['worker', '--concurrency', String(this.concurrency)], this.env);
    this.all.push(w);
    this.live.push(w);
    void w.waitForExit().then((exit) => {
      this.live = this.live.filter((x) => x !== w);
      if (this.closed) return;
      if (exit.signal === 'SIGKILL') this.killed++;
      this.spawn();
    });
  }

  /** SIGTERMs every live worker; resolves with their exits. */
  async stop() {
    this.closed = true;
    const live = [...this.live];
    // a worker started a moment ago handles SIGTERM only once it is ready
    await Promise.all(live.map((w) => w.waitForLine(/worker ready/).catch(() => {})));
    for (const w of live) w.kill('SIGTERM');
    return Promise.all(live.map((w) => w.waitForExit()));
  }
}

/** The summaries written so far, as batch ids. */
export async function finishedBatches(client: S3Client, bucket: string): Promise<Set<string>> {
  const keys = await listKeys(client, bucket, '');
  const done = new Set<string>();
  for (const k of keys) {
    const m = /^([^/]+)-out\/_kpress\/\1\/summary\.json$/.exec(k);
    if (m?.[1] !== undefined) done.add(m[1]);
  }
  return done;
}

/** What one finished run must show; a list of problems (empty when it passes). */
export async function checkRun(
  client: S3Client,
  run: PointRun,
  expected: { sources: number; lostKey: string; imageKey: string },
): Promise<{ check: BatchCheck; problems: string[] }> {
  const prefix = `${run.batchId}-out/`;
  const check = await checkBatch(client, {
    sourceBucket: 'src',
    sourcePrefix: `${run.batchId}/`,
    destBucket: 'dst',
    destPrefix: prefix,
    batchId: run.batchId,
  });
  const problems: string[] = [];
  const want = {
    objects: expected.sources,
    rows: expected.sources,
    duplicates: 0,
    lost: 0,
    summaryTotal: expected.sources,
  };
  for (const [k, v] of Object.entries(want)) {
    const got = check[k as keyof typeof want];
    if (got !== v) problems.push(`${k} is ${got}, expected ${v}`);
  }
  if (check.extra.length > 0) problems.push(`extra rows: ${check.extra.join(', ')}`);
  if (check.badOutputs.length > 0) problems.push(`bad outputs: ${check.badOutputs.join('; ')}`);
  // each row is its source's own result: the image compressed, the notes "not an image",
  // the lost one re-queued (a note) or given up; a record replaced by another shows here
  for (const [key, row] of check.byKey) {
    const reason = row.error ?? '';
    if (key === expected.imageKey) {
      if (row.status === 'failed') problems.push(`${key}: the image failed: ${reason}`);
    } else if (key === expected.lostKey && run.pool === 'give-up') {
      if (!/no result after 1 round/.test(reason)) problems.push(`${key}: not given up: ${reason}`);
    } else if (!/not an image|unsupported|format/i.test(reason)) {
      problems.push(`${key}: unexpected row ${row.status}: ${reason}`);
    }
  }
  // the manifest holds each record as it is now: no record was replaced after the join
  const manifest = (await getBytes(client, 'dst', `${prefix}_kpress/${run.batchId}/manifest.jsonl`))
    .toString('utf8')
    .trimEnd()
    .split('\n');
  for (const line of manifest) {
    const key = (JSON.parse(line) as { key: string }).key;
    const rel = key.slice(`${run.batchId}/`.length);
    const record = await getBytes(client, 'dst', `${prefix}_kpress/${run.batchId}/records/${rel}`);
    if (!isDeepStrictEqual(JSON.parse(record.toString('utf8')), JSON.parse(line)))
      problems.push(`${key}: record differs from its row`);
  }
  return { check, problems };
}

/** Where an unfinished batch stands, for the failure message: its finalize state, its jobs, its workers' lines. */
export async function describeStuck(
  queue: KpressQueue,
  tracker: BatchTracker,
  batchId: string,
  workers: readonly ProcessHandle[],
): Promise<string> {
  const state = await tracker.finalizeState(batchId);
  const [pending, listed, cancelled] = await Promise.all([
    tracker.pending(batchId),
    tracker.listed(batchId),
    tracker.cancelled(batchId),
  ]);
  const jobs = await queue.getJobs([
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'failed',
    'completed',
  ]);
  const mine = [];
  for (const j of jobs) {
    if ((j?.data as { batchId?: string })?.batchId !== batchId) continue;
    mine.push(`${j.id}=${await j.getState()}`);
  }
  const lines = workers
    .flatMap((w) => w.stderr)
    .filter((l) => l.includes(batchId))
    .slice(-8);
  return `${batchId}: round ${state.round} stage ${state.stage} partsLeft ${state.partsLeft} pending ${pending} listed ${listed} cancelled ${cancelled} jobs [${mine.join(', ')}]\n  ${lines.join('\n  ')}`;
}
