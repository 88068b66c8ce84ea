import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { resolveLoadConfig } from '../profile/resolve-config.js';
import type { ProgressSink } from '../core/progress.js';
import { prepareOutputDir, writeAtomic } from '../result-files/write-results.js';
import { comparisonCsv, comparisonMarkdown, comparisonRows, type ComparisonRow } from '../report/comparison.js';
import { renderHtmlReport } from '../report/html-report.js';
import { significanceMarkdown } from '../report/significance-table.js';
import { compareServers } from './significance.js';
import type { ServerComparison } from '../result/figure-comparison.js';
import type { ResultDocument } from '../contract/result.js';
import type { Target } from '../targets/target.js';
import { measuredRun } from '../session/measured-run.js';
import { headlineOf } from '../result/headline.js';
import { profileName } from '../profile/read-profile.js';
import type { WsbError } from '../core/errors.js';
import { msFromUs } from '../core/ms-text.js';

export interface CompareOptions {
  targets: Target[];
  profiles: string[];
  repeat: number;
  /** The server every other one is compared against at each tier; the first target when not given. */
  baseline?: string;
  outDir: string;
  tool: { name: string; version: string };
  argv: readonly string[];
  /** --arrivals and --arrival-seed for every run (undefined: the profile's, else grid). */
  arrivals?: 'grid' | 'spread' | 'poisson';
  arrivalSeed?: number;
}

export interface CompareOutcome {
  docs: ResultDocument[];
  rows: ComparisonRow[];
  /** Every server against the baseline server at each tier, figure by figure (also in compare.json). */
  comparisons: ServerComparison[];
  baseline: string;
  /** Servers that could not be started or failed the conformance check, with why: they are not measured. */
  failedChecks: { server: string; stage: 'start' | 'check'; reason: string }[];
  /** Runs a load worker's failure cut short: their partial results are written, but left out of the comparison. */
  runErrors: { server: string; profile: string; repeat: number; error: WsbError }[];
  files: { csv: string; md: string; html: string; json: string };
  interrupted: boolean;
}

/**
 * The matrix: for each tier × repeat × server, a fresh server process, the conformance check, the
 * load with the server's pid sampled, and the server stopped again. Servers run one at a time on the
 * same host, so they never compete with each other, and interleaved (A, B, A, B, … within a tier)
 * so that a drift of the host over the minutes hits every server alike instead of biasing the
 * comparison against whichever ran last. A server that fails to start or fails the check is dropped
 * from the remaining runs.
 */
export async function runCompare(
  opts: CompareOptions,
  deps: { log: Logger; abort: AbortSignal; progress: () => Promise<ProgressSink> },
): Promise<CompareOutcome> {
  const { log, abort } = deps;
  prepareOutputDir(opts.outDir);
  const docs: ResultDocument[] = [];
  const failedChecks: CompareOutcome['failedChecks'] = [];
  const total = opts.targets.length * opts.profiles.length * opts.repeat;
  let step = 0;
  const dropped = new Set<string>();
  const runErrors: CompareOutcome['runErrors'] = [];
  outer: for (const profile of opts.profiles) {
    const tier = profileName(profile);
    for (let repeat = 1; repeat <= opts.repeat; repeat++) {
      for (const target of opts.targets) {
        if (abort.aborted) break outer;
        if (dropped.has(target.name)) continue;
        step++;
        log.info(
          { step, total, server: target.name, profile: tier, repeat },
          `[${step}/${total}] ${target.name} x ${tier} (repeat ${repeat}/${opts.repeat}): starting the server`,
        );
        const run = await measuredRun(
          {
            target,
            configFor: (server) =>
              resolveLoadConfig({
                url: server.url,
                profile,
                serverPid: server.pid,
                outDir: opts.outDir,
                name: `${target.name}-${tier}-r${repeat}`,
                check: false,
                arrivals: opts.arrivals,
                arrivalSeed: opts.arrivalSeed,
              }),
            conformanceCheck: () => ({ noCheckDoes: 'measure it anyway' }),
            onTargetFailure: 'skip',
            interrupted: 'write',
            onWriteFailure: 'throw',
            label: { server: target.name, tier, repeat },
            tool: opts.tool,
            argv: opts.argv,
          },
          deps,
        );
        if (run.kind === 'not-measured') {
          const what = run.stage === 'start' ? 'could not be started' : 'failed the conformance check';
          log.error({ server: target.name, reason: run.reason }, `${target.name} ${what}: not measured`);
          failedChecks.push({ server: target.name, stage: run.stage, reason: run.reason });
          dropped.add(target.name);
          continue;
        }
        if (run.kind !== 'measured') continue;
        if (run.workerError) {
          const e = run.workerError;
          log.error(
            { server: target.name, profile: tier, repeat, code: e.code, file: run.files?.json },
            `${target.name} x ${tier} (repeat ${repeat}): ${e.message}; its partial result is left out of the comparison${e.hint ? ` (${e.hint})` : ''}`,
          );
          runErrors.push({ server: target.name, profile: tier, repeat, error: e });
          continue;
        }
        const doc = run.doc;
        docs.push(doc);
        const s = doc.summary;
        log.info(
          { server: target.name, profile: tier, repeat, verdict: s.verdict },
          `[${step}/${total}] ${target.name} x ${tier}: p50 ${msFromUs(headlineOf(doc).p50, 2)} ms, p99 ${msFromUs(headlineOf(doc).p99, 2)} ms, ${s.verdict}`,
        );
      }
    }
  }
  const rows = comparisonRows(docs);
  const baseline = opts.baseline ?? opts.targets[0]?.name ?? '';
  const comparisons = compareServers(docs, baseline);
  const files = {
    json: path.join(opts.outDir, 'compare.json'),
    csv: path.join(opts.outDir, 'compare.csv'),
    md: path.join(opts.outDir, 'compare.md'),
    html: path.join(opts.outDir, 'compare.html'),
  };
  writeAtomic(files.csv, comparisonCsv(rows));
  writeAtomic(files.md, comparisonMarkdown(rows, 'wsbench compare') + significanceMarkdown(comparisons));
  writeAtomic(files.html, renderHtmlReport(docs, 'wsbench compare', comparisons));
  writeAtomic(files.json, JSON.stringify({ baseline, repeat: opts.repeat, comparisons }, null, 2) + '\n');
  if (failedChecks.length) writeFileSync(path.join(opts.outDir, 'failed-checks.json'), JSON.stringify(failedChecks, null, 2) + '\n'); // an empty file would read as "some server failed"
  return { docs, rows, comparisons, baseline, failedChecks, runErrors, files, interrupted: abort.aborted };
}
