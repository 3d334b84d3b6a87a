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
    close: () => kv.close(),
  }
}
