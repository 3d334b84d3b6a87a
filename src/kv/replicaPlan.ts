/**
 * Which replicas an operation asks. By default the sloppy-quorum list (annotatedPreflist): up
 * primaries, and a fallback for each primary the failure detector holds down, so a write still
 * reaches N nodes. `sloppyQuorum: false` asks the primaries only, down or not, as before.
 */
import { annotatedPreflist, spareFallbacks } from '../core/fallbacks.js'
import { partitionOf, type BKey } from '../core/hash.js'
import { preflist, type PrefEntry } from '../core/ring.js'
import type { KvEnv } from './env.js'

export interface ReplicaPlan {
  pl: PrefEntry[]
  /**
   * Slots the list could not fill (a down primary with no up node left to stand in): the
   * coordinator counts each as a failed primary, so W and PW fail fast instead of timing out.
   */
  missing: number[]
  /** Nodes to re-send a fallback's write to when that fallback refuses with HINTED_STORE_FULL. */
  spares: string[]
}

export function replicaPlan(env: KvEnv, bk: BKey, n: number, sloppy: boolean | undefined): ReplicaPlan {
  const ring = env.ring()
  const first = partitionOf(bk, ring.q)
  const isUp = (node: string) => env.isUp(node)
  const pl = sloppy === false ? preflist(ring, bk, n) : annotatedPreflist(ring, first, n, isUp)
  const slots = Math.min(n, ring.q)
  const missing = Array.from({ length: Math.max(0, slots - pl.length) }, (_, k) => pl.length + k)
  const spares = sloppy === false ? [] : spareFallbacks(ring, first, n, isUp, pl)
  return { pl, missing, spares }
}

/** Primary flags per slot, unfilled slots counting as (failed) primaries. */
export function primaryFlags(plan: ReplicaPlan): boolean[] {
  return [...plan.pl.map((e) => e.primary), ...plan.missing.map(() => true)]
}
