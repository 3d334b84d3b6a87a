/**
 * What the checkers look at once the faults have healed: each key read with R=all through every
 * node, the raw copy on each of the key's primaries, and every object every vnode holds.
 */
import { toSpineError } from '../shared/errors.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import type { KvObject } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { preflist } from '../core/ring.js'
import { kvGet } from '../kv/getFsm.js'
import { keyId } from './dots.js'
import type { Scheduler } from './simClock.js'
import type { SimCluster } from './simCluster.js'
import { keyName } from './workload.js'
import { isObjectPartition } from '../node/partitionSpace.js'

/** The final reads get a generous timeout: the network is healthy by now. */
const FINAL_READ_TIMEOUT_MS = 30_000

export interface FinalRead {
  node: string
  obj?: KvObject
  error?: string
}

export interface Replica {
  node: string
  partition: number
  /** Hex of the stored bytes, or undefined when the replica has no copy. */
  bytes?: string
}

export interface FinalKey {
  name: string
  bk: BKey
  reads: FinalRead[]
  replicas: Replica[]
}

export interface StoredObject {
  node: string
  partition: number
  /** Hex of the encoded bucket/key. */
  key: string
  obj: KvObject
}

/** Run the simulation until the promise settles (or limitMs of simulated time pass). */
export async function settle<T>(sched: Scheduler, p: Promise<T>, limitMs: number): Promise<T> {
  let out: { ok: T } | { err: unknown } | undefined
  p.then(
    (v) => (out = { ok: v }),
    (e: unknown) => (out = { err: e }),
  )
  await sched.runFor(limitMs, () => out !== undefined)
  if (out === undefined) throw new Error(`did not settle within ${limitMs} simulated ms`)
  if ('err' in out) throw out.err
  return out.ok
}

/** Read every key with R=all through every node, one read at a time. */
export async function readAll(sched: Scheduler, cluster: SimCluster, keys: readonly BKey[]): Promise<FinalKey[]> {
  const out: FinalKey[] = []
  for (const bk of keys) {
    const reads: FinalRead[] = []
    for (const node of cluster.names) {
      const env = cluster.env(node)
      if (!env) throw new Error(`node ${node} is down after healing`)
      try {
        const r = await settle(sched, kvGet(env, bk, { r: 'all', timeoutMs: FINAL_READ_TIMEOUT_MS }), FINAL_READ_TIMEOUT_MS * 2)
        reads.push({ node, obj: r.obj })
      } catch (e) {
        reads.push({ node, error: toSpineError(e).code })
      }
    }
    out.push({ name: keyName(bk), bk, reads, replicas: [] })
  }
  return out
}

/** Each primary's own copy, straight from its vnode (no coordinator, no repair). */
export async function inspectReplicas(cluster: SimCluster, key: FinalKey, n: number): Promise<Replica[]> {
  const k = encodeBKey(key.bk)
  const out: Replica[] = []
  for (const e of preflist(cluster.ring, key.bk, n)) {
    const raw = await cluster.incarnation(e.node)?.node.vnodes.vnode(e.partition).getRaw(k)
    out.push({ node: e.node, partition: e.partition, bytes: raw === undefined ? undefined : Buffer.from(raw).toString('hex') })
  }
  return out
}

/** Every object in every vnode of every node. */
export async function scanStores(cluster: SimCluster): Promise<StoredObject[]> {
  const out: StoredObject[] = []
  for (const node of cluster.names) {
    const backend = cluster.incarnation(node)?.node.vnodes.backend
    if (!backend) continue
    for (const partition of await backend.partitions()) {
      // Metadata and index partitions hold counters, epochs and index entries, not objects.
      if (!isObjectPartition(partition)) continue
      for await (const [k, v] of backend.fold(partition)) out.push({ node, partition, key: keyId(k), obj: decodeObject(v) })
    }
  }
  return out
}
