/**
 * The finalize's fault-injection seam, for the fault suite only: after each
 * Redis or S3 call on the finalize path the code calls
 * `faultPoint(point, batchId)`, which does nothing unless a worker was
 * started with `KPRESS_FAULT_PLAN` naming a plan file. The plan says, per
 * batch id, at which point to fail once (the call has happened, then its
 * caller sees an error, as when a reply is lost) or to SIGKILL the process
 * right after the call. Each fault fires once per batch, across processes:
 * firing creates `<dir>/<batchId>.fired` exclusively.
 *
 * Plan file (JSON): `{ "dir": "/tmp/x", "trace": true, "faults": { "<batchId>": { "point": "part.settle", "mode": "fail" | "kill" } } }`;
 * with `trace`, every point reached is appended to `<dir>/trace.log` as
 * `<point> <batchId>`.
 */
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every Redis and S3 call on the finalize path, named `<step>.<call>`, in the
 * order a batch meets them. The fault suite injects a fault after each in turn.
 */
export const FINALIZE_FAULT_POINTS = [
  // a compress job's settle queues the finalize after the batch's last job
  'settle.finalize-add',
  // finalize (worker finalize/finalize.ts)
  'finalize.summary-head',
  'finalize.cancelled-get',
  'finalize.state-get',
  'finalize.listing-get',
  'finalize.begin-parts',
  'finalize.parts-add',
  // a part (worker finalize/finalize.ts, finalize/part.ts)
  'part.summary-head',
  'part.cancelled-get',
  'part.state-get',
  'part.listing-get',
  'part.record-get',
  'part.slices-put',
  'part.summary-put',
  'part.settle',
  'part.assemble-add',
  // the assemble (worker finalize/assemble.ts)
  'assemble.summary-head',
  'assemble.cancelled-get',
  'assemble.state-get',
  'assemble.batch-get',
  'assemble.drained-get',
  'assemble.listing-get',
  'assemble.parts-get',
  'assemble.finish',
  'assemble.manifest-put',
  'assemble.csv-put',
  'assemble.sha256-put',
  'assemble.report-put',
  'assemble.summary-put',
  'assemble.clear',
  'assemble.work-delete',
  // the re-queue of sources without a record (worker finalize/requeue.ts, enqueue-sources.ts)
  'requeue.begin',
  'requeue.missing-get',
  'requeue.add-pending',
  'requeue.add-bulk',
  'requeue.end',
  'requeue.finalize-add',
  // the last round's give-up records (worker finalize/requeue.ts)
  'give-up.missing-get',
  'give-up.record-put',
  'give-up.end',
  'give-up.finalize-add',
] as const;

export type FaultPoint = (typeof FINALIZE_FAULT_POINTS)[number];

/** What the plan does at a point. */
export type FaultMode = 'fail' | 'kill';

interface FaultPlan {
  dir: string;
  trace: boolean;
  faults: Map<string, { point: FaultPoint; mode: FaultMode }>;
}

let plan: FaultPlan | undefined;

/** The error a `fail` fault throws. */
export class InjectedFault extends Error {
  constructor(point: FaultPoint, batchId: string) {
    super(`injected fault after ${point} (batch ${batchId})`);
    this.name = 'InjectedFault';
  }
}

/**
 * Reads the plan named by `env.KPRESS_FAULT_PLAN` (a worker calls this once at
 * start); no variable, no plan: every `faultPoint` is a no-op. Throws on a plan
 * that names an unknown point or mode.
 */
export function armFaultPlan(env: Record<string, string | undefined>): boolean {
  const file = env.KPRESS_FAULT_PLAN;
  if (file === undefined || file === '') {
    plan = undefined;
    return false;
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    dir?: unknown;
    trace?: unknown;
    faults?: Record<string, { point?: unknown; mode?: unknown }>;
  };
  if (typeof raw.dir !== 'string') {
    throw new Error(`KPRESS_FAULT_PLAN ${file}: "dir" must be a folder path, got ${raw.dir}`);
  }
  const faults = new Map<string, { point: FaultPoint; mode: FaultMode }>();
  for (const [batchId, f] of Object.entries(raw.faults ?? {})) {
    if (!FINALIZE_FAULT_POINTS.includes(f.point as FaultPoint)) {
      throw new Error(`KPRESS_FAULT_PLAN ${file}: unknown point ${JSON.stringify(f.point)}`);
    }
    if (f.mode !== 'fail' && f.mode !== 'kill') {
      throw new Error(`KPRESS_FAULT_PLAN ${file}: mode must be fail or kill, got ${f.mode}`);
    }
    faults.set(batchId, { point: f.point as FaultPoint, mode: f.mode });
  }
  plan = { dir: raw.dir, trace: raw.trace === true, faults };
  return true;
}

/** The seam: after the call named `point` for `batchId`; a no-op without a plan. */
export function faultPoint(point: FaultPoint, batchId: string): void {
  if (plan === undefined) return;
  if (plan.trace) appendFileSync(join(plan.dir, 'trace.log'), `${point} ${batchId}\n`);
  const fault = plan.faults.get(batchId);
  if (fault === undefined || fault.point !== point) return;
  try {
    closeSync(openSync(join(plan.dir, `${batchId}.fired`), 'wx'));
  } catch {
    return; // fired before (this process or another)
  }
  if (fault.mode === 'kill') process.kill(process.pid, 'SIGKILL');
  throw new InjectedFault(point, batchId);
}
