import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WsbError } from '../core/errors.js';
import { profileSchema, type Profile } from './profile-schema.js';

/** bench-profiles/ shipped with the package (next to dist/ in a clone and in the npm tarball). */
export const BUILTIN_PROFILE_DIR = fileURLToPath(new URL('../../../bench-profiles/', import.meta.url));

/** `smoke` → bench-profiles/smoke.json; anything with a slash or .json → a path. */
export function resolveProfilePath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return path.resolve(nameOrPath);
  return path.join(BUILTIN_PROFILE_DIR, `${nameOrPath}.json`);
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
  return { profile: parsed.data, name: path.basename(file, '.json'), file };
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
