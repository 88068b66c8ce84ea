/**
 * How a wsbench server says it is ready, whatever its runtime. People read the sentence; programs
 * (the CLI's own spawn helper, compare, capacity, benches, tests) ask for `--ready-json` and read one
 * JSON line, never a sentence through a regular expression. Part of the contract: no imports.
 */
export interface ReadyAnnouncement {
  event: 'listening';
  url: string;
  /** A URL a client can connect to: `url` itself, or a loopback URL when listening on every address. */
  connectUrl: string;
  port: number;
  /** The pid users know the server by (the cluster primary, or the one process). */
  pid: number;
  workers: number;
  runtime: 'node' | 'bun' | 'deno' | 'uws';
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
  const hostPart = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const url = (h: string) => `${a.scheme}://${hostPart(h)}:${a.port}${a.path ?? '/'}`;
  // 0.0.0.0 and :: are where a server listens, not where a client can connect.
  const everywhere = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '::1' : undefined;
  return {
    event: 'listening',
    url: url(a.host),
    connectUrl: url(everywhere ?? a.host),
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
  const connect = a.connectUrl !== a.url ? `; connect to ${a.connectUrl}` : '';
  return `wsbench serve listening on ${a.url} (pid ${a.pid}, ${a.workers} worker(s), ${what})${connect}\n`;
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
