import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The repository's `fixtures/samples` directory. */
export const SAMPLES_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'fixtures',
  'samples',
);

/** Path of a sample image, e.g. `samplePath('coffee.jpg')`. */
export function samplePath(name: string): string {
  return join(SAMPLES_DIR, name);
}

/** A fixture body: bytes, text, or `{ path }` of a file to read. */
export type FixtureBody = Uint8Array | string | { path: string };

/**
 * Uploads `files` (name relative to `prefix` -> body) to `bucket` and returns the
 * full keys written, in the order given.
 */
export async function uploadFixtures(
  client: S3Client,
  bucket: string,
  prefix: string,
  files: Record<string, FixtureBody>,
): Promise<string[]> {
  const keys: string[] = [];
  for (const [name, body] of Object.entries(files)) {
    const bytes =
      typeof body === 'string'
        ? Buffer.from(body, 'utf8')
        : body instanceof Uint8Array
          ? body
          : await readFile(body.path);
    const key = prefix + name;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
      }),
    );
    keys.push(key);
  }
  return keys;
}
