/** spinekv as a key/value store for the workloads: the client library, each request to a primary of its key. */
import type { SpineClient } from '../../src/client/client.js'
import type { QuorumSpec } from '../../src/core/quorum.js'
import type { KvStore } from './kvStore.js'

export interface SpinekvStoreOptions {
  bucket: string
  r?: QuorumSpec
  w?: QuorumSpec
  description: string
}

export function spinekvStore(kv: SpineClient, o: SpinekvStoreOptions): KvStore {
  const getOpts = o.r === undefined ? {} : { r: o.r }
  // Blind puts (no context): the bench bucket is last-write-wins on a --local cluster; on another
  // cluster it should be too, or every put to an existing key adds a sibling (docs/benchmarks.md).
  const putOpts = o.w === undefined ? {} : { w: o.w }
  return {
    name: 'spinekv',
    description: o.description,
    async get(key) {
      return (await kv.get(o.bucket, key, getOpts)).found
    },
    async put(key, value) {
      await kv.put(o.bucket, key, value, putOpts)
    },
    // The load phase as a user's bulk import would run it: one batched quorum write per batch.
    async putMany(keys, value) {
      const r = await kv.putMany(keys.map((key) => ({ bucket: o.bucket, key, value })), putOpts)
      return { stored: r.stored, errors: r.errors }
    },
    close: () => kv.close(),
  }
}
