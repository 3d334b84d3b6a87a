/**
 * Vector clocks with per-vnode actors (never per-client: a client count is unbounded, vnodes are
 * not). Entries are kept sorted by actor so equal clocks have equal encodings.
 */
import { VCLOCK } from '../config.js'

export interface VEntry {
  actor: string
  counter: number
  /** ms since epoch of the last increment by this actor; used only for pruning */
  ts: number
}

export type VClock = readonly VEntry[]

export const EMPTY: VClock = []

export function counterOf(vc: VClock, actor: string): number {
  for (const e of vc) if (e.actor === actor) return e.counter
  return 0
}

/** True when a has seen every event b has (a >= b); every clock descends the empty one. */
export function descends(a: VClock, b: VClock): boolean {
  return b.every((e) => counterOf(a, e.actor) >= e.counter)
}

/** a strictly newer than b. */
export function dominates(a: VClock, b: VClock): boolean {
  return descends(a, b) && !descends(b, a)
}

export function equal(a: VClock, b: VClock): boolean {
  return descends(a, b) && descends(b, a)
}

export function concurrent(a: VClock, b: VClock): boolean {
  return !descends(a, b) && !descends(b, a)
}

/** Least upper bound: per actor the larger counter (and that entry's timestamp). */
export function merge(...clocks: VClock[]): VClock {
  const best = new Map<string, VEntry>()
  for (const vc of clocks) {
    for (const e of vc) {
      const cur = best.get(e.actor)
      if (!cur || e.counter > cur.counter || (e.counter === cur.counter && e.ts > cur.ts)) best.set(e.actor, e)
    }
  }
  return sortEntries([...best.values()])
}

export function increment(vc: VClock, actor: string, now: number): VClock {
  const counter = counterOf(vc, actor) + 1
  return sortEntries([...vc.filter((e) => e.actor !== actor), { actor, counter, ts: now }])
}

/** Set an actor to a counter it must have (the dot of a new sibling). */
export function withEntry(vc: VClock, actor: string, counter: number, now: number): VClock {
  return sortEntries([...vc.filter((e) => e.actor !== actor), { actor, counter, ts: now }])
}

function sortEntries(es: VEntry[]): VEntry[] {
  return es.sort((x, y) => (x.actor < y.actor ? -1 : x.actor > y.actor ? 1 : 0))
}

export interface PruneLimits {
  smallVclock: number
  bigVclock: number
  youngVclockSec: number
  oldVclockSec: number
}

/**
 * Riak's pruning: a clock no longer than small_vclock is kept whole; beyond that the oldest
 * entries go while they are older than old_vclock or the clock is longer than big_vclock, but
 * never an entry younger than young_vclock. Pruning can only create false concurrency
 * (siblings), never lose a write, which is why it is safe to bound clocks this way.
 */
export function prune(vc: VClock, now: number, limits: PruneLimits = VCLOCK): VClock {
  if (vc.length <= limits.smallVclock) return vc
  const byAge = [...vc].sort((a, b) => a.ts - b.ts || (a.actor < b.actor ? -1 : 1))
  while (byAge.length > limits.smallVclock) {
    const oldest = byAge[0]!
    const ageSec = (now - oldest.ts) / 1000
    if (ageSec < limits.youngVclockSec) break
    if (byAge.length > limits.bigVclock || ageSec > limits.oldVclockSec) byAge.shift()
    else break
  }
  return sortEntries(byAge)
}
