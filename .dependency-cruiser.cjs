/**
 * The layers, checked in `npm test` (npm run lint) by dependency-cruiser at folder level: a folder
 * may import only folders of a lower rank, never one of its own rank or above. A cycle between
 * folders is therefore impossible, not just a cycle between files. Lowest first:
 *
 *   0  src/contract            shared with servers/ (Bun and Deno read it as TypeScript): no imports
 *   1  src/core, servers/      errors, defaults, clock, limits; the Pong servers on other runtimes
 *   2  src/protocol            what a probe and a reply look like
 *   3  src/client, src/metrics, src/profile, src/stats (significance: pure functions over numbers)
 *   4  src/load/plan, src/load/trial, src/check, src/server, src/targets
 *   5  src/load/worker         one worker: connector, send clock, scheduler, recorder, its messages
 *   6  src/load/fleet          the workers behind one interface (threads, processes)
 *   7  src/load/series         per-second series and the answering window
 *   8  src/load (run-load.ts)  one load run, end to end
 *   9  src/result              one result: summarize, verdict, environment, identity, merge
 *  10  src/result-files        read and write results (JSON, CSV, .hgrm)
 *  11  src/report, src/gate    render results; thresholds and regressions
 *  12  src/live                what a running measurement shows
 *  13  src/session             one measured run: start the target, conformance check, load, build, write
 *  14  src/compare, src/capacity
 *  15  src/cli/common          flag parsing and what every command shares
 *  16  src/cli/commands        one file per command: parse and delegate
 *  17  src/cli (main.ts)       the program
 */
const LAYERS = [
  ['src/contract/'],
  ['src/core/', 'servers/'],
  ['src/protocol/'],
  ['src/client/', 'src/metrics/', 'src/profile/', 'src/stats/'],
  ['src/load/plan/', 'src/load/trial/', 'src/check/', 'src/server/', 'src/targets/'],
  ['src/load/worker/'],
  ['src/load/fleet/'],
  ['src/load/series/'],
  ['src/load/*'],
  ['src/result/'],
  ['src/result-files/'],
  ['src/report/', 'src/gate/'],
  ['src/live/'],
  ['src/session/'],
  ['src/compare/', 'src/capacity/'],
  ['src/cli/common/'],
  ['src/cli/commands/'],
  ['src/cli/*'],
];

/** A folder's own files: `dir/` means everything below it, `dir/*` only the files directly in it. */
const escape = (s) => s.replace(/[.]/g, '\\.');
const pattern = (folder) => (folder.endsWith('/*') ? `^${escape(folder.slice(0, -1))}[^/]+$` : `^${escape(folder)}`);
const rank = new Map(LAYERS.flatMap((folders, r) => folders.map((f) => [f, r])));

const layerRules = [...rank]
  .filter(([, r]) => r < LAYERS.length - 1) // the top rank may import anything below it
  .map(([folder, r]) => ({
    name: `layers: ${folder}`,
    severity: 'error',
    comment: `rank ${r}: may import only folders of a lower rank (see the list at the top of this file)`,
    from: { path: pattern(folder) },
    to: {
      path: [...rank]
        .filter(([other, r2]) => r2 >= r && other !== folder)
        .map(([other]) => pattern(other))
        .join('|'),
    },
  }));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles between files', from: {}, to: { circular: true } },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: 'src/contract is read by Bun and Deno as TypeScript: no imports, not even of each other or of Node',
      from: { path: '^src/contract/' },
      to: { pathNot: '^$' },
    },
    {
      name: 'servers-read-only-the-contract',
      severity: 'error',
      comment: 'servers/* run on Bun, Deno and uws: they share src/contract and nothing else of src',
      from: { path: '^servers/' },
      to: { path: '^src/(?!contract/)' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
