import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { WsbError } from '../core/errors.js';
import { RESULT_SCHEMA_VERSION, type ResultDocument } from '../contract/result.js';
import { decodeHistogram } from '../metrics/histograms.js';
import { resultSchema } from './result-schema.js';

const RUN_FILES_HINT = 'pass the .json files wsbench load (or merge) writes to results/';
/** More issues than this are summarised: the first few say what is wrong with a file. */
const MAX_ISSUES = 5;

function refuse(message: string, hint = RUN_FILES_HINT): never {
  throw new WsbError('WSB_ERR_RESULT_FILE', message, hint);
}

/** `summary.rttUs.p99`, `series[3].tS`: the path as it would be written in JavaScript. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      out += /^[A-Za-z_$][\w$]*$/.test(name) ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return out || '(the document)';
}

/** True when the last key of `path` is absent from its parent (zod reports both as undefined input). */
function isMissing(doc: unknown, path: readonly PropertyKey[]): boolean {
  let parent: unknown = doc;
  for (const key of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown>)?.[key];
  return typeof parent === 'object' && parent !== null && !(path[path.length - 1] in parent);
}

function describeIssue(doc: unknown, issue: z.core.$ZodIssue): string {
  const where = fieldPath(issue.path);
  if (issue.code === 'invalid_type' && issue.path.length > 0 && isMissing(doc, issue.path)) return `${where}: missing (expected ${issue.expected})`;
  return `${where}: ${issue.message}`;
}

/**
 * Files other wsbench commands write that someone may pass by mistake: say what they are.
 * compare.json has no kind field; its three top-level keys are what marks it.
 */
function otherWsbenchFile(doc: Record<string, unknown>): string | undefined {
  if (doc.kind === 'wsbench-capacity') return 'a capacity summary (capacity.json, written by wsbench capacity)';
  if ('comparisons' in doc && 'baseline' in doc && !('summary' in doc)) return 'a comparison summary (compare.json, written by wsbench compare)';
  return undefined;
}

/**
 * The parsed JSON of one file, checked against the result schema: a file that is not a result, a
 * result of an unknown schema version, or one with a missing or mistyped field is refused with the
 * file and the field named (exit 2), before any of it reaches a report, a merge or the gate.
 */
export function checkResultDocument(doc: unknown, file: string): ResultDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    refuse(`${file} is not a wsbench result: the JSON is ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : `a ${typeof doc}`}, not an object`);
  }
  const record = doc as Record<string, unknown>;
  const other = otherWsbenchFile(record);
  if (other)
    refuse(`${file} is ${other}, not a run's result`, "pass the run result files instead: the .json files under the compare or capacity output's runs/");
  const version = record.schemaVersion;
  if (version === undefined) refuse(`${file} is not a wsbench result: it has no schemaVersion`);
  if (typeof version === 'number' && Number.isInteger(version) && version > RESULT_SCHEMA_VERSION) {
    refuse(
      `${file} has schemaVersion ${version}; this wsbench reads results of schemaVersion ${RESULT_SCHEMA_VERSION}`,
      'read it with the wsbench version that wrote it (tool.version in the file), or a newer one',
    );
  }
  const parsed = resultSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const listed = issues.slice(0, MAX_ISSUES).map((issue) => describeIssue(doc, issue));
    if (issues.length > MAX_ISSUES) listed.push(`and ${issues.length - MAX_ISSUES} more`);
    refuse(`${file} is not a valid wsbench result: ${listed.join('; ')}`);
  }
  const result = parsed.data as ResultDocument;
  for (const [name, encoded] of Object.entries(result.histograms)) {
    // An empty string is an empty histogram (mergeEncoded skips it too).
    if (typeof encoded !== 'string' || encoded === '') continue;
    try {
      decodeHistogram(encoded).destroy();
    } catch (err) {
      refuse(`${file} is not a valid wsbench result: histograms.${name}: not an encoded histogram (${(err as Error).message})`);
    }
  }
  return result;
}

/** Reads a result document written by `load` (or `merge`), refusing other and damaged files clearly. */
export function readResultFile(file: string): ResultDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    refuse(`cannot read ${file} (${code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    refuse(`${file} is not JSON: ${(err as Error).message}`);
  }
  return checkResultDocument(doc, file);
}
