import { Command } from 'commander';
import { readResultFile } from '../../report/read-results.js';
import { mergeShardResults } from '../../report/merge-results.js';
import { writeResults } from '../../report/write-results.js';
import { renderSummary } from '../../report/summary-table.js';
import type { CliContext } from '../context.js';

export function registerMerge(program: Command, ctx: CliContext): void {
  program
    .command('merge')
    .description('merge the shard results of one run (load --shard i/n) into one result: histograms merged exactly, counters summed')
    .argument('<files...>', 'every shard result .json of the run')
    .option('-o, --out <dir>', 'where the merged result files go', 'results')
    .option('--name <name>', 'name of the merged result (default: the shards\' name)')
    .option('--json', 'print the merged document on stdout instead of writing files', false)
    .action((files: string[], flags: { out: string; name?: string; json: boolean }) => {
      const merged = mergeShardResults(files.map((file) => ({ file, doc: readResultFile(file) })), flags.name);
      if (flags.json) {
        ctx.stdout.write(JSON.stringify(merged, null, 2) + '\n');
        return;
      }
      const written = writeResults(merged, flags.out);
      ctx.stdout.write(renderSummary(merged, written));
    });
}
