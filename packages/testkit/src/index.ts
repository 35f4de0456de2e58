export { type FixtureBody, SAMPLES_DIR, samplePath, uploadFixtures } from './fixtures.js';
export { redisUrl, uniqueQueueName } from './redis-names.js';
export {
  S3RVER_CREDENTIALS,
  type S3Server,
  type S3ServerOptions,
  s3ClientFor,
  startS3Server,
} from './s3-server.js';
export {
  type ProcessExit,
  type ProcessHandle,
  type SpawnOptions,
  spawnProcess,
} from './spawn-process.js';
export {
  freePort,
  type RedisServer,
  type RedisServerOptions,
  type RedisTlsFiles,
  startRedisServer,
} from './redis-server.js';
export { acceptS3Credentials } from './s3-credentials.js';
