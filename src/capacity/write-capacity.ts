import path from 'node:path';
import { writeAtomic } from '../result-files/write-results.js';
import { capacityCsv, capacityHtml, type CapacityDocument } from './capacity-report.js';

/** capacity.json, capacity.csv (one row per step) and capacity.html in the output folder. */
export function writeCapacity(outDir: string, doc: CapacityDocument): { json: string; csv: string; html: string; text: string } {
  const text = JSON.stringify(doc, null, 2) + '\n';
  const files = { json: path.join(outDir, 'capacity.json'), csv: path.join(outDir, 'capacity.csv'), html: path.join(outDir, 'capacity.html') };
  writeAtomic(files.json, text);
  writeAtomic(files.csv, capacityCsv(doc));
  writeAtomic(files.html, capacityHtml(doc));
  return { ...files, text };
}
