/**
 * A replica slot is a position 0..n-1 in a request's preference list. The quorum cores count replies
 * by slot; a slot outside the list can only come from a bug in the caller, so it throws (an
 * assertion kept on in production) rather than being counted or silently dropped.
 */
export function assertReplicaSlot(index: number, n: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`slot ${index} is outside 0..${n - 1}`)
}
