import { z } from 'zod';
import ms from 'ms';

/** `"60s"`, `"2m"`, `"500ms"` or a number of seconds. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const out = typeof v === 'number' ? v * 1000 : ms(v as ms.StringValue);
  if (typeof out !== 'number' || !Number.isFinite(out) || out < 0) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like "30s", "2m" or "500ms" (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  return Math.round(out);
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
  grace: duration.optional(),
  connectTimeout: duration.optional(),
  maxSendLagP99Ms: z.number().positive().optional(),
  maxEventLoopDelayP99Ms: z.number().positive().optional(),
});

export type Profile = z.output<typeof profileSchema>;
