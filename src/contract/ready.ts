/**
 * How a wsbench server says it is ready, whatever its runtime. People read the sentence; programs
 * (the CLI's own spawn helper, compare, capacity, benches, tests) ask for `--ready-json` and read one
 * JSON line, never a sentence through a regular expression. Part of the contract: no imports.
 */
export interface ReadyAnnouncement {
  event: 'listening';
  url: string;
  port: number;
  /** The pid users know the server by (the cluster primary, or the one process). */
  pid: number;
  workers: number;
  runtime: 'node' | 'bun' | 'deno';
  mode: string;
  format: 'plain' | 'shootout';
}

export function readyAnnouncement(a: {
  scheme: 'ws' | 'wss';
  host: string;
  port: number;
  path: string | null;
  pid: number;
  workers: number;
  runtime: ReadyAnnouncement['runtime'];
  mode: string;
  format?: 'plain' | 'shootout';
}): ReadyAnnouncement {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return {
    event: 'listening',
    url: `${a.scheme}://${host}:${a.port}${a.path ?? '/'}`,
    port: a.port,
    pid: a.pid,
    workers: a.workers,
    runtime: a.runtime,
    mode: a.mode,
    format: a.format ?? 'plain',
  };
}

/** The announcement as stdout prints it: one JSON line with --ready-json, else the sentence. */
export function readyLine(a: ReadyAnnouncement, json: boolean): string {
  if (json) return JSON.stringify(a) + '\n';
  const what = a.format === 'shootout' ? 'format shootout' : `mode ${a.mode}`;
  return `wsbench serve listening on ${a.url} (pid ${a.pid}, ${a.workers} worker(s), ${what})\n`;
}

/** The announcement from a line of a server's stdout, or undefined if the line is not one. */
export function parseReadyLine(line: string): ReadyAnnouncement | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const a = JSON.parse(line) as Partial<ReadyAnnouncement>;
    return a.event === 'listening' && typeof a.port === 'number' && typeof a.pid === 'number' ? (a as ReadyAnnouncement) : undefined;
  } catch {
    return undefined;
  }
}
