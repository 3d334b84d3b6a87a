/**
 * The storage seam. Every backend keeps opaque bytes per (partition, key) and passes
 * src/storage/backend.conformance.ts. Keys are already-encoded object keys; values are
 * encoded objects. Ordering of fold results is the byte order of keys.
 */

export interface BackendWriteOptions {
  /** Wait for the write to reach the disk (fsync) before resolving. */
  sync?: boolean
}

/**
 * `scanOnly`: the key is only ever read by folds, never by get (index entries). A pending write of
 * such a key needs no read-your-writes bookkeeping, which is most of a batched write's cost per op.
 */
export type BatchOp =
  | { type: 'put'; partition: number; key: Uint8Array; value: Uint8Array; scanOnly?: boolean }
  | { type: 'del'; partition: number; key: Uint8Array; scanOnly?: boolean }

export interface FoldOptions {
  /** Stop after this many entries. */
  limit?: number
  /** Start strictly after this key (for resumable folds). */
  after?: Uint8Array
  /** Stop before this key (exclusive): a bounded range read, so the store reads nothing past it. */
  before?: Uint8Array
}

export interface Backend {
  open(): Promise<void>
  close(): Promise<void>
  get(partition: number, key: Uint8Array): Promise<Uint8Array | undefined>
  put(partition: number, key: Uint8Array, value: Uint8Array, opts?: BackendWriteOptions): Promise<void>
  del(partition: number, key: Uint8Array, opts?: BackendWriteOptions): Promise<void>
  /** All ops applied atomically. */
  batch(ops: BatchOp[], opts?: BackendWriteOptions): Promise<void>
  /** Entries of one partition in key order. */
  fold(partition: number, opts?: FoldOptions): AsyncIterable<[Uint8Array, Uint8Array]>
  isEmpty(partition: number): Promise<boolean>
  /** Remove every entry of one partition (after its data was handed off). */
  dropPartition(partition: number): Promise<void>
  /** Partitions that hold at least one entry. */
  partitions(): Promise<number[]>
  /** Counters for /stats (optional: a backend with nothing to say omits it). */
  stats?(): Record<string, number>
}
