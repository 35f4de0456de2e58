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
  // `kpress verify --deep --tag-sources`: reads the batch and re-reads the sources, writes its
  // fixity event, and adds one tag to sources; never their bytes
  'infra/iam/archivist-policy.json': {
    actions: [
      's3:ListBucket',
      's3:GetObject',
      's3:PutObject',
      's3:GetObjectTagging',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ],
    resources: [
      /^arn:aws:s3:::SOURCE_BUCKET$/,
      /^arn:aws:s3:::SOURCE_BUCKET\/SOURCE_PREFIX\/\*$/,
      /^arn:aws:s3:::DEST_BUCKET$/,
      /^arn:aws:s3:::DEST_BUCKET\/DEST_PREFIX\/\*$/,
      /^arn:aws:s3:::DEST_BUCKET\/DEST_PREFIX\/_kpress\/\*$/,
    ],
  },
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
    ],
  },
};

describe('IAM policies', () => {
  const files = listRepoFiles('infra/iam', ['.json']);

  it('are exactly the archivist, producer and worker policies', () => {
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

      it('acts on buckets only with ListBucket', () => {
        for (const s of policy.Statement) {
          const onBucket = arr(s.Resource).some((r) => /^arn:aws:s3:::[A-Z_]+$/.test(r));
          if (onBucket) expect(arr(s.Action), `${s.Sid}`).toEqual(['s3:ListBucket']);
        }
      });

      // AWS answers a GET/HEAD of a MISSING key with 403 unless the caller has an
      // s3:ListBucket that applies; a prefix-conditioned one does not (the read
      // carries no s3:prefix). kpress reads keys that may be absent (records,
      // clash partners, batch.json, summary.json), so a role that reads a bucket
      // lists it unconditioned; a role that only lists keeps the prefix condition.
      it('lists unconditioned exactly the buckets it reads keys from, the rest under a prefix', () => {
        const readBuckets = new Set(
          policy.Statement.filter((s) => arr(s.Action).includes('s3:GetObject')).flatMap((s) =>
            arr(s.Resource).map((r) => r.replace(/^arn:aws:s3:::([A-Z_]+)\/.*$/, '$1')),
          ),
        );
        expect(readBuckets.size).toBeGreaterThan(0);
        const listed = new Map<string, 'unconditioned' | 'prefix'>();
        for (const s of policy.Statement) {
          if (!arr(s.Action).includes('s3:ListBucket')) continue;
          for (const r of arr(s.Resource)) {
            const bucket = r.replace(/^arn:aws:s3:::/, '');
            if (s.Condition === undefined) {
              listed.set(bucket, 'unconditioned');
              continue;
            }
            expect(Object.keys(s.Condition), `${s.Sid}`).toEqual(['StringLike']);
            const prefixes = arr(s.Condition.StringLike?.['s3:prefix'] ?? []);
            expect(prefixes.length, `${s.Sid} needs an s3:prefix condition`).toBeGreaterThan(0);
            for (const p of prefixes)
              expect(p).toMatch(/^(SOURCE_PREFIX|DEST_PREFIX\/_kpress)\/\*$/);
            if (!listed.has(bucket)) listed.set(bucket, 'prefix');
          }
        }
        for (const bucket of readBuckets) expect(listed.get(bucket), bucket).toBe('unconditioned');
        for (const [bucket, how] of listed) {
          if (!readBuckets.has(bucket)) expect(how, bucket).toBe('prefix');
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

describe('IAM: tagging sources is the archivist role alone', () => {
  const onSource = (s: Statement) =>
    arr(s.Resource).some((r) => r.startsWith('arn:aws:s3:::SOURCE_BUCKET/'));

  it('the producer and worker keep read-only access to sources and never tag', () => {
    for (const file of ['infra/iam/producer-policy.json', 'infra/iam/worker-policy.json']) {
      for (const s of load(file).Statement) {
        for (const a of arr(s.Action)) expect(a, `${file} ${s.Sid}`).not.toMatch(/Tagging/);
        if (onSource(s)) expect(arr(s.Action), `${file} ${s.Sid}`).toEqual(['s3:GetObject']);
      }
    }
  });

  it('the archivist reads and tags sources, never writes or deletes their bytes, and writes only under _kpress/', () => {
    const archivist = load('infra/iam/archivist-policy.json');
    const sourceActions = archivist.Statement.filter(onSource).flatMap((s) => arr(s.Action));
    expect(sourceActions.sort()).toEqual(
      [
        's3:GetObject',
        's3:GetObjectTagging',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ].sort(),
    );
    for (const s of archivist.Statement) {
      for (const a of arr(s.Action)) expect(a).not.toMatch(/Delete|Abort|Acl|Policy|Lifecycle/);
      if (arr(s.Action).includes('s3:PutObject')) {
        expect(arr(s.Resource)).toEqual(['arn:aws:s3:::DEST_BUCKET/DEST_PREFIX/_kpress/*']);
      }
    }
  });
});

describe('IAM and the code paths that read possibly-missing keys', () => {
  const producer = load('infra/iam/producer-policy.json');
  const worker = load('infra/iam/worker-policy.json');
  const unconditionedList = (p: Policy, bucket: string) =>
    p.Statement.some(
      (s) =>
        arr(s.Action).includes('s3:ListBucket') &&
        s.Condition === undefined &&
        arr(s.Resource).includes(`arn:aws:s3:::${bucket}`),
    );

  it('the worker gets 404s for records and summary.json (dest) and clash partners (source)', () => {
    expect(unconditionedList(worker, 'DEST_BUCKET')).toBe(true);
    expect(unconditionedList(worker, 'SOURCE_BUCKET')).toBe(true);
  });

  it('the producer gets 404s for batch.json and summary.json (dest) and lists the source only under its prefix', () => {
    expect(unconditionedList(producer, 'DEST_BUCKET')).toBe(true);
    expect(unconditionedList(producer, 'SOURCE_BUCKET')).toBe(false);
  });

  it("the worker may read outputs back (the report's before/after views)", () => {
    expect(
      worker.Statement.some(
        (s) =>
          arr(s.Action).includes('s3:GetObject') &&
          arr(s.Resource).includes('arn:aws:s3:::DEST_BUCKET/DEST_PREFIX/*'),
      ),
    ).toBe(true);
  });
});
