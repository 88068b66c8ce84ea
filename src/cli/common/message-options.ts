import { Option } from 'commander';
import { intOption } from './parse.js';
import { shownDefault } from './help.js';
import { LOAD_DEFAULTS } from '../../core/defaults.js';
import type { OpeningStep } from '../../contract/result.js';
import { PLACEHOLDER_NAMES } from '../../protocol/template.js';
import { REGEX_INPUT_BYTES } from '../../protocol/reply-id.js';

/** The flags of a templated run, as parsed (the opening conversation's steps in the order given). */
export interface MessageCliFlags {
  message?: string;
  messageFile?: string;
  replyId?: string;
  maxInFlight?: number;
  onOpen?: OpeningStep[];
  await?: OpeningStep[];
}

/**
 * `--message`, `--message-file`, `--reply-id`, `--max-in-flight`, `--on-open`, `--await`. The last
 * two append to one list, so the opening conversation keeps the order of the command line
 * (`--on-open login --await ok --on-open subscribe --await subscribed`); read it with `openingOf(flags)`.
 */
export function messageOptions(): Option[] {
  const steps: OpeningStep[] = [];
  return [
    new Option(
      '--message <template>',
      `send this instead of the probe; placeholders ${PLACEHOLDER_NAMES} ({id}: unique in the run; {{ is a literal {); needs --reply-id`,
    ),
    new Option('--message-file <path>', 'the --message template from a file (a file that is not UTF-8 is sent as binary messages)'),
    new Option(
      '--reply-id <rule>',
      `where a reply carries the id it answers: a JSON path ($.id, $.params.seq) or a regular expression with one capture group, run on a reply's first ${REGEX_INPUT_BYTES} bytes; matched to {id}, else {seq}`,
    ),
    shownDefault(
      new Option(
        '--max-in-flight <n>',
        'with --message: messages per connection awaiting a reply; one still unanswered this many sends later is dropped (counted lost)',
      ).argParser(intOption(1, 65_536)),
      `--rate × (--grace + 1 s), at least ${LOAD_DEFAULTS.maxInFlight}`,
    ),
    new Option(
      '--on-open <template>',
      'after the handshake, send this before the connection counts as ready (a login, a subscribe; {conn}, {now}, {pad:N}); repeatable, in order with --await',
    ).argParser((value: string) => (steps.push({ send: value }), steps)),
    new Option(
      '--await <regex>',
      `wait for a server message matching this (on its first ${REGEX_INPUT_BYTES} bytes) before the connection counts as ready, within --connect-timeout (else: opening-timeout); repeatable`,
    ).argParser((value: string) => (steps.push({ await: value }), steps)),
  ];
}

/** The opening conversation from parsed flags (both flags hold the same ordered list). */
export function openingOf(flags: MessageCliFlags): OpeningStep[] {
  return flags.onOpen ?? flags.await ?? [];
}

/** The templated-run settings of `load` and `capacity`, as their load settings take them. */
export function messageSettings(
  flags: MessageCliFlags,
): Pick<MessageCliFlags, 'message' | 'messageFile' | 'replyId' | 'maxInFlight'> & { opening: OpeningStep[] } {
  return { message: flags.message, messageFile: flags.messageFile, replyId: flags.replyId, maxInFlight: flags.maxInFlight, opening: openingOf(flags) };
}
