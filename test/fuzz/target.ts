/**
 * One fuzz target: how to generate its inputs (a fast-check arbitrary), how to judge one (check
 * throws on a finding), and how an input is stored in the corpus (test/fuzz/corpus/<name>/*.json).
 * The same targets run in `npm test` (the corpus, then one seeded pass) and in bench/fuzz.ts (long
 * campaigns with random seeds, coverage and findings written back to the corpus).
 */
import type fc from 'fast-check';

export interface FuzzTarget<T> {
  name: string;
  /** The source files whose coverage the campaign counts (paths under the repository root). */
  covers: string[];
  arbitrary: fc.Arbitrary<T>;
  /** Throws (with what went wrong) when the input shows a bug. */
  check(input: T): void | Promise<void>;
  toJson(input: T): unknown;
  fromJson(json: unknown): T;
}

/** A target whose inputs are plain JSON values already. */
export function jsonInput<T>(): Pick<FuzzTarget<T>, 'toJson' | 'fromJson'> {
  return { toJson: (x) => x, fromJson: (j) => j as T };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
