import { readFileSync } from 'node:fs';
import { WsbError } from '../core/errors.js';
import { RESULT_SCHEMA_VERSION, type ResultDocument } from '../contract/result.js';

/** Reads a result document written by `load` (or `merge`), refusing other files clearly. */
export function readResultFile(file: string): ResultDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WsbError('WSB_ERR_RESULT_FILE', code ? `cannot read ${file} (${code})` : `${file} is not JSON: ${(err as Error).message}`);
  }
  const d = doc as Partial<ResultDocument>;
  if (d?.schemaVersion !== RESULT_SCHEMA_VERSION || !d.summary || !d.histograms || !d.config) {
    throw new WsbError(
      'WSB_ERR_RESULT_FILE',
      `${file} is not a wsbench result (schemaVersion ${RESULT_SCHEMA_VERSION} expected)`,
      'pass the .json files wsbench load writes to results/',
    );
  }
  return d as ResultDocument;
}
