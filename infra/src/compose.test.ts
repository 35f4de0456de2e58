import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRepoFile } from './repo.js';

type Service = Record<string, unknown> & {
  command?: string[] | string;
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  image?: string;
};
const compose = parse(readRepoFile('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
/** The compose interpolation `${name:-fallback}`. */
const placeholder = (name: string, fallback: string) => `$${'{'}${name}:-${fallback}}`;
const svc = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};

describe('docker-compose.yml', () => {
  it('has redis, s3, buckets, worker, dashboard and producer', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['buckets', 'dashboard', 'producer', 'redis', 's3', 'worker'].sort(),
    );
  });

  it('runs Redis 7 with AOF on and noeviction, with a healthcheck', () => {
    const redis = svc('redis');
    expect(redis.image).toMatch(/^redis:7(\.|-|$)/);
    const cmd = (redis.command as string[]).join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.healthcheck?.test).toContain('redis-cli');
  });

  it('runs Redis with AUTH, and every kpress service connects with the same password', () => {
    const redis = svc('redis');
    const cmd = redis.command as string[];
    const password = cmd[cmd.indexOf('--requirepass') + 1];
    expect(password).toMatch(/^\$\{REDIS_PASSWORD:-.+\}$/);
    expect(redis.environment?.REDISCLI_AUTH).toBe(password);
    for (const name of ['worker', 'dashboard', 'producer']) {
      expect(svc(name).environment?.REDIS_URL, name).toBe(`redis://:${password}@redis:6379`);
    }
  });

  it('gives each worker slot a memory budget that fits the container limit', () => {
    const worker = svc('worker');
    const slot = Number(worker.environment?.KPRESS_SLOT_MEMORY_MB);
    const slots = Number(/KPRESS_CONCURRENCY:-(\d+)/.exec(JSON.stringify(worker.command))?.[1]);
    const deploy = worker.deploy as { resources?: { limits?: { memory?: string } } } | undefined;
    const limitMb = Number.parseInt(deploy?.resources?.limits?.memory ?? '', 10);
    expect(150 + slots * slot).toBeLessThanOrEqual(limitMb);
  });

  it('uses a maintained S3 store (SeaweedFS, not MinIO) and creates both buckets', () => {
    expect(JSON.stringify(services)).not.toMatch(/minio/i);
    expect(svc('s3').image).toMatch(/^chrislusf\/seaweedfs:/);
    expect((svc('s3').command as string[]).join(' ')).toMatch(/server .*-s3/);
    expect(svc('s3').healthcheck).toBeDefined();
    const init = JSON.stringify(svc('buckets').command);
    expect(init).toContain('kpress-src');
    expect(init).toContain('kpress-out');
    expect(svc('buckets').restart).toBe('no');
  });

  it('lets the worker scale: no container_name, no host ports, healthcheck on 9464/healthz', () => {
    const worker = svc('worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9464/healthz');
    expect(worker.environment?.KPRESS_METRICS_PORT).toBe('9464');
    expect(worker.environment?.KPRESS_METRICS_HOST).toBe('0.0.0.0');
    expect(worker.depends_on?.redis?.condition).toBe('service_healthy');
    expect(worker.depends_on?.buckets?.condition).toBe('service_completed_successfully');
    expect(worker.stop_signal).toBe('SIGTERM');
    expect(worker.build).toMatchObject({ context: '.', dockerfile: 'apps/worker/Dockerfile' });
  });

  it('serves the dashboard on 3000 and runs the producer only under its profile', () => {
    expect(svc('dashboard').ports).toEqual(['127.0.0.1:3000:3000']);
    // kpress dashboard binds 127.0.0.1 by default: unreachable from outside its container.
    expect(svc('dashboard').command).toEqual(['dashboard', '--host', '0.0.0.0', '--port', '3000']);
    expect(svc('producer').profiles).toEqual(['producer']);
    expect((svc('producer').command as string[])[0]).toBe('enqueue');
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'producer') expect(s.profiles, name).toBeUndefined();
    }
  });

  it('gives every long-running service a healthcheck', () => {
    for (const name of ['redis', 's3', 'worker', 'dashboard']) {
      expect(svc(name).healthcheck?.test, name).toBeDefined();
    }
  });

  it('holds credentials only as VAR-with-default placeholders', () => {
    const text = readRepoFile('docker-compose.yml');
    for (const name of ['worker', 'producer', 'dashboard']) {
      const env = svc(name).environment ?? {};
      expect(env.AWS_ACCESS_KEY_ID, name).toBe(placeholder('S3_ACCESS_KEY', 'kpress-local'));
      expect(env.AWS_SECRET_ACCESS_KEY, name).toBe(
        placeholder('S3_SECRET_KEY', 'kpress-local-secret'),
      );
    }
    // Nothing that looks like a real AWS key id.
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });
});
