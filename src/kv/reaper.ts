/**
 * Tombstones are removed a while after a delete reached every primary (Riak's delete_mode
 * 3000), so a replica that missed the delete cannot resurrect the value by read repair in the
 * meantime; each vnode removes its copy only if it is still exactly that tombstone.
 */
import { KV } from '../config.js'
import type { PrefEntry } from '../core/ring.js'
import type { VClock } from '../core/vclock.js'
import type { KvEnv } from './env.js'
import { replicaReap } from './replicaCalls.js'

export function scheduleReap(env: KvEnv, pl: PrefEntry[], k: Uint8Array, clock: VClock, delayMs: number = KV.tombstoneReapDelayMs): void {
  env.clock.setTimer(delayMs, () => {
    for (const entry of pl) {
      replicaReap(env, entry, k, clock, KV.defaultTimeoutMs).then(
        (reaped) => {
          if (reaped) env.stats.reaped++
        },
        (err: unknown) => env.log.warn({ node: entry.node, partition: entry.partition, err: String(err) }, 'tombstone reap failed'),
      )
    }
  })
}
