import type { BenchResult, CommandFigures } from './run-bench.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const dec = (n: number) => n.toFixed(2);
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function commands(c: CommandFigures): string {
  const top = c.top.map((t) => `${t.command} ${dec(t.perJob)}`).join(', ');
  return [
    `${dec(c.totalPerJob)} Redis commands/job (${dec(c.scriptCallsPerJob)} script calls/job); top: ${top}`,
    `          Redis CPU ${dec(c.redisCpuMicrosPerJob)} µs/job: one Redis core tops out near ${int(c.redisCeilingJobsPerSecond)} jobs/s`,
  ].join('\n');
}

/** A human-readable summary of one run, one figure per line. */
export function formatResult(r: BenchResult): string {
  const m = r.memory;
  return [
    `bench-queue: ${int(r.jobs)} jobs on Redis ${r.redisVersion} (queue ${r.queue})`,
    `enqueue:  ${int(r.enqueue.jobsPerSecond)} jobs/s (${dec(r.enqueue.seconds)} s); ${int(r.waitingAfterEnqueue)} waiting`,
    `          ${commands(r.enqueue.commands)}`,
    `memory:   ${int(m.bytesPerWaitingJob)} bytes per waiting job (${mib(m.afterEnqueueBytes - m.baselineBytes)} for all)`,
    `drain:    ${int(r.drain.jobsPerSecond)} completions/s (${dec(r.drain.seconds)} s, ${int(r.drain.completed)} completed)`,
    `          ${commands(r.drain.commands)}`,
    `after:    residual ${int(m.residualBytes)} bytes (+ events stream ${mib(m.eventsStreamBytes)}); ${m.returnedToBaseline ? 'back to baseline' : 'NOT back to baseline'}`,
    `cleanup:  ${r.keysLeft} keys left`,
    '',
  ].join('\n');
}
