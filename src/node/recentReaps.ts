import type { Clock } from '../core/env.js'
import { descends, type VClock } from '../core/vclock.js'

/**
 * The tombstones a vnode reaped lately, by key. A replication or handoff message sent before the
 * delete can arrive after the reap (a slow link, a clog, a node that was briefly away); with the
 * tombstone gone it would bring the deleted value back. For a while after a reap, an incoming
 * copy that the reaped tombstone's clock descends is known to be older than the delete and is
 * dropped. Bounded in time and in keys; beyond them `delete_mode: keep` is the safe choice.
 */
export class RecentReaps {
  private readonly byKey = new Map<string, { clock: VClock; at: number }>()

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxKeys: number,
  ) {}

  note(key: string, tombstone: VClock): void {
    this.byKey.delete(key) // re-insert so Map order stays oldest-first
    this.byKey.set(key, { clock: tombstone, at: this.clock.now() })
    while (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value!)
  }

  /** Whether `incoming` is a copy from before a delete this vnode reaped within the window. */
  supersedes(key: string, incoming: VClock): boolean {
    const r = this.byKey.get(key)
    if (!r) return false
    if (this.clock.now() - r.at > this.ttlMs) {
      this.byKey.delete(key)
      return false
    }
    return descends(r.clock, incoming)
  }

  /** A write after the reap makes the memory moot (and wrong to apply to later copies). */
  forget(key: string): void {
    this.byKey.delete(key)
  }
}
