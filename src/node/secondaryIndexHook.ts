/**
 * The vnode hook that keeps Riak's secondary indexes (2i) in step with the objects a vnode stores:
 * every live sibling's `_bin` and `_int` entries (SiblingContent.indexes, as the HTTP and PB ports
 * and peers check them in kv/contentExtras.ts) are in the node's index partition, naming this vnode,
 * written in the same atomic batch as the object. Being a hook, it runs on every path that changes
 * a copy (vnodeHooks.ts): coordinated writes, replication merges, read repair, handoff and its
 * deletes, tombstone reaps. A tombstone has no live sibling, so a delete removes the key's entries.
 * An object found by any of its siblings' entries, as in Riak: siblings' index sets are united.
 */
import { decodeBKey, type BKey } from '../core/hash.js'
import type { KvObject } from '../core/object.js'
import type { BatchOp } from '../storage/backend.js'
import { INDEX_PARTITION } from './partitionSpace.js'
import { entryKey } from './secondaryIndexEntries.js'
import type { VnodeChange, VnodeWriteHook } from './vnodeHooks.js'

/** The (field, term) pairs of every live sibling, as `field\0term`. */
export function liveIndexEntries(obj: KvObject | undefined): Set<string> {
  const out = new Set<string>()
  for (const s of obj?.siblings ?? []) {
    if (s.deleted || !s.indexes) continue
    for (const [f, v] of s.indexes) out.add(`${f}\0${v}`)
  }
  return out
}

function hasIndexes(obj: KvObject | undefined): boolean {
  return obj?.siblings.some((s) => s.indexes !== undefined && s.indexes.length > 0) ?? false
}

const EMPTY = new Uint8Array(0)

/** The batch ops that move the index of `change.key` from its entries before to those after. */
export function secondaryIndexOps(change: VnodeChange): BatchOp[] {
  // Most writes carry no index (patient records, plain KV): nothing to decode or compare.
  if (!hasIndexes(change.before) && !hasIndexes(change.after)) return []
  let bk: BKey
  try {
    bk = decodeBKey(change.key)
  } catch {
    // Not a bucket/key storage key: no index can name it (the hook must not throw).
    return []
  }
  const before = liveIndexEntries(change.before)
  const after = liveIndexEntries(change.after)
  const ops: BatchOp[] = []
  const key = (pair: string): Buffer => {
    const zero = pair.indexOf('\0')
    return entryKey(bk.type, bk.bucket, pair.slice(0, zero), pair.slice(zero + 1), bk.key, change.partition)
  }
  for (const pair of before) if (!after.has(pair)) ops.push({ type: 'del', partition: INDEX_PARTITION, key: key(pair), scanOnly: true })
  for (const pair of after) if (!before.has(pair)) ops.push({ type: 'put', partition: INDEX_PARTITION, key: key(pair), value: EMPTY, scanOnly: true })
  return ops
}

export function secondaryIndexHook(): VnodeWriteHook {
  return { ops: secondaryIndexOps }
}
