import { describe, expect, it } from 'vitest';
import { createWorkerMetrics } from './worker-metrics.js';

async function text(m: ReturnType<typeof createWorkerMetrics>) {
  return m.registry.metrics();
}

describe('createWorkerMetrics', () => {
  it('exports every outcome at zero before any job, and counts jobs and bytes', async () => {
    const m = createWorkerMetrics({ defaultMetrics: false });
    let t = await text(m);
    for (const o of ['compressed', 'kept-original', 'failed', 'retried']) {
      expect(t).toContain(`kpress_jobs_total{outcome="${o}"} 0`);
    }
    m.jobDone('compressed', { in: 1000, out: 300 });
    m.jobDone('kept-original', { in: 50, out: 50 });
    m.jobDone('failed');
    t = await text(m);
    expect(t).toContain('kpress_jobs_total{outcome="compressed"} 1');
    expect(t).toContain('kpress_jobs_total{outcome="kept-original"} 1');
    expect(t).toContain('kpress_jobs_total{outcome="failed"} 1');
    expect(t).toContain('kpress_bytes_in_total 1050');
    expect(t).toContain('kpress_bytes_out_total 350');
  });

  it('observes stage durations in seconds', async () => {
    const m = createWorkerMetrics({ defaultMetrics: false });
    m.observeStageMs('quantize', 250);
    m.observeStageMs('quantize', 750);
    const t = await text(m);
    expect(t).toContain('kpress_stage_seconds_count{stage="quantize"} 2');
    expect(t).toContain('kpress_stage_seconds_sum{stage="quantize"} 1');
    expect(t).toContain('kpress_stage_seconds_bucket{le="0.25",stage="quantize"} 1');
  });

  it('refuses unknown outcomes, stages and bad durations, naming the value', () => {
    const m = createWorkerMetrics({ defaultMetrics: false });
    // @ts-expect-error: not an outcome
    expect(() => m.jobDone('lost')).toThrow(/outcome .* got lost/);
    // @ts-expect-error: not a stage
    expect(() => m.observeStageMs('paint', 1)).toThrow(/stage .* got paint/);
    expect(() => m.observeStageMs('get', -1)).toThrow(/got -1/);
    expect(() => createWorkerMetrics({ queueDepthTimeoutMs: 0 })).toThrow(
      /queueDepthTimeoutMs .* got 0/,
    );
  });

  it('reads the queue depth at each scrape, and -1 when it fails or hangs', async () => {
    let depth: () => Promise<number> = async () => 7;
    const m = createWorkerMetrics({
      defaultMetrics: false,
      queueDepth: () => depth(),
      queueDepthTimeoutMs: 50,
    });
    expect(await text(m)).toContain('kpress_queue_depth 7');
    depth = async () => 3;
    expect(await text(m)).toContain('kpress_queue_depth 3');
    depth = () => Promise.reject(new Error('redis down'));
    expect(await text(m)).toContain('kpress_queue_depth -1');
    depth = () => new Promise<number>(() => {});
    expect(await text(m)).toContain('kpress_queue_depth -1');
  });

  it('includes default process metrics unless turned off, in its own registry', async () => {
    const a = createWorkerMetrics();
    const b = createWorkerMetrics({ defaultMetrics: false });
    expect(await text(a)).toContain('process_cpu_user_seconds_total');
    expect(await text(b)).not.toContain('process_cpu_user_seconds_total');
  });
});
