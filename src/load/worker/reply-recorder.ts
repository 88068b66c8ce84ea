import { nowUs } from '../../core/clock.js';
import { probeOffset, readProbeConnId, readProbeIntendedUs, readProbeSentUs } from '../../protocol/probe.js';
import type { WorkerState } from './worker-state.js';

let state: WorkerState;

export function bindRecorder(s: WorkerState): void {
  state = s;
}

/**
 * The reply path (one call per message received). Everything needed is in the payload: no lookup,
 * no allocation. `Pong: <probe>` (the seed server) and `<probe>` (any echo server) both match.
 */
export function recordReply(index: number, buf: Buffer): void {
  const now = nowUs();
  const c = state.counters;
  c.bytesReceived += buf.length;
  const at = probeOffset(buf);
  if (at < 0) {
    c.otherMessages++;
    return;
  }
  if (readProbeConnId(buf, at) !== state.globalId(index)) {
    c.badReplies++;
    return;
  }
  const intendedUs = readProbeIntendedUs(buf, at);
  const sentUs = readProbeSentUs(buf, at);
  if (intendedUs < 0 || sentUs < 0) {
    c.badReplies++;
    return;
  }
  c.receivedTotal++;
  // Corrected for coordinated omission: measured from when the message should have left.
  state.intervalRtt.record(now - intendedUs);
  if (state.inWindow(intendedUs)) {
    c.received++;
    state.hist.rtt.record(now - intendedUs);
    state.hist.rttRaw.record(now - sentUs);
  }
}
