/**
 * A node's anti-entropy trees: for every vnode it holds, one tictac tree per preference list the
 * vnode is part of — keyed by (hp, n), the key's own partition and its bucket's n, as Riak's
 * tictac AAE keys its trees by IndexN. Two vnodes of one preference list then hold the same tree
 * for it when they hold the same objects, although each vnode also holds keys of other lists.
 *
 * Every vnode gets trees, hinted (fallback) copies included, so the trees always cover exactly
 * what the vnode stores; only primaries exchange them (manager.ts).
 *
 * Kept current by a vnode write hook (every change of a copy passes Vnode.store), saved to the
 * metadata partition on a clean stop, and at startup:
 *  - no save (a crash, a new disk): the trees are *rebuilding*: a rate-limited fold builds them
 *    while the vnode serves; exchanges of that vnode wait;
 *  - a save: the trees are *built* at once (exchanges go ahead), and the same fold runs as a
 *    verification. A disk that lost objects but kept the metadata partition (or `spinekv debug
 *    forget`) leaves a save that no longer matches the data; the fold's trees replace the saved
 *    ones, the difference is logged, and the next exchanges repair what was lost.
 * The save is deleted (synced) as soon as it is loaded, so a later crash never finds a stale one.
 *
 * Writes during a fold: the fold reads batches in key order behind a cursor. A change to a key at
 * or before the cursor updates the new trees directly (before → after); a change beyond it is
 * remembered (its latest hash), and when the cursor passes the key the remembered hash replaces
 * whatever the batch read. So the rebuilt trees end equal to the data, however writes interleave.
 */
import { decodeBKey, partitionOfEncoded } from '../../core/hash.js'
import type { Clock } from '../../core/env.js'
import { decodeObject } from '../../core/objectCodec.js'
import { bytesToU32, keyHash, objectHash, TictacTree, u32ToBytes, type TreeShape } from '../../core/tictacTree.js'
import type { BucketPropsTable } from '../../kv/bucketProps.js'
import type { Backend } from '../../storage/backend.js'
import { META_PARTITION } from '../dotCounter.js'
import type { Logger } from '../../shared/log.js'
import { isObjectPartition } from '../partitionSpace.js'
import type { VnodeChange, VnodeWriteHook } from '../vnodeHooks.js'


/** A segment listing's bound: keys, and bytes of keys. */
export interface ListingLimit {
  keys: number
  bytes: number
}

/** What one listing entry adds beside its key: the 32-bit hash and msgpack's array and bin headers. */
export const LISTING_ENTRY_BYTES = 16

export type TreeState = 'rebuilding' | 'built'

export interface TreeStoreDeps {
  backend: Backend
  clock: Clock
  log: Logger
  q: number
  props: BucketPropsTable
}

export interface TreeStoreOptions {
  /** false (`--aae off`): no trees at all — the hook does nothing, exchanges with this node wait. */
  keep?: boolean
  shape: TreeShape
  rebuildRateKeysPerSec: number
  rebuildBatch: number
}

interface KeyInfo {
  seg: number
  hp: number
  n: number
}

interface Rebuild {
  trees: Map<string, TictacTree>
  /** latin1 of the last key folded; undefined before the first batch. */
  cursor: string | undefined
  /** Keys changed beyond the cursor: their hash now (0: no copy). */
  latest: Map<string, { info: KeyInfo; h: number }>
  keys: number
}

interface VnodeTrees {
  state: TreeState
  /** Built from a clean save; the startup fold checks it. */
  verifying: boolean
  trees: Map<string, TictacTree>
  rebuild: Rebuild | undefined
  /** What the last startup fold found: keys, and whether a saved tree disagreed with the data. */
  foldedKeys: number
  saveMismatch: boolean
}

interface EarlyChange {
  p: number
  key: Uint8Array
  info: KeyInfo
  hBefore: number
  hAfter: number
}

const SAVE_MAGIC = 0x7ac7ac01

export function treeId(hp: number, n: number): string {
  return `${hp}/${n}`
}

function keyStr(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

export function saveKey(p: number): Buffer {
  return Buffer.from(`aae-trees/${p}`)
}

export class TreeStore {
  private readonly vnodes = new Map<number, VnodeTrees>()
  private early: EarlyChange[] | undefined = []
  private stopped = false
  private folding: Promise<void> | undefined
  /** Vnodes whose startup fold found a clean save that did not match the data. */
  lostDetected = 0

  constructor(
    private readonly deps: TreeStoreDeps,
    readonly opts: TreeStoreOptions,
  ) {}

  get ready(): boolean {
    return this.early === undefined && this.opts.keep !== false
  }

  get off(): boolean {
    return this.opts.keep === false
  }

  /** The write hook: keeps every tree of the changed vnode current. */
  hook(): VnodeWriteHook {
    return { stored: (change) => this.changed(change) }
  }

  /** Which tree and segment a key belongs to; undefined for a key that is not a bucket/key. */
  keyInfo(key: Uint8Array): KeyInfo | undefined {
    let bk
    try {
      bk = decodeBKey(key)
    } catch {
      return undefined
    }
    const total = this.opts.shape.branches * this.opts.shape.segmentsPerBranch
    return { seg: keyHash(key) & (total - 1), hp: partitionOfEncoded(key, this.deps.q), n: this.deps.props.get(bk.type, bk.bucket).n }
  }

  private changed(c: VnodeChange): void {
    if (this.opts.keep === false || !isObjectPartition(c.partition)) return
    const info = this.keyInfo(c.key)
    if (!info) return
    const hBefore = c.before ? objectHash(c.key, c.before) : 0
    const hAfter = c.after ? objectHash(c.key, c.after) : 0
    if (this.early) this.early.push({ p: c.partition, key: Buffer.from(c.key), info, hBefore, hAfter })
    else this.apply(c.partition, c.key, info, hBefore, hAfter)
  }

  private apply(p: number, key: Uint8Array, info: KeyInfo, hBefore: number, hAfter: number): void {
    const vt = this.vnode(p)
    if (vt.state === 'built') this.treeIn(vt.trees, info.hp, info.n).update(info.seg, hBefore, hAfter)
    const rb = vt.rebuild
    if (!rb) return
    const k = keyStr(key)
    if (rb.cursor !== undefined && k <= rb.cursor) this.treeIn(rb.trees, info.hp, info.n).update(info.seg, hBefore, hAfter)
    else rb.latest.set(k, { info, h: hAfter })
  }

  private treeIn(trees: Map<string, TictacTree>, hp: number, n: number): TictacTree {
    const id = treeId(hp, n)
    let t = trees.get(id)
    if (!t) {
      t = new TictacTree(this.opts.shape)
      trees.set(id, t)
    }
    return t
  }

  /** A vnode's trees; a vnode that held nothing at startup starts built and empty. */
  private vnode(p: number): VnodeTrees {
    let vt = this.vnodes.get(p)
    if (!vt) {
      vt = { state: 'built', verifying: false, trees: new Map(), rebuild: undefined, foldedKeys: 0, saveMismatch: false }
      this.vnodes.set(p, vt)
    }
    return vt
  }

  /**
   * Load clean saves, decide what to fold, apply the changes that arrived meanwhile and start the
   * folds in the background (one vnode at a time, at the configured rate).
   */
  async init(): Promise<void> {
    const { backend } = this.deps
    const held = (await backend.partitions()).filter(isObjectPartition)
    const stale: number[] = []
    for (let p = 0; p < this.deps.q; p++) {
      const raw = await backend.get(META_PARTITION, saveKey(p))
      if (raw) stale.push(p)
      // Without trees, a save from an earlier run would go stale: drop it, keep nothing.
      if (!held.includes(p) || this.opts.keep === false) continue
      const saved = raw ? this.parseSave(raw) : undefined
      this.vnodes.set(p, {
        state: saved ? 'built' : 'rebuilding',
        verifying: saved !== undefined,
        trees: saved ?? new Map(),
        rebuild: { trees: new Map(), cursor: undefined, latest: new Map(), keys: 0 },
        foldedKeys: 0,
        saveMismatch: false,
      })
    }
    // A save is good for one start only: from now on the trees change in memory.
    if (stale.length) await backend.batch(stale.map((p) => ({ type: 'del' as const, partition: META_PARTITION, key: saveKey(p) })), { sync: true })
    const early = this.early ?? []
    this.early = undefined
    if (this.opts.keep === false) return
    for (const e of early) this.apply(e.p, e.key, e.info, e.hBefore, e.hAfter)
    this.folding = this.foldAll(held).catch((e: unknown) => this.deps.log.error({ err: String(e) }, 'anti-entropy tree fold failed'))
  }

  /** Resolves when every startup fold has finished (tests, benchmarks). */
  async folded(): Promise<void> {
    if (this.opts.keep === false) return
    while (!this.folding) await new Promise<void>((r) => this.deps.clock.setTimer(10, r))
    await this.folding
  }

  private async foldAll(held: number[]): Promise<void> {
    for (const p of held) {
      if (this.stopped) return
      await this.foldVnode(p)
    }
  }

  private async foldVnode(p: number): Promise<void> {
    const vt = this.vnodes.get(p)
    const rb = vt?.rebuild
    if (!vt || !rb) return
    const { backend, clock, log } = this.deps
    const batchSize = Math.max(1, this.opts.rebuildBatch)
    let after: Uint8Array | undefined
    for (;;) {
      if (this.stopped) return
      const batch: Array<[Uint8Array, Uint8Array]> = []
      for await (const kv of backend.fold(p, { after, limit: batchSize })) batch.push(kv)
      // From here to the cursor's move nothing awaits, so no change interleaves.
      const last = batch.length < batchSize
      const cursor = batch.length ? keyStr(batch[batch.length - 1]![0]) : rb.cursor
      for (const [k, v] of batch) {
        const ks = keyStr(k)
        if (rb.latest.has(ks)) continue
        const info = this.keyInfo(k)
        if (!info) continue
        let h: number
        try {
          h = objectHash(k, decodeObject(v))
        } catch {
          log.error({ partition: p }, 'stored object does not decode; left out of the anti-entropy tree')
          continue
        }
        this.treeIn(rb.trees, info.hp, info.n).update(info.seg, 0, h)
        rb.keys++
      }
      for (const [ks, { info, h }] of rb.latest) {
        if (last || (cursor !== undefined && ks <= cursor)) {
          if (h !== 0) rb.keys++
          this.treeIn(rb.trees, info.hp, info.n).update(info.seg, 0, h)
          rb.latest.delete(ks)
        }
      }
      rb.cursor = cursor
      if (last) break
      after = batch[batch.length - 1]![0]
      const rate = this.opts.rebuildRateKeysPerSec
      if (rate > 0) await new Promise<void>((r) => clock.setTimer(Math.ceil((batch.length * 1000) / rate), r))
    }
    if (vt.verifying && !sameTrees(vt.trees, rb.trees)) {
      vt.saveMismatch = true
      this.lostDetected++
      log.warn({ partition: p }, 'vnode data differs from its clean-shutdown tree: objects were lost while it was stopped; anti-entropy will repair them')
    }
    vt.trees = rb.trees
    vt.state = 'built'
    vt.verifying = false
    vt.rebuild = undefined
    vt.foldedKeys = rb.keys
  }

  /** The tree an exchange compares; undefined while the vnode's trees are rebuilding. */
  tree(p: number, hp: number, n: number): TictacTree | undefined {
    if (!this.ready) return undefined
    const vt = this.vnode(p)
    if (vt.state !== 'built') return undefined
    return this.treeIn(vt.trees, hp, n)
  }

  state(p: number): { state: TreeState; verifying: boolean; trees: number; foldedKeys: number; saveMismatch: boolean } {
    if (!this.ready) return { state: 'rebuilding', verifying: false, trees: 0, foldedKeys: 0, saveMismatch: false }
    const vt = this.vnode(p)
    return { state: vt.state, verifying: vt.verifying, trees: vt.trees.size, foldedKeys: vt.foldedKeys, saveMismatch: vt.saveMismatch }
  }

  /** The (hp, n) trees a vnode holds data for. */
  treeIds(p: number): Array<{ hp: number; n: number }> {
    return [...(this.vnodes.get(p)?.trees.keys() ?? [])].map((id) => {
      const [hp, n] = id.split('/').map(Number)
      return { hp: hp!, n: n! }
    })
  }

  /** Bytes of memory the trees take (segments and branches). */
  memoryBytes(): number {
    let bytes = 0
    for (const vt of this.vnodes.values()) {
      for (const t of [...vt.trees.values(), ...(vt.rebuild?.trees.values() ?? [])]) bytes += t.segments.byteLength + t.level1.byteLength
    }
    return bytes
  }

  /**
   * Keys of one tree's segments with their object hashes, from the store (a fold of the vnode), at
   * most `limit.keys` of them and `limit.bytes` of keys (LISTING_ENTRY_BYTES more each), so the
   * listing always fits one reply frame however long the keys.
   */
  async keysIn(p: number, hp: number, n: number, segs: ReadonlySet<number>, limit: ListingLimit): Promise<Array<[Uint8Array, number]>> {
    const out: Array<[Uint8Array, number]> = []
    let bytes = 0
    const total = this.opts.shape.branches * this.opts.shape.segmentsPerBranch
    for await (const [k, v] of this.deps.backend.fold(p)) {
      if (!segs.has(keyHash(k) & (total - 1))) continue
      const info = this.keyInfo(k)
      if (!info || info.hp !== hp || info.n !== n) continue
      if (bytes + k.byteLength + LISTING_ENTRY_BYTES > limit.bytes && out.length > 0) break
      try {
        out.push([k, objectHash(k, decodeObject(v))])
      } catch {
        continue
      }
      bytes += k.byteLength + LISTING_ENTRY_BYTES
      if (out.length >= limit.keys) break
    }
    return out
  }

  /** Clean shutdown: save every built tree (synced), after the vnodes stopped changing. */
  async save(): Promise<number> {
    this.stopped = true
    if (!this.ready) return 0
    const ops = []
    for (const [p, vt] of this.vnodes) {
      if (vt.state !== 'built' || vt.verifying) continue
      ops.push({ type: 'put' as const, partition: META_PARTITION, key: saveKey(p), value: this.encodeSave(vt.trees) })
    }
    if (ops.length) await this.deps.backend.batch(ops, { sync: true })
    return ops.length
  }

  stop(): void {
    this.stopped = true
  }

  private encodeSave(trees: Map<string, TictacTree>): Buffer {
    const { branches, segmentsPerBranch } = this.opts.shape
    const parts: Uint8Array[] = []
    const head = Buffer.alloc(16)
    head.writeUInt32BE(SAVE_MAGIC, 0)
    head.writeUInt32BE(branches, 4)
    head.writeUInt32BE(segmentsPerBranch, 8)
    head.writeUInt32BE(trees.size, 12)
    parts.push(head)
    for (const [id, t] of trees) {
      const [hp, n] = id.split('/').map(Number)
      const h = Buffer.alloc(8)
      h.writeUInt32BE(hp!, 0)
      h.writeUInt32BE(n!, 4)
      parts.push(h, u32ToBytes(t.segments))
    }
    return Buffer.concat(parts)
  }

  /** A save of another shape (the configuration changed) or a damaged one is ignored: the fold rebuilds. */
  private parseSave(raw: Uint8Array): Map<string, TictacTree> | undefined {
    const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    const { branches, segmentsPerBranch } = this.opts.shape
    const segBytes = branches * segmentsPerBranch * 4
    if (b.length < 16 || b.readUInt32BE(0) !== SAVE_MAGIC || b.readUInt32BE(4) !== branches || b.readUInt32BE(8) !== segmentsPerBranch) return undefined
    const count = b.readUInt32BE(12)
    if (b.length !== 16 + count * (8 + segBytes)) return undefined
    const trees = new Map<string, TictacTree>()
    let off = 16
    for (let i = 0; i < count; i++) {
      const hp = b.readUInt32BE(off)
      const n = b.readUInt32BE(off + 4)
      trees.set(treeId(hp, n), new TictacTree(this.opts.shape, bytesToU32(b.subarray(off + 8, off + 8 + segBytes))))
      off += 8 + segBytes
    }
    return trees
  }
}

function sameTrees(a: Map<string, TictacTree>, b: Map<string, TictacTree>): boolean {
  const ids = new Set([...a.keys(), ...b.keys()])
  for (const id of ids) {
    const ra = a.get(id)?.root ?? 0
    const rb = b.get(id)?.root ?? 0
    if (ra !== rb) return false
    const ta = a.get(id)
    const tb = b.get(id)
    if (ta && tb && !ta.equals(tb)) return false
  }
  return true
}
