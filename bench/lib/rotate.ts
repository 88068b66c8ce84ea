import { execFileSync } from 'node:child_process';

/**
 * Runs every mode `runs` times, each in its own process (`node <script> --child <mode> ...args`,
 * which prints one JSON line of figures), rotating which mode goes first in each run, so no mode
 * always gets the fresher machine. Returns each mode's figures in run order.
 */
export function rotateChildModes<M extends string, F>(script: string, modes: readonly M[], runs: number, args: string[]): Map<M, F[]> {
  const results = new Map<M, F[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + r) % modes.length];
      const out = execFileSync(process.execPath, [script, '--child', mode, ...args], { encoding: 'utf8' });
      results.get(mode)!.push(JSON.parse(out) as F);
    }
  }
  return results;
}
