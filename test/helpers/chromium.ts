/**
 * Headless Chromium (Debian's `chromium`) driven over the DevTools protocol with the `ws` client:
 * open a page, evaluate expressions in it, take a screenshot of it. Only what the page tests need.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

/** The common flags: headless, no sandbox (root in CI), no network of its own, a throwaway profile. */
export function chromiumFlags(profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-extensions',
    '--disable-background-networking',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profileDir}`,
  ];
}

export interface Page {
  evaluate<T>(expression: string): Promise<T>;
  /** The whole page (not only the window) as a PNG. */
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium on `url` and connects to that page. */
export async function openPage(url: string): Promise<{ page: Page; browser: ChildProcess }> {
  if (!CHROMIUM) throw new Error('chromium is not installed');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-chromium-'));
  const browser = spawn(
    CHROMIUM,
    [...chromiumFlags(profile), '--window-size=1280,900', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', url],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const devtools = await new Promise<string>((resolve, reject) => {
    let err = '';
    browser.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    browser.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
  });
  const httpBase = devtools.replace(/^ws:/, 'http:').replace(/\/devtools\/browser\/.*$/, '');
  let target: { type: string; url: string; webSocketDebuggerUrl: string } | undefined;
  for (let i = 0; i < 100 && !target; i++) {
    const list = (await (await fetch(`${httpBase}/json/list`)).json()) as { type: string; url: string; webSocketDebuggerUrl: string }[];
    target = list.find((t) => t.type === 'page' && t.url.startsWith(url));
    if (!target) await new Promise((r) => setTimeout(r, 100));
  }
  if (!target) throw new Error(`no page for ${url}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  // Closing the browser resets the socket: that is expected, not a failure.
  socket.on('error', () => {});
  let nextId = 1;
  const waiting = new Map<number, (m: { result?: Record<string, unknown>; error?: unknown }) => void>();
  socket.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
  });
  const send = <T>(method: string, params: Record<string, unknown>) => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  const page: Page = {
    async evaluate<T>(expression: string): Promise<T> {
      const r = await send<{ result: { value: unknown } }>('Runtime.evaluate', { expression, returnByValue: true });
      return r.result.value as T;
    },
    async screenshot(file: string) {
      const { cssContentSize: size } = await send<{ cssContentSize: { width: number; height: number } }>('Page.getLayoutMetrics', {});
      const clip = { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 };
      const { data } = await send<{ data: string }>('Page.captureScreenshot', { format: 'png', clip, captureBeyondViewport: true });
      fs.writeFileSync(file, Buffer.from(data, 'base64'));
    },
    async close() {
      socket.close();
      if (browser.exitCode === null && browser.signalCode === null) {
        const gone = new Promise((r) => browser.once('exit', r));
        browser.kill('SIGKILL');
        await gone;
      }
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
  return { page, browser };
}
