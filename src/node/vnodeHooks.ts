/**
 * What else changes when a vnode's copy of a key changes. Secondary indexes (patient search) add
 * their entries to the same atomic batch as the object, so an index never names a copy that is not
 * stored, nor misses one that is; in-memory structures (anti-entropy trees) hear of the change once
 * it is stored. Every path that changes a copy — coordinated writes, merges from replication, read
 * repair and handoff, handoff's deletes, tombstone reaps — goes through the hooks, so none can skip them.
 */
import type { KvObject } from '../core/object.js'
import type { BatchOp } from '../storage/backend.js'

/** One change of a key in a vnode; undefined is "no copy". */
export interface VnodeChange {
  readonly partition: number
  readonly key: Uint8Array
  readonly before: KvObject | undefined
  readonly after: KvObject | undefined
}

export interface VnodeWriteHook {
  /** Extra writes stored atomically with the change. Must not throw for values it cannot read. */
  ops?(change: VnodeChange): BatchOp[]
  /** Told once the change is stored. */
  stored?(change: VnodeChange): void
}
