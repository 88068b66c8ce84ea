/**
 * A templated run's flags (`--message`, `--message-file`, `--reply-id`, `--max-in-flight`) and the
 * opening conversation (`--on-open`, `--await`), resolved and checked once at the edge: everything
 * refused here is a usage error (exit 2) that says why, before any connection is made.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { usageError } from '../core/errors.js';
import { maxInFlightFor } from '../core/defaults.js';
import type { MessageTemplateConfig, OpeningStep } from '../contract/result.js';
import { compileMessage, TemplateError } from '../protocol/template.js';
import { parseReplyIdRule, ReplyIdRuleError } from '../protocol/reply-id.js';
import { Opening } from '../protocol/opening.js';
import type { LoadConfig } from './load-config.js';

export interface MessageFlags {
  message?: string;
  /** A file holding the template (a longer one, or bytes that are not UTF-8: sent as binary messages). */
  messageFile?: string;
  replyId?: string;
  maxInFlight?: number;
  opening?: OpeningStep[];
}

/** The template config a run records, or undefined for the probe. A file that is not UTF-8 is kept as base64 (and sent binary). */
export function messageConfig(flags: MessageFlags, run: { ratePerClient: number; graceMs: number }): MessageTemplateConfig | undefined {
  if (flags.message !== undefined && flags.messageFile !== undefined) throw usageError('--message and --message-file are the same setting: give one of them');
  const message = flags.messageFile !== undefined ? readMessageFile(flags.messageFile) : flags.message;
  if (message === undefined) {
    if (flags.replyId !== undefined)
      throw usageError('--reply-id needs --message: the probe carries its own id', 'give the message to send with --message or --message-file');
    if (flags.maxInFlight !== undefined) throw usageError('--max-in-flight needs --message: the probe needs no table of messages in flight');
    return undefined;
  }
  if (flags.replyId === undefined) {
    throw usageError(
      '--message needs --reply-id: without it no reply can be matched to its message',
      "say where replies carry the id, e.g. --reply-id '$.id' (a JSON path) or --reply-id '\"seq\":(\\d+)' (a regular expression with one capture group)",
    );
  }
  const text = typeof message === 'string' || isUtf8(message);
  return {
    template: typeof message === 'string' ? message : message.toString(text ? 'utf8' : 'base64'),
    encoding: text ? 'utf8' : 'base64',
    replyId: flags.replyId,
    maxInFlight: flags.maxInFlight ?? maxInFlightFor(run.ratePerClient, run.graceMs),
  };
}

function readMessageFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw usageError(`--message-file ${file} cannot be read: ${(err as Error).message}`);
  }
}

/** The checks of a templated run and of the opening conversation that involve other fields. */
export function validateMessaging(c: Pick<LoadConfig, 'message' | 'opening' | 'pattern' | 'format'>, given: { payloadSizeGiven: boolean }): void {
  compileOpening(c.opening);
  const m = c.message;
  if (m === undefined) return;
  // Broadcast deliveries are timed from what the probe carries: that pattern keeps the probe.
  if (c.pattern === 'broadcast') throw usageError('--message cannot be used with --pattern broadcast: deliveries are timed from what the probe carries');
  if (c.format === 'shootout')
    throw usageError('--message cannot be used with --format shootout: the shootout protocol wraps the probe; write its JSON as the template instead');
  if (given.payloadSizeGiven) throw usageError('--message cannot be used with --payload-size: the template sets the size (use {pad:N} to add filler bytes)');
  let template;
  try {
    template = compileMessage(m);
  } catch (err) {
    if (err instanceof TemplateError) throw usageError(`--message: ${err.message}`);
    throw err;
  }
  if (!template.hasId && !template.hasSeq) {
    throw usageError(
      '--message must hold {id} or {seq}: the reply is matched to its message by that number',
      'e.g. --message \'{"jsonrpc":"2.0","id":{id},"method":"ping"}\' --reply-id \'$.id\'',
    );
  }
  try {
    parseReplyIdRule(m.replyId);
  } catch (err) {
    if (err instanceof ReplyIdRuleError) throw usageError(err.message);
    throw err;
  }
  if (!Number.isInteger(m.maxInFlight) || m.maxInFlight < 1) throw usageError(`--max-in-flight must be a whole number of at least 1 (got ${m.maxInFlight})`);
}

function compileOpening(steps: OpeningStep[]): void {
  try {
    new Opening(steps);
  } catch (err) {
    if (err instanceof TemplateError || err instanceof ReplyIdRuleError) throw usageError(err.message);
    throw err;
  }
}
