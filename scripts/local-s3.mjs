#!/usr/bin/env node
// `pnpm local-s3 [--rgw] [folder]`: a local S3 on loopback for trying the
// dataset workflow without Docker. Starts s3rver (or, with --rgw, a one-node
// Ceph RADOS Gateway from Debian's radosgw/ceph-mon/ceph-osd packages, the S3
// the tests use) with the buckets `photos` and `archive`, uploads <folder>
// (default fixtures/samples) to s3://photos/in/, prints the environment a
// kpress command needs, and serves until Ctrl-C (or SIGTERM, or its terminal
// closing), which removes its data.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const kind = args.includes('--rgw') ? 'rgw' : 's3rver';
const folder = resolve(process.env.INIT_CWD ?? process.cwd(), args.find((a) => !a.startsWith('--')) ?? join(root, 'fixtures/samples'));
// as every kpress command: the AWS SDK's multi-line notice about Node 20 is dropped
const { silenceNodeVersionSupportWarning } = await import(join(root, 'packages/cli-kit/dist/index.js'));
silenceNodeVersionSupportWarning();
const { startS3Server, uploadFixtures } = await import(join(root, 'tools/testkit/dist/index.js'));

const files = {};
for (const e of readdirSync(folder, { recursive: true, withFileTypes: true })) {
  if (!e.isFile()) continue;
  const full = join(e.parentPath ?? e.path, e.name); // parentPath: Node 20.12+
  files[relative(folder, full).split(sep).join('/')] = readFileSync(full);
}
const server = await startS3Server({ kind, buckets: ['photos', 'archive'] });
await uploadFixtures(server.client, 'photos', 'in/', files);
const quote = (v) => `'${String(v).replaceAll("'", "'\\''")}'`;
console.log(`# ${kind} on ${server.endpoint}: s3://photos/in/ holds ${Object.keys(files).length} files from ${folder}`);
console.log('# in another shell:');
console.log(`export ${Object.entries(server.env).map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`);
console.log('kpress worker --concurrency 2 &');
console.log('kpress enqueue s3://photos/in/ --dest s3://archive/out/ --wait');
console.log('# Ctrl-C here stops the server and removes its data');
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop); // the terminal closed
