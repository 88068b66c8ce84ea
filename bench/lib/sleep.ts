/** A promise that resolves after `ms` milliseconds: the bench scripts' settle times and timeouts. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
