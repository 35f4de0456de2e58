/**
 * The AWS SDK's 8-line NodeVersionSupportWarning is dropped (errors stay one
 * line) and every other process warning is still printed.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { EXIT, isNodeVersionSupportWarning } from '@kpress/cli-kit';
import {
  redisUrl,
  removeQueueKeys,
  type S3Server,
  spawnProcess,
  startS3Server,
  testS3Kinds,
  uniqueQueueName,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../test/paths.js';

// the built @kpress/cli-kit, where silenceNodeVersionSupportWarning lives
const WARNINGS = createRequire(import.meta.url).resolve('@kpress/cli-kit');

/** The environment of a user's shell: warnings on (no NODE_NO_WARNINGS). */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_NO_WARNINGS;
  delete env.NODE_OPTIONS;
  return env;
}

describe.each(testS3Kinds())('node-warnings on %s', (kind) => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['dest-bucket'] });
  });
  afterAll(async () => {
    await s3?.close();
  });

  describe('NodeVersionSupportWarning', () => {
    it('is recognised by its message, and nothing else is', () => {
      const sdk = new Error('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\n...');
      sdk.name = 'Warning';
      expect(isNodeVersionSupportWarning(sdk)).toBe(true);
      const other = new Error('something else');
      other.name = 'Warning';
      expect(isNodeVersionSupportWarning(other)).toBe(false);
      const dep = new Error('NodeVersionSupportWarning: but a deprecation');
      dep.name = 'DeprecationWarning';
      expect(isNodeVersionSupportWarning(dep)).toBe(false);
    });

    it('a missing source bucket is ONE line on stderr (the SDK runs, its notice is dropped)', async () => {
      const queue = uniqueQueueName('warn');
      // async: the S3 server runs in this process and must keep answering
      const p = spawnProcess(
        process.execPath,
        [BIN, 'enqueue', 's3://no-such-bucket/in/', '--dest', 's3://dest-bucket/out/'],
        {
          exitWithParent: false,
          env: {
            ...s3.env,
            REDIS_URL: redisUrl(),
            KPRESS_QUEUE: queue,
            NODE_NO_WARNINGS: undefined,
            NODE_OPTIONS: undefined,
          },
        },
      );
      const exit = await p.waitForExit();
      expect(p.stderr.join('\n')).not.toContain('NodeVersionSupportWarning');
      expect(p.stderr.filter((l) => l.trim() !== '')).toEqual([
        'kpress: source bucket "no-such-bucket" does not exist (s3://no-such-bucket/in/)',
      ]);
      expect(exit.code).toBe(EXIT.failure);
      await removeQueueKeys(queue);
    }, 60_000);

    it('other warnings are still printed', () => {
      const script = `
      import { silenceNodeVersionSupportWarning } from ${JSON.stringify(WARNINGS)};
      silenceNodeVersionSupportWarning();
      process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nline 2');
      process.emitWarning('kept on purpose', 'OtherWarning');
    `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: userEnv({}),
      });
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('OtherWarning: kept on purpose');
      expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    });
  });
});
