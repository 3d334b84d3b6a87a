/**
 * After a read, send the merged object to every replica whose copy was missing or stale. The
 * replica merges (never overwrites), so a repair racing a newer write cannot lose it.
 */
import type { GetCore } from '../core/getCore.js'
import { encodeObject } from '../core/objectCodec.js'
import type { PrefEntry } from '../core/ring.js'
import type { KvEnv } from './env.js'
import { replicaMerge } from './replicaCalls.js'

export function readRepair(env: KvEnv, pl: PrefEntry[], k: Uint8Array, core: GetCore, allowMult: boolean, timeoutMs: number): void {
  const stale = core.repairs()
  const merged = core.merged()
  if (stale.length === 0 || !merged) return
  const bytes = encodeObject(merged)
  for (const i of stale) {
    const entry = pl[i]!
    env.stats.readRepairs++
    replicaMerge(env, entry, k, bytes, allowMult, timeoutMs).catch((err: unknown) => {
      env.log.warn({ node: entry.node, partition: entry.partition, err: String(err) }, 'read repair failed')
    })
  }
}
