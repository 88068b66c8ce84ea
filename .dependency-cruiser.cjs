/**
 * Which layer may import which (checked in `npm test` by dependency-cruiser). The layers, lowest
 * first: contract (no imports at all: Bun and Deno run it as is), core, then client / protocol /
 * metrics / profile, then load / server / check, then report, then compare / capacity, and cli on
 * top. Within load, the run's steps in order: 1-plan → 2-probe → 3-fleet → 4-worker → 5-collect.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles make the layers meaningless', from: {}, to: { circular: true } },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: 'src/contract is read by Bun and Deno as TypeScript: no imports, not even of each other or of Node',
      from: { path: '^src/contract/' },
      to: { pathNot: '^$' },
    },
    {
      name: 'core-is-low',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/|contract/)' },
    },
    {
      name: 'building-blocks-stay-low',
      severity: 'error',
      comment: 'the client, the protocol, metrics and profiles know nothing of the commands built on them',
      from: { path: '^src/(client|protocol|metrics|profile)/' },
      to: { path: '^src/(load|server|check|report|compare|capacity|cli)/' },
    },
    {
      name: 'load-server-check-stay-below-reports',
      severity: 'error',
      from: { path: '^src/(load|server|check)/' },
      to: { path: '^src/(report|compare|capacity|cli)/' },
    },
    { name: 'server-and-load-apart', severity: 'error', from: { path: '^src/server/' }, to: { path: '^src/(load|check)/' } },
    { name: 'report-below-commands', severity: 'error', from: { path: '^src/report/' }, to: { path: '^src/(compare|capacity|cli)/' } },
    {
      name: 'cli-on-top',
      severity: 'error',
      comment: 'only the CLI parses flags and touches the process',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'plan-is-pure',
      severity: 'error',
      comment: 'the plan comes first and knows nothing of the steps after it',
      from: { path: '^src/load/1-plan/' },
      to: { path: '^src/load/(2-probe|3-fleet|4-worker|5-collect)/' },
    },
    {
      name: 'workers-below-the-fleet',
      severity: 'error',
      comment: 'a worker speaks the fleet messages only; the fleet starts workers, not the other way round',
      from: { path: '^src/load/4-worker/' },
      to: { path: '^src/load/(2-probe|5-collect)/|^src/load/3-fleet/(?!messages)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
