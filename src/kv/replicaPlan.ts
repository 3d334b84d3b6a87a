/**
 * Which replicas an operation asks. By default the sloppy-quorum list (annotatedPreflist): up
 * primaries, and a fallback for each primary the failure detector holds down, so a write still
 * reaches N nodes. `sloppyQuorum: false` asks the primaries only, down or not, as before.
 */
import { annotatedPreflist, spareFallbacks } from '../core/fallbacks.js'
import { encodeBKey, partitionOfEncoded, type BKey } from '../core/hash.js'
import { preflistFrom, type PrefEntry, type Ring } from '../core/ring.js'
import type { KvEnv } from './env.js'
import { RING } from '../config.js'

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

/**
 * Plans per ring, keyed by partition, N, sloppiness and which members are down. A plan is a pure
 * function of those, and building one walks the whole ring for fallbacks (5% of a node's main
 * thread under kv-9010), while a node sees only Q × a few distinct plans until the ring or the
 * detector's view changes. Frozen, so a caller that mutated a shared plan would throw, not leak.
 */
const plans = new WeakMap<Ring, Map<string, ReplicaPlan>>()

export function replicaPlan(env: KvEnv, bk: BKey, n: number, sloppy: boolean | undefined, key: Uint8Array = encodeBKey(bk)): ReplicaPlan {
  const ring = env.ring()
  // From the encoded key the caller already holds: hashing is most of a plan lookup's cost.
  const first = partitionOfEncoded(key, ring.q)
  const down = ring.members.filter((m) => !env.isUp(m)).join(',')
  const id = `${first}|${n}|${sloppy === false ? 's' : 'f'}|${down}`
  let byRing = plans.get(ring)
  if (byRing === undefined) plans.set(ring, (byRing = new Map()))
  const cached = byRing.get(id)
  if (cached !== undefined) return cached
  const plan = freezePlan(buildPlan(env, ring, first, n, sloppy))
  // Bounded: a flapping detector makes new down-sets; starting over is cheap and stays correct.
  if (byRing.size >= RING.maxCachedPlans) byRing.clear()
  byRing.set(id, plan)
  return plan
}

function freezePlan(p: ReplicaPlan): ReplicaPlan {
  for (const e of p.pl) Object.freeze(e)
  Object.freeze(p.pl)
  Object.freeze(p.missing)
  Object.freeze(p.spares)
  return Object.freeze(p)
}

function buildPlan(env: KvEnv, ring: Ring, first: number, n: number, sloppy: boolean | undefined): ReplicaPlan {
  const isUp = (node: string) => env.isUp(node)
  // preflistFrom, not preflist: the partition is already hashed.
  const pl = sloppy === false ? preflistFrom(ring, first, n) : annotatedPreflist(ring, first, n, isUp)
  const slots = Math.min(n, ring.q)
  const missing = Array.from({ length: Math.max(0, slots - pl.length) }, (_, k) => pl.length + k)
  const spares = sloppy === false ? [] : spareFallbacks(ring, first, n, isUp, pl)
  return { pl, missing, spares }
}

const flags = new WeakMap<ReplicaPlan, readonly boolean[]>()

/** Primary flags per slot, unfilled slots counting as (failed) primaries; one array per cached plan. */
export function primaryFlags(plan: ReplicaPlan): readonly boolean[] {
  let f = flags.get(plan)
  if (f === undefined) flags.set(plan, (f = Object.freeze([...plan.pl.map((e) => e.primary), ...plan.missing.map(() => true)])))
  return f
}
