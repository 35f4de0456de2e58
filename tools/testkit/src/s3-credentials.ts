// s3rver keeps its accounts in a module-level registry; its models module has no types.
// @ts-expect-error no declaration file for s3rver's internal module
import * as account from 's3rver/lib/models/account.js';

interface AwsAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const DUMMY =
  (account as { DUMMY_ACCOUNT?: AwsAccount; default?: { DUMMY_ACCOUNT?: AwsAccount } })
    .DUMMY_ACCOUNT ??
  (account as { default?: { DUMMY_ACCOUNT?: AwsAccount } }).default?.DUMMY_ACCOUNT;

/**
 * Makes every s3rver in this process accept another access key pair (besides
 * S3RVER/S3RVER), e.g. distinctive marker credentials for a leak test. Returns
 * a function that revokes it.
 */
export function acceptS3Credentials(accessKeyId: string, secretAccessKey: string): () => void {
  if (DUMMY === undefined) throw new Error("s3rver's account registry was not found");
  if (accessKeyId === '' || secretAccessKey === '') {
    throw new RangeError('accessKeyId and secretAccessKey must be non-empty');
  }
  DUMMY.createKeyPair(accessKeyId, secretAccessKey);
  return () => DUMMY.revokeAccessKey(accessKeyId);
}
