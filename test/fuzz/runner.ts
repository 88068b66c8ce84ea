/**
 * Running a target: replaying its corpus (test/fuzz/corpus/<target>/*.json, findings kept as
 * regression cases) and one seeded pass of fast-check. `npm test` and bench/fuzz.ts share it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { FuzzTarget } from './target.js';

/** The corpus in the source tree (dist/test/fuzz/ → test/fuzz/corpus). */
export const CORPUS_DIR = fileURLToPath(new URL('../../../test/fuzz/corpus/', import.meta.url));

export interface CorpusEntry<T> {
  file: string;
  input: T;
  /** Why it is there: the finding it once was, or what it covers. */
  note: string;
}

export function readCorpus<T>(target: FuzzTarget<T>): CorpusEntry<T>[] {
  const dir = path.join(CORPUS_DIR, target.name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const entry = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { input: unknown; note?: string };
      return { file: path.join(dir, f), input: target.fromJson(entry.input), note: entry.note ?? '' };
    });
}

/** Writes an input into the target's corpus (named by its content: the same input is one file). */
export function addToCorpus<T>(target: FuzzTarget<T>, input: T, note: string): string {
  const json = target.toJson(input);
  const id = createHash('sha1').update(JSON.stringify(json)).digest('hex').slice(0, 12);
  const dir = path.join(CORPUS_DIR, target.name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}.json`);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify({ note, input: json }, null, 2) + '\n');
  return file;
}

/** Every corpus entry's failure, if any (an empty list: all pass). */
export async function replayCorpus<T>(target: FuzzTarget<T>): Promise<{ entries: number; failures: string[] }> {
  const entries = readCorpus(target);
  const failures: string[] = [];
  for (const e of entries) {
    try {
      await target.check(e.input);
    } catch (err) {
      failures.push(`${path.basename(e.file)} (${e.note}): ${(err as Error).message}`);
    }
  }
  return { entries: entries.length, failures };
}

/** One fast-check pass: `runs` inputs from `seed`; throws fast-check's report (seed, shrunk counterexample). */
export async function seededPass<T>(target: FuzzTarget<T>, seed: number, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(target.arbitrary, async (input) => {
      await target.check(input);
    }),
    { seed, numRuns: runs },
  );
}
