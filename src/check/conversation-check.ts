/**
 * The conformance check's steps for what a run says beyond the probe: its opening conversation (`--on-open`,
 * `--await`), and one templated message (`--message`) whose reply must be found by `--reply-id`,
 * judged by the rules the load's connections follow. Each says what came back instead when it fails.
 */
import type { LeanConnection } from '../client/lean-connection.js';
import type { MessageTemplateConfig, OpeningStep } from '../contract/result.js';
import { Opening } from '../protocol/opening.js';
import { parseReplyIdRule, ReplyIdExtractor } from '../protocol/reply-id.js';
import { compileMessage, TemplateWriter } from '../protocol/template.js';
import type { CheckEvent, NextEvent } from './check-connection.js';

/** Runs the opening conversation as connection 0; each await may take `timeoutMs`. */
export async function checkOpening(conn: LeanConnection, next: NextEvent, steps: OpeningStep[], timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const opening = new Opening(steps);
  const send = (m: Buffer) => conn.send(Buffer.from(m), { binary: false });
  let step = opening.advance(0, 0, send);
  let skipped = 0;
  let first: Buffer | undefined;
  while (step < opening.length) {
    const e = await next(timeoutMs);
    if (e?.kind !== 'message') return { ok: false, detail: `no answer to ${opening.describe(step)}: ${gotText(e, skipped, first)}` };
    if (!opening.matches(step, e.data)) {
      skipped++;
      first ??= e.data;
      continue;
    }
    step = opening.advance(step + 1, 0, send);
  }
  const sent = steps.filter((s) => 'send' in s).length;
  return {
    ok: true,
    detail: `${sent} message(s) sent, ${steps.length - sent} awaited and matched${skipped ? ` (${skipped} other message(s) passed over)` : ''}`,
  };
}

/** Sends the run's first templated message (client 0, message 0, id 0) and looks for its reply by --reply-id, passing over pushes. */
export async function checkTemplatedReply(
  conn: LeanConnection,
  next: NextEvent,
  message: MessageTemplateConfig,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const binary = message.encoding === 'base64';
  const writer = new TemplateWriter(compileMessage(message));
  const extractor = new ReplyIdExtractor(parseReplyIdRule(message.replyId));
  conn.send(Buffer.from(writer.write(0, 0, 0, Date.now())), { binary });
  let pushes = 0;
  let first: Buffer | undefined;
  for (;;) {
    const e = await next(timeoutMs);
    if (e?.kind !== 'message') return { ok: false, detail: `no reply with id 0 found by --reply-id ${message.replyId}: ${gotText(e, pushes, first)}` };
    const id = extractor.extract(e.data);
    if (id === 0)
      return { ok: true, detail: `reply with id 0 found by --reply-id ${message.replyId}${pushes ? ` after ${pushes} message(s) without it` : ''}` };
    pushes++;
    first ??= e.data;
  }
}

/** What came back instead: the messages passed over (the first quoted), then how the wait ended. */
function gotText(e: CheckEvent | undefined, skipped: number, first: Buffer | undefined): string {
  const before = first === undefined ? '' : `${skipped} other message(s) (the first ${describe(first)}), then `;
  if (e === undefined) return `${before}nothing${first === undefined ? ' came back' : ' more'} in time`;
  if (e.kind === 'close') return `${before}the server closed the connection (${e.code})`;
  if (e.kind === 'fail') return `${before}${e.err.message}`;
  return `${before}${e.kind}`;
}

function describe(buf: Buffer): string {
  const s = buf.toString('utf8');
  return `${JSON.stringify(s.slice(0, 80))}${s.length > 80 ? ` (${buf.length} bytes)` : ''}`;
}
