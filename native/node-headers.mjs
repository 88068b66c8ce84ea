/**
 * Where node-gyp finds this Node's headers without a download. Left alone, node-gyp fetches them
 * from the internet on first use, which hangs an offline machine; a Node installed from a package
 * or a tarball has them already in <prefix>/include/node. An npm `nodedir` setting wins.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** `--nodedir=…` for node-gyp, or nothing when npm sets one or this Node has no headers beside it. */
export function nodedirArgs(env = process.env) {
  if (env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}
