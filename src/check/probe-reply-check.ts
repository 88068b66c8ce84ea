/**
 * The conformance check's probe step: the load measures a reply only when the reply recorder can
 * read its probe back, so the check sends one probe of the run's size and judges the reply by the
 * recorder's rules (`Pong: <probe>` or `<probe>`, text or binary, every field readable and the
 * same as sent).
 */
import type { LeanConnection } from '../client/lean-connection.js';
import {
  createProbeBuffer,
  PLAIN_FRAMING,
  probeOffset,
  type ProbeFraming,
  readProbeConnId,
  readProbeIntendedUs,
  readProbeSentUs,
  readProbeSeq,
  writeProbe,
} from '../protocol/probe.js';

export interface ProbeFields {
  connId: number;
  seq: number;
  intendedUs: number;
  sentUs: number;
}

/** Sends one probe of `payloadBytes` as a text message, as the load's send scheduler does; returns it. */
export function sendProbe(conn: LeanConnection, payloadBytes: number, f: ProbeFields, framing: ProbeFraming = PLAIN_FRAMING): Buffer {
  const probe = createProbeBuffer(payloadBytes, framing);
  writeProbe(probe, f.connId, f.seq, f.intendedUs, f.sentUs, framing.prefix.length);
  conn.send(probe, { binary: false });
  return probe;
}

/** Judges a reply to `probe` the way the load's reply recorder would count it. */
export function checkProbeReply(
  probe: Buffer,
  sent: ProbeFields,
  reply: { data: Buffer; isBinary: boolean } | undefined,
  sentAt = 0,
): { ok: boolean; detail: string } {
  if (!reply) return { ok: false, detail: `no answer to a ${probe.length}-byte probe` };
  const buf = reply.data;
  const at = probeOffset(buf);
  if (at < 0) return { ok: false, detail: `expected "Pong: <probe>" or the probe itself, got ${describe(buf)}` };
  const got: ProbeFields = {
    connId: readProbeConnId(buf, at),
    seq: readProbeSeq(buf, at),
    intendedUs: readProbeIntendedUs(buf, at),
    sentUs: readProbeSentUs(buf, at),
  };
  const wrong = (Object.keys(sent) as (keyof ProbeFields)[]).filter((k) => got[k] !== sent[k]);
  if (wrong.length > 0)
    return {
      ok: false,
      detail: `probe fields changed (${wrong.map((k) => `${k} ${sent[k]} → ${got[k] < 0 ? 'unreadable' : got[k]}`).join(', ')}): the load would count every reply as bad`,
    };
  const shape = at === sentAt ? (at > 0 ? 'the framed probe back' : 'the probe echoed') : '"Pong: <probe>"';
  const intact = buf.length - at === probe.length - sentAt && buf.subarray(at).equals(probe.subarray(sentAt));
  const notes = [reply.isBinary ? 'as a binary message' : '', intact ? '' : `padding differs (${buf.length - at} of ${probe.length} bytes back)`].filter(
    Boolean,
  );
  return { ok: true, detail: `${shape}, ${probe.length} bytes, fields intact${notes.length ? `; ${notes.join(', ')}` : ''}` };
}

function describe(buf: Buffer): string {
  const s = buf.toString('utf8');
  return `${JSON.stringify(s.slice(0, 60))}${s.length > 60 ? ` (${buf.length} bytes)` : ''}`;
}
