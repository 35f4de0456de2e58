import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const worker = fileURLToPath(new URL('../../../worker/src/shared/', import.meta.url));

describe('shared copies', () => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  it('has the shared files', () => {
    expect(files.sort()).toEqual(
      readdirSync(worker)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .sort(),
    );
  });
  for (const f of files) {
    it(`${f} is the same as apps/worker/src/shared/${f}`, () => {
      expect(readFileSync(here + f, 'utf8')).toBe(readFileSync(worker + f, 'utf8'));
    });
  }
});
