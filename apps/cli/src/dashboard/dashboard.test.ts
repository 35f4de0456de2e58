/**
 * `kpress dashboard` as a real child process against a real Redis queue holding a job.
 */
import { request } from 'node:http';
import { loadConfig } from '@kpress/config';
import { createQueue, type KpressQueue } from '@kpress/queue';
import {
  freePort,
  type ProcessHandle,
  redisUrl,
  removeQueueKeys,
  spawnProcess,
  startRedisServer,
  uniqueQueueName,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../test/paths.js';

const queueName = uniqueQueueName('kpress-dashboard');
let queue: KpressQueue;
const running: ProcessHandle[] = [];

beforeAll(async () => {
  queue = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName }));
  await queue.add(
    'compress',
    {
      batchId: '20250101-000000-abcdef',
      source: 's3://src/in/',
      dest: 's3://dst/out/',
      key: 'in/cat.jpg',
      size: 1,
      colors: 16,
      seed: 1,
    },
    { jobId: 'job-one' },
  );
});

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await queue.obliterate({ force: true });
  await queue.close();
  await removeQueueKeys(queueName);
});

/** Starts the dashboard on a free port; resolves with its base URL once it listens. */
async function dashboard(args: string[] = [], env: Record<string, string> = {}) {
  const p = spawnProcess(process.execPath, [BIN, 'dashboard', '--port', '0', ...args], {
    env: { REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName, NODE_NO_WARNINGS: '1', ...env },
  });
  running.push(p);
  const line = await p.waitForLine(/dashboard for queue .* http:\/\/127\.0\.0\.1:\d+\//);
  const base = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(line)?.[1] as string;
  return { p, base };
}

/** An HTTP request with a chosen Host header (fetch does not let one set it); resolves with the status. */
function statusFor(
  base: string,
  path: string,
  host: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method: init.method ?? 'GET', headers: { ...init.headers, host } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('kpress dashboard (child process, real Redis)', () => {
  it('answers only to loopback names and --allowed-host ones', async () => {
    const { p, base } = await dashboard(['--allowed-host', 'kpress.example.org']);
    const status = (host: string) => statusFor(base, '/api/queues', host);
    expect(await status('kpress.example.org')).toBe(200);
    expect(await status('localhost:3000')).toBe(200);
    expect(await status('[::1]:3000')).toBe(200);
    expect(await status('other.example.org')).toBe(421);
    p.kill('SIGTERM');
    expect((await p.waitForExit()).code).toBe(0);
  }, 60_000);

  it('serves the board and the queue with its job, read-only; exits 0 on SIGTERM', async () => {
    const { p, base } = await dashboard();
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    const api = await fetch(`${base}/api/queues`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as {
      queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[];
    };
    const q = body.queues.find((x) => x.name === queueName);
    expect(q, JSON.stringify(body).slice(0, 300)).toBeDefined();
    expect(q?.readOnlyMode).toBe(true);
    expect(q?.counts.waiting).toBe(1);

    // a mutating call is refused, and the queue is indeed not paused
    const pause = await fetch(`${base}/api/queues/${queueName}/pause`, { method: 'PUT' });
    expect(pause.status).toBe(405);
    expect(await queue.isPaused()).toBe(false);

    p.kill('SIGTERM');
    expect(await p.waitForExit()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('with --allow-actions and basic auth the same call pauses the queue', async () => {
    const { p, base } = await dashboard(['--allow-actions'], {
      KPRESS_DASHBOARD_USER: 'ops',
      KPRESS_DASHBOARD_PASSWORD: 's3cret-pass',
    });
    const authorization = basic('ops', 's3cret-pass');
    // a page elsewhere whose name resolves here (DNS rebinding) is not answered
    const rebound = await statusFor(base, `/api/queues/${queueName}/pause`, 'evil.example:3000', {
      method: 'PUT',
      headers: { authorization },
    });
    expect(rebound).toBe(421);
    expect(await queue.isPaused()).toBe(false);
    const pause = await fetch(`${base}/api/queues/${queueName}/pause`, {
      method: 'PUT',
      headers: { authorization },
    });
    expect(pause.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    await queue.resume();
    p.kill('SIGINT');
    expect(await p.waitForExit()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('asks for basic auth when KPRESS_DASHBOARD_USER and _PASSWORD are set', async () => {
    const { p, base } = await dashboard([], {
      KPRESS_DASHBOARD_USER: 'ops',
      KPRESS_DASHBOARD_PASSWORD: 's3cret-pass',
    });
    const none = await fetch(`${base}/api/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${base}/api/queues`, {
      headers: { authorization: basic('ops', 's3cret-wrong') },
    });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/api/queues`, {
      headers: { authorization: basic('ops', 's3cret-pass') },
    });
    expect(ok.status).toBe(200);
    const page = await fetch(`${base}/`, {
      headers: { authorization: basic('ops', 's3cret-pass') },
    });
    expect(page.status).toBe(200);
    // the password never appears in what the command printed
    expect([...p.stdout, ...p.stderr].join('\n')).not.toContain('s3cret-pass');
    p.kill('SIGTERM');
    expect((await p.waitForExit()).code).toBe(0);
  }, 60_000);

  it('refuses half-set auth and a bad port with one line and exit 2', async () => {
    const half = spawnProcess(process.execPath, [BIN, 'dashboard'], {
      env: { KPRESS_DASHBOARD_USER: 'ops', KPRESS_DASHBOARD_PASSWORD: '', NODE_NO_WARNINGS: '1' },
    });
    expect((await half.waitForExit()).code).toBe(2);
    expect(half.stderr).toEqual([
      'kpress: set both KPRESS_DASHBOARD_USER and KPRESS_DASHBOARD_PASSWORD for basic auth, or neither',
    ]);
    const port = spawnProcess(process.execPath, [BIN, 'dashboard', '--port', '70000'], {
      env: { NODE_NO_WARNINGS: '1' },
    });
    expect((await port.waitForExit()).code).toBe(2);
    expect(port.stderr[0]).toMatch(/--port must be an integer from 0 to 65535, got 70000/);
    const actions = spawnProcess(process.execPath, [BIN, 'dashboard', '--allow-actions'], {
      env: { NODE_NO_WARNINGS: '1' },
    });
    expect((await actions.waitForExit()).code).toBe(2);
    expect(actions.stderr[0]).toMatch(
      /^kpress: --allow-actions needs basic auth: set KPRESS_DASHBOARD_USER/,
    );
  }, 60_000);

  it('says when Redis does not answer: at start, on every page and /healthz, and when it is back', async () => {
    const port = await freePort();
    const { p, base } = await dashboard([], { REDIS_URL: `redis://127.0.0.1:${port}` });
    await p.waitForLine(/Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)/);
    await p.waitForLine(/the pages answer 503 saying so until it does/);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\) for \d+ s/,
    );
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, redis: 'down' });
    // no stack traces: every stderr line is a kpress line or a JSON log line
    expect(p.stderr.filter((l) => !l.startsWith('kpress') && !l.startsWith('{'))).toEqual([]);

    const redis = await startRedisServer({ port });
    try {
      await p.waitForLine(/is back after \d+ s/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/`)).status).toBe(200);
    } finally {
      await redis.close();
    }
    // SIGTERM at once after Redis died: it still exits
    p.kill('SIGTERM');
    expect((await p.waitForExit()).code).toBe(0);
  }, 60_000);
});
