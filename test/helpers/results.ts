import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResultDocument } from '../../src/contract/result.js';

export function tempDir(prefix = 'wsb-results-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The one run's files in `dir` (json, csv, hgrm), parsed where it makes sense. */
export function readRun(dir: string): { doc: ResultDocument; csv: string; hgrm: string; files: string[] } {
  const files = readdirSync(dir).sort();
  const pick = (ext: string) => {
    const f = files.find((n) => n.endsWith(ext));
    if (!f) throw new Error(`no ${ext} file in ${dir}: ${files.join(', ')}`);
    return readFileSync(path.join(dir, f), 'utf8');
  };
  return { doc: JSON.parse(pick('.json')) as ResultDocument, csv: pick('.csv'), hgrm: pick('.hgrm'), files };
}

/** Minimal RFC 4180 line split (our CSV quotes only when needed). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
