import type { Clock } from '../core/env.js'
import type { KvObject } from '../core/object.js'

/**
 * The tombstones a vnode reaped lately, by key. A replication or handoff message sent before the
 * delete can arrive after the reap (a slow link, a clog, a node that was briefly away); with the
 * tombstone gone it would bring the deleted value back. For a while after a reap the vnode merges
 * incoming copies as if it still held the tombstone, so a copy older than the delete is covered
 * by it. Bounded in time and in keys; beyond them `delete_mode: keep` is the safe choice.
 */
export class RecentReaps {
  private readonly byKey = new Map<string, { tombstone: KvObject; at: number }>()

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxKeys: number,
  ) {}

  note(key: string, tombstone: KvObject): void {
    this.byKey.delete(key) // re-insert so Map order stays oldest-first
    this.byKey.set(key, { tombstone, at: this.clock.now() })
    while (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value!)
  }

  /** The tombstone this vnode reaped for the key within the window, if any. */
  recall(key: string): KvObject | undefined {
    const r = this.byKey.get(key)
    if (!r) return undefined
    if (this.clock.now() - r.at > this.ttlMs) {
      this.byKey.delete(key)
      return undefined
    }
    return r.tombstone
  }

  /** A write after the reap makes the memory moot (and wrong to apply to later copies). */
  forget(key: string): void {
    this.byKey.delete(key)
  }
}
