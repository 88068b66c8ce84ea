import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WsbError, usageError } from '../core/errors.js';
import { profileSchema, type Profile } from './profile-schema.js';

/** bench-profiles/ shipped with the package (next to dist/ in a clone and in the npm tarball). */
export const BUILTIN_PROFILE_DIR = fileURLToPath(new URL('../../../bench-profiles/', import.meta.url));

/** `smoke` → bench-profiles/smoke.json; anything with a slash or .json → a path. */
export function resolveProfilePath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return path.resolve(nameOrPath);
  return path.join(BUILTIN_PROFILE_DIR, `${nameOrPath}.json`);
}

/** What a profile is called in tables and file names: `smoke` stays `smoke`, `some/dir/p.json` is `p`. */
export function profileName(nameOrPath: string): string {
  return path.basename(resolveProfilePath(nameOrPath), '.json');
}

/** compare's tiers are named by profileName, so two files of one name would merge into one tier: a usage error. */
export function requireDistinctProfileNames(profiles: string[]): void {
  const fileOf = new Map<string, string>();
  for (const p of profiles) {
    const name = profileName(p);
    const file = resolveProfilePath(p);
    const seen = fileOf.get(name);
    if (seen !== undefined && seen !== file) throw usageError(`--profiles: ${seen} and ${file} would both be tier ${name}`, 'rename one of the files');
    fileOf.set(name, file);
  }
}

/** Reads and validates a profile; every problem is reported with its field name in one error. */
export function readProfile(nameOrPath: string): { profile: Profile; name: string; file: string } {
  const file = resolveProfilePath(nameOrPath);
  if (!existsSync(file)) {
    throw new WsbError(
      'WSB_ERR_PROFILE',
      `profile ${nameOrPath} not found (looked for ${file})`,
      `built-in profiles: ${listBuiltinProfiles().join(', ')}; or pass a path to a .json file`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WsbError('WSB_ERR_PROFILE', `profile ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WsbError('WSB_ERR_PROFILE', `profile ${file} is invalid: ${formatIssues(parsed.error)}`, 'see bench-profiles/README.md for the fields');
  }
  return { profile: parsed.data, name: profileName(file), file };
}

export function listBuiltinProfiles(): string[] {
  try {
    return ['smoke', '1k', '10k', '100k'].filter((n) => existsSync(path.join(BUILTIN_PROFILE_DIR, `${n}.json`)));
  } catch {
    return [];
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.join('.') || '(top level)';
      if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return `${field}: ${i.message}`;
    })
    .join('; ');
}
