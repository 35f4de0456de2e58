/**
 * The fault seam: a no-op without a plan; a plan's `fail` fault throws once
 * per batch (the marker file makes it once across processes), at its point
 * only; the trace lists every point reached; a bad plan is refused naming
 * what is wrong.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { armFaultPlan, faultPoint, InjectedFault } from './fault-plan.js';

function plan(body: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpress-fault-plan-test-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify({ dir, ...body }));
  return file;
}

describe('fault plan', () => {
  afterEach(() => {
    armFaultPlan({});
  });

  it('does nothing without KPRESS_FAULT_PLAN', () => {
    expect(armFaultPlan({})).toBe(false);
    expect(() => faultPoint('part.settle', 'b1')).not.toThrow();
  });

  it('fails once at its point, for its batch only, and traces every point reached', () => {
    const file = plan({ trace: true, faults: { b1: { point: 'part.settle', mode: 'fail' } } });
    expect(armFaultPlan({ KPRESS_FAULT_PLAN: file })).toBe(true);
    faultPoint('part.summary-put', 'b1');
    faultPoint('part.settle', 'b2');
    expect(() => faultPoint('part.settle', 'b1')).toThrow(InjectedFault);
    expect(() => faultPoint('part.settle', 'b1')).not.toThrow();
    const dir = join(file, '..');
    expect(existsSync(join(dir, 'b1.fired'))).toBe(true);
    expect(readFileSync(join(dir, 'trace.log'), 'utf8').trim().split('\n')).toEqual([
      'part.summary-put b1',
      'part.settle b2',
      'part.settle b1',
      'part.settle b1',
    ]);
  });

  it('refuses an unknown point, an unknown mode and a plan without a folder', () => {
    const bad = (body: object) => () => armFaultPlan({ KPRESS_FAULT_PLAN: plan(body) });
    expect(bad({ faults: { b: { point: 'part.nothing', mode: 'fail' } } })).toThrow(
      /unknown point "part.nothing"/,
    );
    expect(bad({ faults: { b: { point: 'part.settle', mode: 'explode' } } })).toThrow(
      /mode must be fail or kill, got explode/,
    );
    const file = plan({});
    writeFileSync(file, JSON.stringify({ faults: {} }));
    expect(() => armFaultPlan({ KPRESS_FAULT_PLAN: file })).toThrow(/"dir" must be a folder path/);
  });
});
