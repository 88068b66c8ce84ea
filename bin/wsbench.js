#!/usr/bin/env node
// Tiny shim: the CLI lives in the compiled TypeScript (npm run build).
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('wsbench: the build is missing; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
});
