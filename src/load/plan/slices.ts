/**
 * The pure plan of a run: which worker owns which connection ids, and each connection's phase.
 * Ids are dealt out round-robin (worker w of W owns w, w+W, w+2W, …), so every worker's connections
 * have phases spread over the whole period: each worker sends smoothly, not in a burst per second.
 * Counts always add up exactly to the client total.
 */
export interface WorkerSlice {
  /** Index over all workers of the run (process-major). */
  workerIndex: number;
  process: number;
  thread: number;
  /** Global id of this worker's first connection, and the step between its ids. */
  firstId: number;
  stride: number;
  count: number;
  /** This worker's share of the run's connect rate, proportional to its connections. */
  connectRate: number;
}

/** How many ids of `first, first+stride, …` are below `total`. */
export function stridedCount(total: number, first: number, stride: number): number {
  return first < total ? Math.floor((total - 1 - first) / stride) + 1 : 0;
}

/** The i-th of n slices of a run (`--shard i/n`): ids i, i+n, i+2n, … of the whole run's clients. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE_RUN: Shard = { index: 0, count: 1 };

/** Clients of the whole run that belong to this shard. */
export function shardClients(clients: number, shard: Shard): number {
  return stridedCount(clients, shard.index, shard.count);
}

/**
 * Deals this shard's connection ids out to processes × threads. With a shard, worker w owns
 * ids shard.index + shard.count × (w + W × k): shards and workers interleave, so every shard and
 * every worker spreads its sends over the whole period, and all shards together make the whole run.
 * Each worker's connect rate is its share of the whole run's rate.
 */
export function planWorkers(clients: number, processes: number, threadsPerProcess: number, connectRate: number, shard: Shard = WHOLE_RUN): WorkerSlice[] {
  const workers = processes * threadsPerProcess;
  const slices: WorkerSlice[] = [];
  for (let w = 0; w < workers; w++) {
    const firstId = shard.index + shard.count * w;
    const stride = shard.count * workers;
    const count = stridedCount(clients, firstId, stride);
    slices.push({
      workerIndex: w,
      process: Math.floor(w / threadsPerProcess),
      thread: w % threadsPerProcess,
      firstId,
      stride,
      count,
      connectRate: (connectRate * count) / clients,
    });
  }
  return slices;
}

/**
 * In the broadcast pattern, which connection ids send: the first id of each of `senders` equal
 * blocks of the ids (id = ceil(j × clients / senders)), so senders spread over workers like all ids.
 * Returns the sender's index j, or -1 for a connection that only listens.
 */
export function senderIndex(globalId: number, clients: number, senders: number): number {
  const j = Math.floor((globalId * senders) / clients);
  return globalId === 0 || j > Math.floor(((globalId - 1) * senders) / clients) ? j : -1;
}

/**
 * Offset of a connection's sends within each period, spreading all clients evenly over it
 * (open model: intended send k of connection id = start + phase(id) + k × period).
 */
export function phaseUs(globalId: number, clients: number, periodUs: number): number {
  return Math.floor((globalId * periodUs) / clients);
}
