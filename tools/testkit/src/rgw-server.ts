import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { cephConfig } from './ceph-config.js';
import { freePort } from './redis-server.js';
import { type S3Server, s3ServerHandle } from './s3-server-handle.js';
import { startWatchedDaemon, type WatchedDaemon } from './watched-daemon.js';

const run = promisify(execFile);

/** The Debian packages that hold the binaries `startRgwServer` runs. */
export const CEPH_PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd'] as const;
const BINARIES = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'];

/** Options of `startRgwServer`. */
export interface RgwServerOptions {
  /** Buckets created before the server is handed over; default none. */
  buckets?: string[];
  /** Bytes the in-memory OSD may hold; default 2 GiB (memory is used only for what is stored). */
  storeBytes?: number;
  /** How long start-up may take before it fails; default 60 s (it takes about 1.5 s). */
  startTimeoutMs?: number;
}

/** Whether Ceph's binaries are on PATH; `startRgwServer` throws naming the packages if not. */
export async function hasCeph(): Promise<boolean> {
  try {
    await run('sh', ['-c', BINARIES.map((b) => `command -v ${b}`).join(' && ')]);
    return true;
  } catch {
    return false;
  }
}

async function step(what: string, cmd: string, args: string[], logDir: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 30_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `test RGW: ${what} failed (${cmd}): ${(e.stderr ?? e.message).trim().slice(-400)}; logs in ${logDir}`,
    );
  }
}

/**
 * Starts a one-node Ceph cluster (monitor, in-memory OSD, RADOS Gateway) on
 * free loopback ports under a fresh temporary directory, with an S3 user of a
 * fresh random key, and returns it as an `S3Server`. `close()` stops exactly
 * the daemons it started (by pid) and removes the directory; the daemons also
 * die with this process, even on SIGKILL (see `startWatchedDaemon`). Each call
 * is its own cluster, so concurrent test files never share a bucket.
 */
export async function startRgwServer(options: RgwServerOptions = {}): Promise<S3Server> {
  if (!(await hasCeph())) {
    throw new Error(
      `test RGW: Ceph is not installed; install Debian's ${CEPH_PACKAGES.join(' ')} ` +
        `(npm test does: apt-get install -y --no-install-recommends ${CEPH_PACKAGES.join(' ')})`,
    );
  }
  const directory = await mkdtemp(join(tmpdir(), 'kpress-rgw-'));
  const logDir = join(directory, 'log');
  const daemons: WatchedDaemon[] = [];
  const stopAll = async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await Promise.all(['mon', 'osd', 'run', 'log'].map((d) => mkdir(join(directory, d))));
    const [monPort, rgwPort] = await Promise.all([freePort(), freePort()]);
    const conf = join(directory, 'ceph.conf');
    const fsid = randomUUID();
    await writeFile(
      conf,
      cephConfig({
        fsid,
        directory,
        monPort,
        rgwPort,
        storeBytes: options.storeBytes ?? 2 ** 31,
      }),
    );
    const c = ['-c', conf];
    const monmap = join(directory, 'monmap');
    await step(
      'monmap',
      'monmaptool',
      ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, monmap],
      logDir,
    );
    await step('monitor mkfs', 'ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', monmap], logDir);
    const daemon = async (name: string, cmd: string, args: string[]) => {
      daemons.push(await startWatchedDaemon(cmd, args, join(logDir, `${name}.stderr`)));
    };
    await daemon('mon', 'ceph-mon', [...c, '-i', 'a', '-f']);
    const osdUuid = randomUUID();
    await step('osd new', 'ceph', [...c, '--connect-timeout', '20', 'osd', 'new', osdUuid], logDir);
    await step('osd mkfs', 'ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid], logDir);
    await daemon('osd', 'ceph-osd', [...c, '-i', '0', '-f']);
    await daemon('rgw', 'radosgw', [...c, '-n', 'client.rgw', '-f']);
    const credentials = {
      accessKeyId: `KP${randomBytes(9).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(24).toString('base64url'),
    };
    const uid = 'kpress';
    const admin = (what: string, args: string[]) =>
      step(what, 'radosgw-admin', [...c, '-n', 'client.admin', ...args], logDir);
    /** Another key of the same user: the same buckets, as s3rver's extra key pairs. */
    const addKey = async (accessKeyId: string, secretAccessKey: string) => {
      await admin('key create', [
        'key',
        'create',
        '--uid',
        uid,
        '--key-type',
        's3',
        '--access-key',
        accessKeyId,
        '--secret',
        secretAccessKey,
      ]);
      return async () => {
        await admin('key rm', [
          'key',
          'rm',
          '--uid',
          uid,
          '--key-type',
          's3',
          '--access-key',
          accessKeyId,
        ]);
      };
    };
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    // RGW creates its pools at start; a user created meanwhile waits seconds on them
    await waitUntil(() => fetch(endpoint).then(() => true), daemons, deadline, logDir);
    await admin('user create', [
      'user',
      'create',
      '--uid',
      uid,
      '--display-name',
      uid,
      '--access-key',
      credentials.accessKeyId,
      '--secret',
      credentials.secretAccessKey,
    ]);
    const server = s3ServerHandle({
      kind: 'rgw',
      endpoint,
      directory,
      credentials,
      addKey,
      close: stopAll,
    });
    // a signed request: an unsigned probe says nothing of the user being usable
    await waitUntil(
      () => server.client.send(new ListBucketsCommand({})).then(() => true),
      daemons,
      deadline,
      logDir,
    );
    for (const name of options.buckets ?? []) await server.createBucket(name);
    return server;
  } catch (err) {
    const tail = await readFile(join(logDir, 'rgw.stderr'), 'utf8').catch(() => '');
    await stopAll();
    if (tail.trim() !== '' && err instanceof Error) err.message += `; radosgw: ${tail.slice(-300)}`;
    throw err;
  }
}

/** Polls `probe` every 25 ms until it resolves true; fails when a daemon exits or at `deadline`. */
async function waitUntil(
  probe: () => Promise<boolean>,
  daemons: WatchedDaemon[],
  deadline: number,
  logDir: string,
): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => d.exited);
    if (dead)
      throw new Error(`test RGW: a Ceph daemon (pid ${dead.pid}) exited; logs in ${logDir}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`test RGW: not ready in time (${(last as Error)?.message}); logs in ${logDir}`);
}
