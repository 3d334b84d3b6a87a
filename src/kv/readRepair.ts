/**
 * After a read, send the merged object to every replica whose copy was missing or stale. The
 * replica merges (never overwrites), so a repair racing a newer write cannot lose it.
 */
import type { GetCore } from '../core/getCore.js'
import { encodeObject } from '../core/objectCodec.js'
import type { PrefEntry } from '../core/ring.js'
import type { KvEnv } from './env.js'
import { replicaMerge } from './replicaCalls.js'

/**
 * A read older than half the reap delay does not repair. A copy it saw could predate a delete
 * whose tombstone every primary has since reaped (a reap comes at least the reap delay after the
 * replica that answered us last saw the value), and repairing it would bring the value back.
 * Half leaves the other half for the repair message's own journey. Found by the simulator
 * (seeds 73, 126, 204).
 */
function fresh(env: KvEnv, started: number): boolean {
  return env.clock.now() - started < env.tombstoneReapDelayMs / 2
}

export function readRepair(env: KvEnv, pl: PrefEntry[], k: Uint8Array, core: GetCore, allowMult: boolean, timeoutMs: number, started: number): void {
  const stale = core.repairs()
  const merged = core.merged()
  if (stale.length === 0 || !merged) return
  if (!fresh(env, started)) {
    env.stats.readRepairsSkipped++
    return
  }
  const bytes = encodeObject(merged)
  for (const i of stale) {
    const entry = pl[i]!
    env.stats.readRepairs++
    replicaMerge(env, entry, k, bytes, allowMult, timeoutMs).catch((err: unknown) => {
      env.log.warn({ node: entry.node, partition: entry.partition, err: String(err) }, 'read repair failed')
    })
  }
}
