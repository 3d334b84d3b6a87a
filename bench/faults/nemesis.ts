/**
 * Carries out the plan against the netns cluster: at each planned moment it injects the fault,
 * waits, heals it (for a kill: starts the node again on its data) and records the fault with the
 * times it really began and ended. Stopping early heals whatever is in force.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FaultRecord } from './history.js'
import type { Netns } from './netns.js'
import type { PlannedFault } from './schedule.js'

export interface NemesisRun {
  /** Resolves with the time of the last heal once every planned fault is done (or it was stopped). */
  done: Promise<number>
  stop(): void
}

export function runNemesis(plan: readonly PlannedFault[], t0: number, net: Netns, record: (f: FaultRecord) => void, log: (line: string) => void): NemesisRun {
  const abort = new AbortController()
  const wait = async (until: number) => {
    const ms = until - Date.now()
    if (ms > 0) await sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined)
  }
  const done = (async () => {
    let lastHeal = t0
    for (const f of plan) {
      await wait(t0 + f.atMs)
      if (abort.signal.aborted) break
      const start = Date.now()
      await net.must(f.inject)
      log(`nemesis: ${f.what} at +${((start - t0) / 1000).toFixed(1)} s for ${(f.forMs / 1000).toFixed(1)} s`)
      try {
        await wait(start + f.forMs)
      } finally {
        await heal(net, f)
        lastHeal = Date.now()
        record({ kind: f.kind, what: f.what, nodes: f.nodes, start, end: lastHeal })
        log(`nemesis: healed ${f.what} at +${((lastHeal - t0) / 1000).toFixed(1)} s`)
      }
    }
    return lastHeal
  })()
  return { done, stop: () => abort.abort() }
}

async function heal(net: Netns, f: PlannedFault): Promise<void> {
  if (f.kind === 'kill') await net.must(['start', f.nodes[0]!])
  else await net.must(['heal'])
}
