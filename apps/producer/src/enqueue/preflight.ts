import { formatS3Url, type S3Location, StorageError, type Storage } from '@kpress/storage';

/** Turns a storage error on `what` into one line for a person. */
export function storageProblem(
  err: unknown,
  what: S3Location,
  role: 'source' | 'destination',
): Error {
  if (err instanceof StorageError) {
    const url = formatS3Url(what);
    if (err.code === 'NoSuchBucket')
      return new Error(`${role} bucket "${what.bucket}" does not exist (${url})`);
    if (err.code === 'AccessDenied') return new Error(`access denied to the ${role} ${url}`);
    return new Error(`cannot read the ${role} ${url}: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Checks that the source can be listed (the bucket exists and we may read it). */
export async function checkSource(storage: Storage, source: S3Location): Promise<void> {
  try {
    for await (const _ of storage.listObjects(source.bucket, source.prefix, { pageSize: 1 })) break;
  } catch (err) {
    throw storageProblem(err, source, 'source');
  }
}
