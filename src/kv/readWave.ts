/**
 * Which replicas a read asks first. Asking all N and answering at R (Riak) costs a replica read,
 * a message each way and a decode for every reply the answer never needed: with N=3, R=2 that is
 * a third of a read's work. A read asks R (or PR, if more) replicas first, as Cassandra does, and
 * the get FSM asks the others only when those are not enough: a failure, a disagreement that read
 * repair should settle across all N, or no decision within KV.readEscalateMs.
 *
 * Order: this node's own replica (no network), then the other primaries starting at a place
 * picked by the partition, so the reads of different keys spread over the replicas while each key
 * keeps reading the same ones (their blocks stay in cache), then fallbacks.
 */
import type { PrefEntry } from '../core/ring.js'

export type ReadFanout = 'quorum' | 'all'

const waves = new WeakMap<readonly PrefEntry[], Map<string, readonly number[]>>()

/** firstWave, kept with the (cached, frozen) preference list it was computed for. */
export function cachedFirstWave(pl: readonly PrefEntry[], self: string, wanted: number, fanout: ReadFanout): readonly number[] {
  let byArgs = waves.get(pl)
  if (byArgs === undefined) waves.set(pl, (byArgs = new Map()))
  const id = `${self}|${wanted}|${fanout}`
  let w = byArgs.get(id)
  if (w === undefined) byArgs.set(id, (w = Object.freeze(firstWave(pl, self, wanted, fanout))))
  return w
}

export function firstWave(pl: readonly PrefEntry[], self: string, wanted: number, fanout: ReadFanout): number[] {
  const slots = pl.map((_, i) => i)
  if (fanout === 'all' || wanted >= pl.length) return slots
  const local = slots.filter((i) => pl[i]!.primary && pl[i]!.node === self)
  const others = slots.filter((i) => pl[i]!.primary && pl[i]!.node !== self)
  const fallbacks = slots.filter((i) => !pl[i]!.primary)
  const start = others.length === 0 ? 0 : pl[0]!.partition % others.length
  const rotated = [...others.slice(start), ...others.slice(0, start)]
  return [...local, ...rotated, ...fallbacks].slice(0, Math.max(1, wanted))
}
