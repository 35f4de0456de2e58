import { InvalidArgumentError } from 'commander';

/** commander argument parser for an integer in [min, max]. */
export function intInRange(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${name} must be an integer in ${min}..${max}, got "${value}".`,
      );
    }
    return n;
  };
}

/** commander argument parser for a finite number greater than zero. */
export function positiveNumber(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive number, got "${value}".`);
    }
    return n;
  };
}
