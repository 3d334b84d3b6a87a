import type { Clock } from '../core/env.js'
import type { KvObject } from '../core/object.js'
import { decodeObject, encodeObject } from '../core/objectCodec.js'
import type { Backend, BatchOp } from '../storage/backend.js'
import { META_PARTITION } from './dotCounter.js'

/**
 * The tombstones a vnode reaped lately, by key. A replication or handoff message sent before the
 * delete can arrive after the reap (a slow link, a clog, a node that was briefly away, a
 * partition moving to a new owner); with the tombstone gone it would bring the deleted value
 * back. For a while after a reap the vnode merges incoming copies as if it still held the
 * tombstone, so a copy older than the delete is covered by it. (A later write needs no
 * cleanup: the memory is consulted only while the key is absent, and merging a real, older
 * version of the key is always safe.)
 *
 * Kept in the metadata partition, written in the same batch as the reap, so a crash right after
 * a reap does not forget it (the simulator found that: membership seed 101). Bounded in time:
 * an expired entry is dropped when read and by `sweep`. Beyond the window `delete_mode: keep`
 * is the safe choice.
 */
export class RecentReaps {
  private readonly prefix: Buffer
  /**
   * Whether the partition may hold entries (undefined: not yet looked). Every replica write of a
   * key the vnode lacks asks recall, so a bulk load would read the metadata once per record for
   * nothing; once a look finds none, recall answers without a read until the next reap.
   */
  private mayHold: boolean | undefined
  /** Counts reaps, so a look that started before one cannot conclude "none" after it. */
  private reapsMade = 0

  constructor(
    private readonly backend: Backend,
    private readonly partition: number,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.prefix = Buffer.from(`reaped/${partition}/`)
  }

  /** The batch ops that delete the key and remember its tombstone, atomically. */
  reapOps(key: Uint8Array, tombstone: KvObject): BatchOp[] {
    this.mayHold = true
    this.reapsMade++
    const at = Buffer.alloc(8)
    at.writeDoubleBE(this.clock.now())
    return [
      { type: 'del', partition: this.partition, key },
      { type: 'put', partition: META_PARTITION, key: this.metaKey(key), value: Buffer.concat([at, encodeObject(tombstone)]) },
    ]
  }

  /** The tombstone this vnode reaped for the key within the window, if any. */
  async recall(key: Uint8Array): Promise<KvObject | undefined> {
    if (this.mayHold === undefined) await this.look()
    if (this.mayHold === false) return undefined
    const raw = await this.backend.get(META_PARTITION, this.metaKey(key))
    if (!raw) return undefined
    const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    if (this.clock.now() - buf.readDoubleBE(0) > this.ttlMs) {
      await this.backend.del(META_PARTITION, this.metaKey(key))
      return undefined
    }
    return decodeObject(buf.subarray(8))
  }

  /** Drop expired entries of this partition, at most `limit` looked at; returns how many went. */
  async sweep(limit: number): Promise<number> {
    const before = this.reapsMade
    const expired: BatchOp[] = []
    let seen = 0
    let whole = true
    for await (const [k, v] of this.backend.fold(META_PARTITION, { after: this.prefix, limit: limit + 1 })) {
      const kb = Buffer.from(k.buffer, k.byteOffset, k.byteLength)
      if (!this.isEntry(kb)) break
      if (seen++ >= limit) {
        whole = false
        break
      }
      const at = Buffer.from(v.buffer, v.byteOffset, v.byteLength).readDoubleBE(0)
      if (this.clock.now() - at > this.ttlMs) expired.push({ type: 'del', partition: META_PARTITION, key: kb })
    }
    if (expired.length) await this.backend.batch(expired)
    if (whole && seen === expired.length && this.reapsMade === before) this.mayHold = false
    return expired.length
  }

  /** Find out whether the partition holds any entry (one bounded read, once per incarnation). */
  private async look(): Promise<void> {
    const before = this.reapsMade
    let found = false
    for await (const [k] of this.backend.fold(META_PARTITION, { after: this.prefix, limit: 1 })) {
      found = this.isEntry(Buffer.from(k.buffer, k.byteOffset, k.byteLength))
    }
    if (this.reapsMade === before) this.mayHold = found
  }

  private isEntry(k: Buffer): boolean {
    return k.length > this.prefix.length && k.subarray(0, this.prefix.length).equals(this.prefix)
  }

  private metaKey(key: Uint8Array): Buffer {
    return Buffer.concat([this.prefix, key])
  }
}
