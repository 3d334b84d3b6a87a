/**
 * Which hinted partitions to hand off now: a pure function of what this node holds, who owns
 * it, who is up and what is already running, so the rules are tested without I/O or time.
 */
import type { Ring } from '../../core/ring.js'
import { META_PARTITION } from '../dotCounter.js'

export interface HandoffPlan {
  /** partitions to start a transfer for now */
  start: number[]
  /** hinted partitions whose owner is up but that wait for a transfer slot */
  waiting: number[]
}

/** Partitions this node holds data for but does not own (the dot-counter leases are not data). */
export function hintedPartitions(held: readonly number[], ring: Ring, self: string): number[] {
  return held.filter((p) => p !== META_PARTITION && p >= 0 && p < ring.q && ring.owners[p] !== self)
}

export function planTransfers(
  hinted: readonly number[],
  ring: Ring,
  isUp: (node: string) => boolean,
  running: ReadonlySet<number>,
  maxConcurrent: number,
): HandoffPlan {
  const ready = hinted.filter((p) => !running.has(p) && isUp(ring.owners[p]!))
  const slots = Math.max(0, maxConcurrent - running.size)
  return { start: ready.slice(0, slots), waiting: ready.slice(slots) }
}
