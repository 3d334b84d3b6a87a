/**
 * The nemesis's plan, drawn from the seed before the run starts: quiet, a fault, quiet, a fault...
 * Kinds come from a shuffled bag, so a run of k faults sees every kind about k/5 times, and the
 * same seed gives the same plan (the faults themselves hit a real cluster, whose timing is not).
 */
import { SeededRandom } from '../../src/core/seededRandom.js'
import type { FaultKind } from './history.js'

export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'partition', 'split', 'cut', 'loss']

export interface PlannedFault {
  kind: FaultKind
  nodes: string[]
  what: string
  /** netns.sh arguments that inject it. */
  inject: string[]
  /** Offset from the start of the workload, and how long it lasts. */
  atMs: number
  forMs: number
}

export interface PlanOptions {
  seed: number
  durationMs: number
  nodes: readonly string[]
  kinds: readonly FaultKind[]
  quietMs: readonly [number, number]
  faultMs: readonly [number, number]
  lossPercent: number
}

export function planFaults(o: PlanOptions): PlannedFault[] {
  const rnd = SeededRandom.forSeed(o.seed).fork('nemesis')
  const out: PlannedFault[] = []
  let bag: FaultKind[] = []
  let t = rnd.range(o.quietMs[0], o.quietMs[1])
  for (;;) {
    const forMs = rnd.range(o.faultMs[0], o.faultMs[1])
    if (t + forMs > o.durationMs) break
    if (bag.length === 0) bag = shuffle(rnd, [...o.kinds])
    out.push({ ...faultOf(rnd, bag.pop()!, o), atMs: t, forMs })
    t += forMs + rnd.range(o.quietMs[0], o.quietMs[1])
  }
  return out
}

function faultOf(rnd: SeededRandom, kind: FaultKind, o: PlanOptions): Omit<PlannedFault, 'atMs' | 'forMs'> {
  const order = shuffle(rnd, [...o.nodes])
  const [a, b] = [order[0]!, order[1]!]
  switch (kind) {
    case 'kill':
      return { kind, nodes: [a], what: `kill -9 ${a}`, inject: ['kill', a] }
    case 'partition':
      return { kind, nodes: [a], what: `isolate ${a}`, inject: ['partition', a] }
    case 'split': {
      // The minority is the smaller half: 1 of 3, 2 of 5.
      const minority = order.slice(0, Math.floor(o.nodes.length / 2)).sort()
      const majority = order.slice(minority.length).sort()
      return { kind, nodes: [...o.nodes], what: `split ${minority.join(',')} / ${majority.join(',')}`, inject: ['split', minority.join(','), majority.join(',')] }
    }
    case 'cut':
      return { kind, nodes: [a, b].sort(), what: `cut ${a}<->${b}`, inject: ['cut', a, b] }
    case 'loss':
      return { kind, nodes: [a, b], what: `loss ${o.lossPercent}% ${a}->${b}`, inject: ['loss', a, b, String(o.lossPercent)] }
  }
}

function shuffle<T>(rnd: SeededRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1)
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
