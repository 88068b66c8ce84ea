/**
 * Which runtimes' servers a test can start here: Bun and Deno need their binary, uws a
 * uWebSockets.js build for this Node. Suites for a missing runtime are skipped with the reason.
 */
import { locateRuntime, type Runtime } from '../../src/targets/runtimes.js';

/** Why `runtime`'s server cannot be started here, or undefined when it can. */
export function runtimeMissing(runtime: Runtime): string | undefined {
  if (runtime === 'node') return undefined;
  try {
    locateRuntime(runtime, { env: process.env });
    return undefined;
  } catch (err) {
    // For uws the message itself says what is missing: the package, or a build for this Node.
    return `${runtime} not found (${(err as Error).message})${runtime === 'uws' ? '' : `; npm install --save-dev ${runtime} to run it`}`;
  }
}
