/** Layout of the control block shared by a SendClock and its clock thread (Int32 slots). */
/** Bumped by the sender for every new deadline (and at stop). */
export const GEN = 0;
/** Bumped by the clock thread when a deadline is reached. */
export const FIRED = 1;
/** Set to 1 to end the clock thread. */
export const STOP = 2;
export const CONTROL_SLOTS = 4;

/** What the clock thread gets as workerData. */
export interface ClockThreadData {
  control: SharedArrayBuffer;
  /** Two Float64: the deadline in the sender's nowUs() time (+Infinity = none) and its period (0 = once). */
  deadline: SharedArrayBuffer;
  /** The sender's monotonicOriginUs(): the clock thread converts deadlines into its own time. */
  originUs: number;
  spinUs: number;
}
