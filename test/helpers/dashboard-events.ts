/**
 * The live dashboard as a test sees it without a browser: its Server-Sent Events (/events), the
 * state the page draws, followed to the end of the command.
 */
import http from 'node:http';
import type { DashboardRun } from '../../src/live/dashboard-state.js';

export interface Watched {
  /** Every verdict the stream showed for the run, in order. */
  verdicts: string[];
  last: DashboardRun | undefined;
  /** Resolves when the stream ends (the command is done and sent the final report). */
  ended: Promise<void>;
}

/** Follows the dashboard's Server-Sent Events, keeping the run's state as the page would. */
export function watchDashboard(url: string): Watched {
  const watched: Watched = { verdicts: [], last: undefined, ended: Promise.resolve() };
  watched.ended = new Promise((resolve, reject) => {
    http
      .get(`${url}events`, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data === undefined) continue;
            const parsed = JSON.parse(data) as unknown;
            const run =
              name === 'run'
                ? (parsed as DashboardRun)
                : name === 'point'
                  ? (parsed as { run: DashboardRun }).run
                  : name === 'state'
                    ? (parsed as { runs: DashboardRun[] }).runs[0]
                    : undefined;
            if (!run) continue;
            watched.last = run;
            if (watched.verdicts.at(-1) !== run.verdictSoFar) watched.verdicts.push(run.verdictSoFar);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
      .on('error', reject);
  });
  return watched;
}
