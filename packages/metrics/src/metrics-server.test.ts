import { afterEach, describe, expect, it } from 'vitest';
import { MetricsServer } from './metrics-server.js';
import { createWorkerMetrics } from './worker-metrics.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(health?: ConstructorParameters<typeof MetricsServer>[0]['health']) {
  const metrics = createWorkerMetrics({ defaultMetrics: false });
  const server = new MetricsServer({
    registry: metrics.registry,
    port: 0,
    host: '127.0.0.1',
    ...(health ? { health } : {}),
  });
  servers.push(server);
  const port = await server.listen();
  return { metrics, server, base: `http://127.0.0.1:${port}` };
}

describe('MetricsServer (real HTTP on loopback)', () => {
  it('serves the registry on /metrics in Prometheus text format', async () => {
    const { metrics, base } = await start();
    metrics.jobDone('compressed', { in: 10, out: 4 });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('# TYPE kpress_jobs_total counter');
    expect(body).toContain('kpress_jobs_total{outcome="compressed"} 1');
  });

  it('answers /healthz 200 or 503 with the JSON body of the check', async () => {
    let state = 'running';
    const { base } = await start(() => ({ ok: state === 'running', state }));
    let res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, state: 'running' });
    state = 'closing';
    res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, state: 'closing' });
  });

  it('turns a failing health check into 503 with the error', async () => {
    const { base } = await start(async () => {
      throw new Error('redis gone');
    });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, error: 'redis gone' });
  });

  it('404s other paths and 405s other methods', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a bad port, naming it', () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    expect(() => new MetricsServer({ registry: metrics.registry, port: 70000 })).toThrow(
      /port .* got 70000/,
    );
  });

  it('close() stops answering and is idempotent', async () => {
    const { server, base } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await server.close();
    await server.close();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
