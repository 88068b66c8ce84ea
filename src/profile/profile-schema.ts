import { z } from 'zod';
import { parseDurationMs } from './units.js';

/** `"60s"`, `"1m30s"`, `"500ms"` or a number of seconds: the same forms as the flags. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const out = parseDurationMs(v);
  if (out === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like "30s", "1m30s" or "500ms" (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  return out;
});

/**
 * A bench-profiles/*.json file. Unknown fields are rejected so a typo (`"client": 1000`) is an
 * error instead of a silently different run.
 */
export const profileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  clients: z.number().int().min(1).optional(),
  rate: z.number().positive().optional(),
  duration: duration.optional(),
  warmup: duration.optional(),
  connectRate: z.number().positive().optional(),
  payloadSize: z.number().int().positive().optional(),
  protocol: z.union([z.string(), z.array(z.string())]).optional(),
  deflate: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  origin: z.string().optional(),
  threads: z.number().int().min(1).optional(),
  processes: z.number().int().min(1).optional(),
  client: z.enum(['lean', 'ws']).optional(),
  arrivals: z.enum(['grid', 'spread', 'poisson']).optional(),
  arrivalSeed: z.number().int().min(0).max(0xffffffff).optional(),
  grace: duration.optional(),
  connectTimeout: duration.optional(),
  maxSendLagP99Ms: z.number().positive().optional(),
  maxEventLoopDelayP99Ms: z.number().positive().optional(),
  // A templated run (--message, --message-file, --reply-id, --max-in-flight, --on-open/--await):
  // the same shape the result records, so a result's config can be pasted back into a profile.
  message: z.string().optional(),
  messageFile: z.string().optional(),
  replyId: z.string().optional(),
  maxInFlight: z.number().int().min(1).max(65_536).optional(),
  opening: z.array(z.union([z.strictObject({ send: z.string() }), z.strictObject({ await: z.string() })])).optional(),
});

export type Profile = z.output<typeof profileSchema>;
