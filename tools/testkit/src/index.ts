export { type ApngOptions, makeApng } from './apng.js';
export { type FixtureBody, SAMPLES_DIR, samplePath, uploadFixtures } from './fixtures.js';
export { sharedDir, sharedPath } from './shared-dir.js';
export { redisUrl, uniqueQueueName } from './redis-names.js';
export {
  freePort,
  type RedisServer,
  type RedisServerOptions,
  type RedisTlsFiles,
  startRedisServer,
} from './redis-server.js';
export { CEPH_PACKAGES, hasCeph, type RgwServerOptions, startRgwServer } from './rgw-server.js';
export { acceptS3Credentials } from './s3-credentials.js';
export {
  S3RVER_CREDENTIALS,
  type S3ServerOptions,
  startS3rver,
  startS3Server,
  testS3Kinds,
} from './s3-server.js';
export {
  type S3Credentials,
  type S3Server,
  type S3ServerKind,
  s3ClientFor,
} from './s3-server-handle.js';
export {
  type ProcessExit,
  type ProcessHandle,
  type SpawnOptions,
  spawnProcess,
} from './spawn-process.js';
export { removeQueueKeys } from './queue-keys.js';
