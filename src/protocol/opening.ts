/**
 * The opening conversation (`--on-open`, `--await`, in the order given): messages sent after the
 * handshake and server messages waited for before a connection counts as ready (a login, a
 * subscribe, a greeting). One definition for the load's connections, the trial connection and the
 * conformance check. An awaited message is matched on at most its first REGEX_INPUT_BYTES.
 */
import { compileRegex, regexInput } from './reply-id.js';
import { compileTemplate, TemplateError, TemplateWriter } from './template.js';
import type { OpeningStep } from '../contract/result.js';

type CompiledStep = { kind: 'send'; writer: TemplateWriter } | { kind: 'await'; re: RegExp };

/** The compiled steps of one opening conversation (one per worker; the writers reuse their buffers). */
export class Opening {
  readonly steps: readonly OpeningStep[];
  private readonly compiled: CompiledStep[];

  /** `compileAwait` builds an await's regular expression (the fuzz target passes one that records what it is given). */
  constructor(steps: readonly OpeningStep[], compileAwait: (source: string) => RegExp = (source) => compileRegex(source, '--await')) {
    this.steps = steps;
    this.compiled = steps.map((step) => compileStep(step, compileAwait));
  }

  get length(): number {
    return this.compiled.length;
  }

  /**
   * Sends the consecutive messages from step `from` on (as connection `conn`) and returns the index
   * of the next step to wait on: an await, or `length` when the conversation is over.
   */
  advance(from: number, conn: number, send: (message: Buffer) => void): number {
    let i = from;
    for (; i < this.compiled.length; i++) {
      const step = this.compiled[i];
      if (step.kind === 'await') return i;
      send(step.writer.write(0, conn, 0, Date.now()));
    }
    return i;
  }

  /** Whether `message` is what step `i` (an await) waits for. */
  matches(i: number, message: Buffer): boolean {
    const step = this.compiled[i];
    return step.kind === 'await' && step.re.test(regexInput(message));
  }

  /** What step `i` waits for, in the user's words (for errors and checks). */
  describe(i: number): string {
    const step = this.steps[i];
    return 'await' in step ? `--await ${JSON.stringify(step.await)}` : `--on-open ${JSON.stringify(step.send)}`;
  }
}

function compileStep(step: OpeningStep, compileAwait: (source: string) => RegExp): CompiledStep {
  if ('await' in step) return { kind: 'await', re: compileAwait(step.await) };
  let template;
  try {
    template = compileTemplate(step.send);
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`--on-open ${JSON.stringify(step.send)}: ${err.message}`);
    throw err;
  }
  // A connection's message numbers and run-wide ids belong to --message: the schedule counts them.
  if (template.hasSeq || template.hasId)
    throw new TemplateError(`--on-open ${JSON.stringify(step.send)}: {seq} and {id} belong to --message; an --on-open message takes {conn}, {now} and {pad:N}`);
  return { kind: 'send', writer: new TemplateWriter(template) };
}
