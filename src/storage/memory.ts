/**
 * In-memory Backend for tests and the deterministic simulator: no timers, no randomness, no I/O.
 * Data survives close()/open() of the same instance, so a simulated node restart behaves like a
 * restart on disk; only a new instance starts empty.
 */

import { SpineError } from '../shared/errors.js'
import { checkBytes, checkFoldOptions, checkPartition } from './checks.js'
import type { Backend, BackendWriteOptions, BatchOp, FoldOptions } from './backend.js'

/** Partitions are stored on disk as 4 big-endian bytes by LevelBackend; keep the same domain here. */

/**
 * One partition's entries. Keys are held as latin1 strings: each byte becomes one UTF-16 code unit
 * below 256, so JavaScript string order is exactly the byte order of the keys, and a Map lookup
 * costs no comparison function. `sorted` is kept ordered with binary search so folds never sort.
 */
class PartitionStore {
  readonly values = new Map<string, Uint8Array>()
  readonly sorted: string[] = []

  get size(): number {
    return this.values.size
  }

  put(key: string, value: Uint8Array): void {
    if (!this.values.has(key)) this.sorted.splice(lowerBound(this.sorted, key), 0, key)
    this.values.set(key, value)
  }

  del(key: string): void {
    if (!this.values.delete(key)) return
    this.sorted.splice(lowerBound(this.sorted, key), 1)
  }

  /** Keys of the fold, taken up front so writes during the fold do not shift it. */
  range(after: string | undefined, limit: number | undefined, before?: string): string[] {
    const start = after === undefined ? 0 : upperBound(this.sorted, after)
    const stop = before === undefined ? this.sorted.length : Math.max(start, lowerBound(this.sorted, before))
    const end = limit === undefined ? stop : Math.min(stop, start + limit)
    return this.sorted.slice(start, end)
  }
}

/** First index whose element is >= key. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((arr[mid] as string) < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose element is > key. */
function upperBound(arr: readonly string[], key: string): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((arr[mid] as string) <= key) lo = mid + 1
    else hi = mid
  }
  return lo
}

function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

function keyBytes(key: string): Uint8Array {
  return Buffer.from(key, 'latin1')
}

/** Stored bytes are private: the caller's buffer may be reused or mutated after put returns. */
function copy(bytes: Uint8Array): Uint8Array {
  return Buffer.from(bytes)
}

function checkOp(op: BatchOp): void {
  checkPartition(op.partition)
  checkBytes('key', op.key)
  if (op.type === 'put') checkBytes('value', op.value)
}

export class MemoryBackend implements Backend {
  private readonly stores = new Map<number, PartitionStore>()
  private isOpen = false

  async open(): Promise<void> {
    this.isOpen = true
  }

  async close(): Promise<void> {
    this.isOpen = false
  }

  async get(partition: number, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.checkOpen()
    checkPartition(partition)
    checkBytes('key', key)
    const value = this.stores.get(partition)?.values.get(keyString(key))
    return value === undefined ? undefined : copy(value)
  }

  async put(partition: number, key: Uint8Array, value: Uint8Array, _opts?: BackendWriteOptions): Promise<void> {
    await this.batch([{ type: 'put', partition, key, value }])
  }

  async del(partition: number, key: Uint8Array, _opts?: BackendWriteOptions): Promise<void> {
    await this.batch([{ type: 'del', partition, key }])
  }

  async batch(ops: BatchOp[], _opts?: BackendWriteOptions): Promise<void> {
    this.checkOpen()
    // Validate everything before touching anything: a bad op must leave no partial batch behind.
    ops.forEach(checkOp)
    for (const op of ops) this.apply(op)
  }

  async *fold(partition: number, opts: FoldOptions = {}): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.checkOpen()
    checkPartition(partition)
    checkFoldOptions(opts)
    const store = this.stores.get(partition)
    if (store === undefined) return
    const after = opts.after === undefined ? undefined : keyString(opts.after)
    // Snapshot key and value references now, like LevelDB's implicit iterator snapshot.
    // Stored values are never mutated in place, so holding references is enough.
    const before = opts.before === undefined ? undefined : keyString(opts.before)
    const entries = store.range(after, opts.limit, before).map((k) => [k, store.values.get(k) as Uint8Array] as const)
    for (const [k, v] of entries) yield [keyBytes(k), copy(v)]
  }

  async isEmpty(partition: number): Promise<boolean> {
    this.checkOpen()
    checkPartition(partition)
    return !this.stores.has(partition)
  }

  async dropPartition(partition: number): Promise<void> {
    this.checkOpen()
    checkPartition(partition)
    this.stores.delete(partition)
  }

  async partitions(): Promise<number[]> {
    this.checkOpen()
    return [...this.stores.keys()].sort((a, b) => a - b)
  }

  private apply(op: BatchOp): void {
    const key = keyString(op.key)
    if (op.type === 'put') {
      this.storeFor(op.partition).put(key, copy(op.value))
      return
    }
    const store = this.stores.get(op.partition)
    if (store === undefined) return
    store.del(key)
    // Empty partitions are forgotten so isEmpty and partitions() need no scan.
    if (store.size === 0) this.stores.delete(op.partition)
  }

  private storeFor(partition: number): PartitionStore {
    let store = this.stores.get(partition)
    if (store === undefined) {
      store = new PartitionStore()
      this.stores.set(partition, store)
    }
    return store
  }

  private checkOpen(): void {
    if (!this.isOpen) throw new SpineError('SHUTTING_DOWN', 'storage backend is not open')
  }
}
