import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedDir, sharedPath } from './shared-dir.js';

describe('sharedDir', () => {
  const saved = process.env.KPRESS_SHARED_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.KPRESS_SHARED_DIR;
    else process.env.KPRESS_SHARED_DIR = saved;
  });

  it('finds the shared/ folder beside the repository (or a parent) with the reference scores', () => {
    delete process.env.KPRESS_SHARED_DIR;
    expect(existsSync(sharedPath('metrics/reference-scores.json'))).toBe(true);
    expect(sharedDir().endsWith('shared')).toBe(true);
  });

  it('takes KPRESS_SHARED_DIR, and names it when it does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpress-shared-'));
    try {
      process.env.KPRESS_SHARED_DIR = dir;
      expect(sharedPath('x.json')).toBe(join(dir, 'x.json'));
      process.env.KPRESS_SHARED_DIR = join(dir, 'missing');
      expect(() => sharedDir()).toThrow(
        `KPRESS_SHARED_DIR is ${join(dir, 'missing')}, which does not exist`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
