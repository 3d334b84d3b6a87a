/**
 * One partition's replica on this node. Its actor is the only one that advances this vnode's
 * entry in object clocks, and every change to a key is a read-merge-write under a per-key lock,
 * so a put is atomic per key.
 */
import { SpineError } from '../shared/errors.js'
import type { Clock } from '../core/env.js'
import { coordinatePut, counterFloor, isTombstone, syncMerge, sameObject, type KvObject, type SiblingContent } from '../core/object.js'
import { decodeObject, encodeObject } from '../core/objectCodec.js'
import { counterOf, equal, prune, type VClock } from '../core/vclock.js'
import type { Backend, BatchOp } from '../storage/backend.js'
import { LIMITS, VNODE } from '../config.js'
import { DotCounter } from './dotCounter.js'
import { KeyLock } from './keyLock.js'
import { RecentReaps } from './recentReaps.js'
import { VnodeEpoch } from './vnodeEpoch.js'
import type { Logger } from '../shared/log.js'
import type { VnodeChange, VnodeWriteHook } from './vnodeHooks.js'

export interface VnodeLimits {
  maxSiblings: number
  warnSiblings: number
  maxObjectBytes: number
}

export interface CoordinateArgs {
  context: VClock
  content: SiblingContent
  allowMult: boolean
  sync: boolean
}

export class Vnode {
  /** The vnode's name; its actor is this name at the current epoch (VnodeEpoch). */
  readonly base: string
  private readonly epoch: VnodeEpoch
  private readonly lock = new KeyLock(VNODE.maxQueuedPerKey)
  private readonly counter: DotCounter
  private readonly reaps: RecentReaps

  constructor(
    readonly partition: number,
    nodeName: string,
    private readonly backend: Backend,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly limits: VnodeLimits = LIMITS,
    private readonly hooks: readonly VnodeWriteHook[] = [],
  ) {
    this.base = `${nodeName}/${partition}`
    this.epoch = new VnodeEpoch(backend, this.base, partition)
    this.counter = new DotCounter(backend, partition)
    this.reaps = new RecentReaps(backend, partition, clock, VNODE.reapMemoryMs)
  }

  /** The local copy, or undefined. */
  async get(key: Uint8Array): Promise<KvObject | undefined> {
    const raw = await this.backend.get(this.partition, key)
    return raw ? this.decode(key, raw) : undefined
  }

  /** The local copy as stored bytes (no decode: the coordinator decodes once for all replicas). */
  getRaw(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.backend.get(this.partition, key)
  }

  /** The coordinating write: new sibling, new dot from this vnode's actor. Returns the stored bytes. */
  coordinate(key: Uint8Array, args: CoordinateArgs): Promise<Buffer> {
    return this.lock.run(keyId(key), async () => {
      const local = await this.get(key)
      const actor = await this.epoch.actor()
      const counter = await this.counter.next(counterFloor(local, args.context, actor))
      const now = this.clock.now()
      const next = coordinatePut(local, args.context, args.content, actor, now, args.allowMult, counter)
      const obj: KvObject = { clock: prune(next.clock, now), siblings: next.siblings }
      this.checkSiblings(key, obj)
      const bytes = encodeObject(obj)
      if (bytes.length > this.limits.maxObjectBytes) {
        throw new SpineError('OBJECT_TOO_LARGE', `object would be ${bytes.length} bytes`, {
          size: bytes.length,
          max: this.limits.maxObjectBytes,
        })
      }
      await this.store(key, local, obj, bytes, args.sync)
      return bytes
    })
  }

  /**
   * Merge a copy from elsewhere (replication, read repair, handoff); never overwrites. `encoded`,
   * when given, is `incoming` as it arrived: a key this vnode lacks stores it without re-encoding.
   */
  merge(key: Uint8Array, incoming: KvObject, allowMult: boolean, sync: boolean, encoded?: Uint8Array): Promise<void> {
    return this.lock.run(keyId(key), async () => {
      const stored = await this.get(key)
      // A key reaped lately merges against its tombstone, so a late pre-delete copy is covered.
      const local = stored ?? (await this.reaps.recall(key))
      const next = local ? syncMerge(local, incoming, allowMult) : incoming
      if (local && sameObject(local, next)) {
        // Nothing new. A tombstone arriving for a reaped key is still stored, so a read repair
        // leaves the replicas alike; a live copy the tombstone covers is dropped.
        if (stored || !isTombstone(incoming)) return
      }
      // A merge is never refused for size or siblings: refusing would drop an acknowledged write.
      if (next.siblings.length > this.limits.warnSiblings) this.warnSiblings(key, next.siblings.length)
      await this.store(key, stored, next, next === incoming && encoded ? encoded : encodeObject(next), sync)
    })
  }

  /**
   * Handoff's delete: remove the key only if its stored bytes are still exactly those sent to the
   * owner. A write that reached this fallback meanwhile changed them, so it stays for a later batch.
   * A copy carrying the current actor's dots retires that actor first (see VnodeEpoch).
   */
  deleteIfUnchanged(key: Uint8Array, sent: Uint8Array): Promise<boolean> {
    return this.lock.run(keyId(key), async () => {
      const raw = await this.backend.get(this.partition, key)
      if (!raw || Buffer.compare(raw, sent) !== 0) return false
      const actor = await this.epoch.actor()
      const before = this.decode(key, raw)
      if (counterOf(before.clock, actor) > 0) await this.epoch.advance()
      await this.store(key, before, undefined, undefined, false)
      return true
    })
  }

  /** Forget reaps older than the window (the handoff manager's periodic check calls it). */
  sweepReaps(limit: number): Promise<number> {
    return this.reaps.sweep(limit)
  }

  /** Remove a tombstone once every primary has it, if nothing was written since. */
  reap(key: Uint8Array, tombstoneClock: VClock): Promise<boolean> {
    return this.lock.run(keyId(key), async () => {
      const local = await this.get(key)
      if (!local || !isTombstone(local) || !equal(local.clock, tombstoneClock)) return false
      await this.store(key, local, undefined, undefined, false, this.reaps.reapOps(key, local))
      return true
    })
  }

  /**
   * Store a change of key (bytes undefined: remove it) with whatever the hooks add, atomically.
   * `extra` carries the caller's own ops (a reap's memory), and already holds the key's own op when given.
   */
  private async store(key: Uint8Array, before: KvObject | undefined, after: KvObject | undefined, bytes: Uint8Array | undefined, sync: boolean, extra?: BatchOp[]): Promise<void> {
    const change: VnodeChange = { partition: this.partition, key, before, after }
    const hooked = this.hooks.flatMap((h) => h.ops?.(change) ?? [])
    const own: BatchOp[] = extra ?? [bytes ? { type: 'put', partition: this.partition, key, value: bytes } : { type: 'del', partition: this.partition, key }]
    if (hooked.length === 0 && own.length === 1) {
      const op = own[0]!
      if (op.type === 'put') await this.backend.put(op.partition, op.key, op.value, { sync })
      else await this.backend.del(op.partition, op.key, { sync })
    } else {
      await this.backend.batch([...own, ...hooked], { sync })
    }
    for (const h of this.hooks) h.stored?.(change)
  }

  private checkSiblings(key: Uint8Array, obj: KvObject): void {
    const count = obj.siblings.length
    if (count > this.limits.maxSiblings) {
      throw new SpineError('TOO_MANY_SIBLINGS', `write would leave ${count} siblings`, {
        siblings: count,
        max: this.limits.maxSiblings,
      })
    }
    if (count > this.limits.warnSiblings) this.warnSiblings(key, count)
  }

  private warnSiblings(key: Uint8Array, count: number): void {
    this.log.warn({ partition: this.partition, key: keyId(key), siblings: count }, 'object has many siblings; resolve them')
  }

  private decode(key: Uint8Array, raw: Uint8Array): KvObject {
    try {
      return decodeObject(raw)
    } catch (e) {
      this.log.error({ partition: this.partition, key: keyId(key), err: String(e) }, 'stored object does not decode')
      throw new SpineError('INTERNAL', 'stored object is corrupt', { partition: this.partition })
    }
  }
}

function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}
