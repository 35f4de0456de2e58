import { describe, expect, it } from 'vitest';
import { listRepoFiles, readRepoFile } from './repo.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const arr = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const load = (path: string) => JSON.parse(readRepoFile(path)) as Policy;

/** What each role may do, and on which resources. */
const EXPECTED: Record<string, { actions: string[]; resources: RegExp[] }> = {
  'infra/iam/producer-policy.json': {
    actions: ['s3:ListBucket', 's3:GetObject', 's3:PutObject'],
    resources: [
      /^arn:aws:s3:::SOURCE_BUCKET$/,
      /^arn:aws:s3:::DEST_BUCKET$/,
      /^arn:aws:s3:::DEST_BUCKET\/DEST_PREFIX\/_kpress\/\*$/,
    ],
  },
  'infra/iam/worker-policy.json': {
    actions: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    resources: [
      /^arn:aws:s3:::SOURCE_BUCKET$/,
      /^arn:aws:s3:::SOURCE_BUCKET\/SOURCE_PREFIX\/\*$/,
      /^arn:aws:s3:::DEST_BUCKET$/,
      /^arn:aws:s3:::DEST_BUCKET\/DEST_PREFIX\/\*$/,
      /^arn:aws:s3:::DEST_BUCKET\/DEST_PREFIX\/_kpress\/\*$/,
    ],
  },
};

describe('IAM policies', () => {
  const files = listRepoFiles('infra/iam', ['.json']);

  it('are exactly the producer and worker policies', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    describe(file, () => {
      const policy = load(file);
      const expected = EXPECTED[file];

      it('is a 2012-10-17 policy of Allow statements with Sids', () => {
        expect(policy.Version).toBe('2012-10-17');
        expect(policy.Statement.length).toBeGreaterThan(0);
        for (const s of policy.Statement) {
          expect(s.Effect).toBe('Allow');
          expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
        }
      });

      it('has no wildcard action or resource and only the expected actions', () => {
        for (const s of policy.Statement) {
          for (const a of arr(s.Action)) {
            expect(a, `${s.Sid}`).not.toContain('*');
            expect(expected?.actions, `${s.Sid} action ${a}`).toContain(a);
          }
          for (const r of arr(s.Resource)) {
            expect(r, `${s.Sid}`).not.toBe('*');
            expect(r, `${s.Sid}`).not.toMatch(/:::\*|BUCKET\/\*$/);
            expect(
              expected?.resources.some((re) => re.test(r)),
              `${s.Sid} resource ${r}`,
            ).toBe(true);
          }
        }
      });

      it('lists buckets only under a prefix condition, and only with ListBucket', () => {
        for (const s of policy.Statement) {
          const onBucket = arr(s.Resource).some((r) => /^arn:aws:s3:::[A-Z_]+$/.test(r));
          if (!onBucket) continue;
          expect(arr(s.Action), `${s.Sid}`).toEqual(['s3:ListBucket']);
          const prefixes = arr(s.Condition?.StringLike?.['s3:prefix'] ?? []);
          expect(prefixes.length, `${s.Sid} needs an s3:prefix condition`).toBeGreaterThan(0);
          for (const p of prefixes) expect(p).toMatch(/^(SOURCE_PREFIX|DEST_PREFIX\/_kpress)\/\*$/);
        }
      });
    });
  }

  it('lets the producer write only under _kpress/, never outputs or sources', () => {
    const producer = load('infra/iam/producer-policy.json');
    for (const s of producer.Statement) {
      if (arr(s.Action).includes('s3:PutObject')) {
        expect(arr(s.Resource)).toEqual(['arn:aws:s3:::DEST_BUCKET/DEST_PREFIX/_kpress/*']);
      }
      for (const r of arr(s.Resource)) expect(r).not.toMatch(/SOURCE_BUCKET\//);
    }
  });

  it('never lets the worker write to the source', () => {
    const worker = load('infra/iam/worker-policy.json');
    for (const s of worker.Statement) {
      const writes = arr(s.Action).some((a) => /Put|Delete|Abort/.test(a));
      if (writes) for (const r of arr(s.Resource)) expect(r).toMatch(/^arn:aws:s3:::DEST_BUCKET\//);
    }
  });
});
