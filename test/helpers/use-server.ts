import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, type StartedServer } from './cli.js';

const HOOK = { timeout: 30_000 };

/** Starts a server for one suite and stops it afterwards (killAll is the last resort). */
export function useServer(args: string[] = []): () => StartedServer {
  let srv: StartedServer | undefined;
  before(async () => {
    srv = await startServe(args);
  }, HOOK);
  after(async () => {
    await srv?.stop();
  }, HOOK);
  return () => {
    assert.ok(srv, 'server did not start');
    return srv;
  };
}
