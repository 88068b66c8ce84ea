/**
 * --max-connections is one limit for the whole server: with --workers each worker asks the primary
 * for a slot per connection. The primary's ledger of slots, by worker, so a dead worker's slots
 * come back with it.
 */
export class ClusterSlots {
  private taken = 0;
  private readonly byWorker = new Map<number, number>();

  constructor(private readonly maxConnections: number) {}

  /** Takes a slot for `workerId` if one is free. */
  admit(workerId: number): boolean {
    if (this.taken >= this.maxConnections) return false;
    this.taken++;
    this.byWorker.set(workerId, (this.byWorker.get(workerId) ?? 0) + 1);
    return true;
  }

  /** One of `workerId`'s connections closed. */
  release(workerId: number): void {
    this.taken--;
    this.byWorker.set(workerId, (this.byWorker.get(workerId) ?? 1) - 1);
  }

  /** `workerId` died: its connections are gone with it. */
  forgetWorker(workerId: number): void {
    this.taken -= this.byWorker.get(workerId) ?? 0;
    this.byWorker.delete(workerId);
  }
}
