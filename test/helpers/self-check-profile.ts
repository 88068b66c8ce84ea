/**
 * A load profile whose self-check limits (send-lag and event-loop-delay p99) are loose: for tests
 * about something other than client saturation, where a busy shared host (2 cores, other test runs)
 * could otherwise turn the verdict into `client-saturated`, which wins over every other verdict.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes the profile into `dir` (merged with `extra`, e.g. `{ client: 'lean' }`) and returns its path. */
export function looseSelfCheckProfile(dir: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'loose-self-check.profile.json');
  writeFileSync(file, JSON.stringify({ maxSendLagP99Ms: 2000, maxEventLoopDelayP99Ms: 2000, ...extra }));
  return file;
}
