/**
 * Gathers the LevelDB operations issued in one turn of the event loop into one `batch` and (for a
 * store without synchronous reads) one `getMany`. Each classic-level call costs 12-17 µs of
 * main-thread time before LevelDB does any work (a thread-pool hand-off and a promise), which was
 * the largest item in a node's profile; one call per tick amortises it over every vnode's
 * operations in that tick.
 *
 * A read of a key with a write still pending (queued or in flight) answers from that write, so
 * callers see their own writes exactly as with unbatched calls.
 */
import { STORAGE } from '../config.js'
import { ReadCache } from './readCache.js'

/** `scanOnly` ops (see BatchOp) skip the overlay: no get ever asks for them. */
export type WriteOp = { type: 'put'; key: Buffer; value: Buffer; scanOnly?: boolean } | { type: 'del'; key: Buffer; scanOnly?: boolean }

export interface BatchDb {
  batch(ops: WriteOp[], opts: { sync: boolean }): Promise<void>
  getMany(keys: Buffer[]): Promise<Array<Buffer | undefined>>
  /**
   * A read on the calling thread, when the store has one (classic-level 3). A read from LevelDB's
   * block cache or memtable takes a few microseconds; handing it to the thread pool and back cost
   * more than that in futex wake-ups and context switches on a 2-core machine (kv-9010: node CPU
   * per op 77-81 -> 66-74 us). Writes stay batched and asynchronous: they may fsync.
   */
  getSync?(key: Buffer): Buffer | undefined
}

interface PendingWrite {
  ops: WriteOp[]
  /** The overlay ids of the ops that are in it, kept to remove them once written. */
  ids: string[]
  /** What each id is set to by this write (null: deleted), for the read cache once it is written. */
  values: Array<Buffer | null>
  sync: boolean
  resolve: () => void
  reject: (e: unknown) => void
}

interface PendingGet {
  key: Buffer
  resolve: (v: Buffer | undefined) => void
  reject: (e: unknown) => void
}

export class TickBatcher {
  private writes: PendingWrite[] = []
  private gets: PendingGet[] = []
  /** Latest pending value per key (null: a pending delete), with the write that set it. */
  private readonly overlay = new Map<string, { value: Buffer | null; by: PendingWrite }>()
  private scheduled = false
  private readonly inFlight = new Set<Promise<unknown>>()
  /** How well the batching works: operations per LevelDB call is ops / calls. */
  readonly stats = { writeCalls: 0, writeOps: 0, readCalls: 0, readOps: 0 }

  private readonly cache: ReadCache

  constructor(
    private readonly db: BatchDb,
    private readonly maxOpsPerBatch: number = STORAGE.maxOpsPerBatch,
    readCacheBytes: number = STORAGE.readCacheBytes,
  ) {
    this.cache = new ReadCache(readCacheBytes)
  }

  /** The read cache's counters beside the batching ones. */
  get cacheStats(): { cacheHits: number; cacheMisses: number; cacheEvictions: number; cacheEntries: number; cacheBytes: number } {
    const c = this.cache.stats
    return { cacheHits: c.hits, cacheMisses: c.misses, cacheEvictions: c.evictions, cacheEntries: this.cache.size, cacheBytes: this.cache.usedBytes }
  }

  write(ops: WriteOp[], sync: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const w: PendingWrite = { ops, ids: [], values: [], sync, resolve, reject }
      for (const op of ops) {
        if (op.scanOnly === true) continue
        const id = op.key.toString('latin1')
        const value = op.type === 'put' ? op.value : null
        w.ids.push(id)
        w.values.push(value)
        this.overlay.set(id, { value, by: w })
      }
      this.writes.push(w)
      this.schedule()
    })
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    const id = key.toString('latin1')
    const pending = this.overlay.get(id)
    if (pending) return Promise.resolve(pending.value === null ? undefined : Buffer.from(pending.value))
    const cached = this.cache.get(id)
    if (cached !== undefined) return Promise.resolve(cached)
    if (this.db.getSync !== undefined) return this.readNow(key, id)
    // Not cached: an asynchronous read could return a value a write replaced while it was out.
    return new Promise((resolve, reject) => {
      this.gets.push({ key, resolve, reject })
      this.schedule()
    })
  }

  /** Forget cached keys under prefix: the caller is about to change that range outside batches. */
  forgetRange(prefix: Buffer): void {
    this.cache.deletePrefix(prefix.toString('latin1'))
  }

  private readNow(key: Buffer, id: string): Promise<Buffer | undefined> {
    this.stats.readCalls++
    this.stats.readOps++
    try {
      // Synchronous, so no write can land between this read and caching what it saw.
      const v = this.db.getSync?.(key)
      if (v !== undefined) this.cache.set(id, v)
      return Promise.resolve(v)
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Resolves once everything queued so far is in LevelDB (before folds, clears and close). */
  async drain(): Promise<void> {
    this.flush()
    await Promise.allSettled([...this.inFlight])
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const writes = this.writes.splice(0)
    const gets = this.gets.splice(0)
    for (let i = 0; i < writes.length; i += this.maxOpsPerBatch) this.flushWrites(writes.slice(i, i + this.maxOpsPerBatch))
    for (let i = 0; i < gets.length; i += this.maxOpsPerBatch) this.flushGets(gets.slice(i, i + this.maxOpsPerBatch))
  }

  private flushWrites(writes: PendingWrite[]): void {
    if (writes.length === 0) return
    const ops = writes.flatMap((w) => w.ops)
    this.stats.writeCalls++
    this.stats.writeOps += ops.length
    let written = false
    const done = this.db.batch(ops, { sync: writes.some((w) => w.sync) }).then(
      () => {
        written = true
        writes.forEach((w) => w.resolve())
      },
      (e: unknown) => writes.forEach((w) => w.reject(e)),
    )
    this.track(
      done.finally(() => {
        for (const w of writes) {
          w.ids.forEach((id, i) => {
            const latest = this.overlay.get(id)?.by === w
            if (latest) this.overlay.delete(id)
            // Only the last write of a key, and only once it is in LevelDB, speaks for it.
            const value = w.values[i]
            if (written && latest && value !== null && value !== undefined) this.cache.set(id, value)
            else this.cache.delete(id)
          })
        }
      }),
    )
  }

  private flushGets(gets: PendingGet[]): void {
    if (gets.length === 0) return
    this.stats.readCalls++
    this.stats.readOps += gets.length
    const done = this.db.getMany(gets.map((g) => g.key)).then(
      (values) => gets.forEach((g, i) => g.resolve(values[i] ?? undefined)),
      (e: unknown) => gets.forEach((g) => g.reject(e)),
    )
    this.track(done)
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p)
    void p.finally(() => this.inFlight.delete(p))
  }
}
