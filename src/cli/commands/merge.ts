import { Command } from 'commander';
import { createLogger } from '../../core/logger.js';
import { logLevelOption } from '../common/parse.js';
import type { CliContext } from '../common/context.js';
import { RESULTS_DIR } from '../../core/defaults.js';

export function registerMerge(program: Command, ctx: CliContext): void {
  program
    .command('merge')
    .description('merge the shard results of one run (load --shard i/n) into one result: histograms merged exactly, counters summed')
    .argument('<files...>', 'every shard result .json of the run')
    .option('-o, --out <dir>', 'where the merged result files go', RESULTS_DIR)
    .option('--name <name>', "name of the merged result (default: the shards' name)")
    .option('--json', 'print the merged document on stdout instead of writing files', false)
    .addOption(logLevelOption())
    .action(async (files: string[], flags: { out: string; name?: string; json: boolean; logLevel: string }) => {
      const log = createLogger(flags.logLevel, ctx.stderr);
      const { readResultFile } = await import('../../result-files/read-results.js');
      const { mergeShardResults } = await import('../../result/merge-results.js');
      const { writeResults } = await import('../../result-files/write-results.js');
      const { renderSummary } = await import('../../report/summary-table.js');
      const inputs = files.map((file) => {
        const doc = readResultFile(file);
        log.debug({ file, shard: doc.config.shard }, `read ${file}`);
        return { file, doc };
      });
      const merged = mergeShardResults(inputs, flags.name);
      log.info(
        { shards: inputs.length, name: merged.name, verdict: merged.summary.verdict },
        `merged ${inputs.length} shards of ${merged.name}; the series' per-second percentiles are the worst shard's, the summary's are exact`,
      );
      if (flags.json) {
        ctx.stdout.write(JSON.stringify(merged, null, 2) + '\n');
        return;
      }
      const written = writeResults(merged, flags.out);
      ctx.stdout.write(renderSummary(merged, written));
    });
}
