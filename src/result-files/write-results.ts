import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WsbError } from '../core/errors.js';
import { decodeHistogram, percentileDistributionMs } from '../metrics/histograms.js';
import { toCsv } from './csv.js';
import type { ResultDocument } from '../contract/result.js';

/** Paths of the three files one run writes. */
export interface WrittenFiles {
  json: string;
  csv: string;
  hgrm: string;
}

/** `2026-11-24T06-55-12Z`: sortable and safe in every file system. */
export function fileTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/** Writes a file so that readers only ever see the old or the complete new contents. */
export function writeAtomic(file: string, contents: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

const WRITE_HINT = 'choose a writable --out directory (it is created if missing)';

/**
 * Creates `outDir` and proves it writable with a real file, before a run starts. Parents are made
 * one at a time: Node's recursive mkdir loops forever on some paths (`/proc/x`), where one mkdir
 * fails at once.
 */
export function prepareOutputDir(outDir: string): void {
  const dir = path.resolve(outDir);
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    let st;
    try {
      st = statSync(d);
    } catch {
      missing.unshift(d);
      if (path.dirname(d) === d) break;
      continue;
    }
    if (!st.isDirectory()) throw new WsbError('WSB_ERR_WRITE_RESULTS', `cannot write results to ${outDir}: ${d} is not a directory`, WRITE_HINT);
    break;
  }
  const probe = path.join(dir, `.wsbench-write-probe-${process.pid}`);
  try {
    for (const d of missing) mkdirSync(d);
    writeFileSync(probe, 'ok\n');
    rmSync(probe);
  } catch (err) {
    throw new WsbError('WSB_ERR_WRITE_RESULTS', `cannot write results to ${outDir}: ${(err as Error).message}`, WRITE_HINT);
  }
}

/** results/<timestamp>-<name>.json, .csv (one summary row) and .hgrm (RTT distribution, ms). */
export function writeResults(doc: ResultDocument, outDir: string): WrittenFiles {
  const safeName = doc.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const base = path.join(outDir, `${fileTimestamp(new Date(doc.startedAt))}-${safeName}`);
  try {
    prepareOutputDir(outDir);
    writeAtomic(`${base}.json`, JSON.stringify(doc, null, 2) + '\n');
    writeAtomic(`${base}.csv`, toCsv([doc]));
    const h = decodeHistogram(doc.histograms.rttUs);
    writeAtomic(`${base}.hgrm`, percentileDistributionMs(h));
    h.destroy();
  } catch (err) {
    if (err instanceof WsbError) throw err;
    throw new WsbError('WSB_ERR_WRITE_RESULTS', `cannot write results to ${outDir}: ${(err as Error).message}`, 'check --out and free disk space');
  }
  return { json: `${base}.json`, csv: `${base}.csv`, hgrm: `${base}.hgrm` };
}
