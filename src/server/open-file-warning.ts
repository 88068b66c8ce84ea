import type http from 'node:http';
import type https from 'node:https';
import type { Logger } from '../core/logger.js';
import { FD_RESERVE } from '../core/defaults.js';
import type { ServerStats } from './stats.js';

/**
 * Connections Node closes at accept because the process holds maxConnections already (its
 * open-file limit): each one counted as `open-file-limit`, the first one also explained in the log.
 */
export function countOpenFileDrops(httpServer: http.Server | https.Server, stats: ServerStats, log: Logger): void {
  let dropped = 0;
  httpServer.on('drop', () => {
    stats.countTerminated('open-file-limit');
    if (dropped++ === 0) {
      log.warn(
        { maxConnections: httpServer.maxConnections },
        `this process holds ${httpServer.maxConnections} connections (its open-file limit less ${FD_RESERVE}): further ones are closed at accept; use --workers to hold more`,
      );
    }
  });
}
