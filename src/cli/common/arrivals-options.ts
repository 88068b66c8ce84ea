import { Option } from 'commander';
import { intOption } from './parse.js';
import { shownDefault } from './help.js';
import { LOAD_DEFAULTS } from '../../core/defaults.js';

/** `--arrivals`: load, compare and capacity send with the same patterns (src/load/worker/arrivals.ts). */
export function arrivalsOption(): Option {
  return shownDefault(
    new Option(
      '--arrivals <pattern>',
      'when each client sends: grid (its own phase on a 1-2 ms grid), spread (its own phase, unrounded), poisson (seeded exponential gaps); recorded in the result',
    ).choices(['grid', 'spread', 'poisson']),
    LOAD_DEFAULTS.arrivals,
  );
}

export function arrivalSeedOption(): Option {
  return new Option('--arrival-seed <n>', 'seed of --arrivals poisson (default: drawn at random and recorded in the result)').argParser(
    intOption(0, 2 ** 32 - 1),
  );
}
