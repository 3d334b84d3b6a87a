/**
 * LevelDB Backend: one database per node holding every partition, each key prefixed with its
 * partition as 4 big-endian bytes. A partition is then one contiguous key range, so a fold is a
 * range scan and dropping a partition is a range delete. One database per node (rather than per
 * vnode) shares one block cache and one write buffer across vnodes and keeps the number of open
 * files bounded; bench/storageLayout.ts measures the alternative.
 */

import { Level } from 'level'
import { SpineError } from '../shared/errors.js'
import { MAX_PARTITION, checkBytes, checkFoldOptions, checkPartition } from './checks.js'
import type { Backend, BackendWriteOptions, BatchOp, FoldOptions } from './backend.js'

import { STORAGE } from '../config.js'
import { TickBatcher, type WriteOp } from './tickBatcher.js'

const PREFIX_BYTES = 4

export interface LevelBackendOptions {
  cacheSize?: number
  writeBufferSize?: number
}

type Db = Level<Buffer, Buffer>

interface KeyRange {
  gte?: Buffer
  gt?: Buffer
  lt?: Buffer
}

function prefixOf(partition: number): Buffer {
  const prefix = Buffer.allocUnsafe(PREFIX_BYTES)
  prefix.writeUInt32BE(partition, 0)
  return prefix
}

function storedKey(partition: number, key: Uint8Array): Buffer {
  checkPartition(partition)
  checkBytes('key', key)
  // One allocation: every get and write builds one of these.
  const out = Buffer.allocUnsafe(PREFIX_BYTES + key.byteLength)
  out.writeUInt32BE(partition, 0)
  out.set(key, PREFIX_BYTES)
  return out
}

/** All keys of one partition; the last partition has no successor prefix, so it runs to the end. */
function partitionRange(partition: number): KeyRange {
  const gte = prefixOf(partition)
  return partition === MAX_PARTITION ? { gte } : { gte, lt: prefixOf(partition + 1) }
}

function foldRange(partition: number, after: Uint8Array | undefined, before: Uint8Array | undefined): KeyRange {
  const { gte, ...partitionEnd } = partitionRange(partition)
  const upper = before === undefined ? partitionEnd : { lt: storedKey(partition, before) }
  if (after === undefined) return { gte, ...upper }
  // Spread rather than `lt: range.lt`: level treats a present-but-undefined bound as a real bound.
  return { gt: storedKey(partition, after), ...upper }
}

/**
 * classic-level's own batch, without abstract-level's per-operation copy, validation and encoding
 * lookup: our keys and values are already Buffers and we use no hooks or write events, and that
 * per-operation work was 18% of a node's CPU once every patient write carried its index entries
 * (bench note in docs/decisions.md). Falls back to the public batch if the internal one is missing.
 */
function rawBatch(db: Db): (ops: WriteOp[], o: { sync: boolean }) => Promise<void> {
  // The internal method is not in level's types: this is the one place that reaches past them.
  const internal = (db as unknown as { _batch?: (ops: WriteOp[], o: { sync: boolean }) => Promise<void> })._batch
  if (typeof internal !== 'function') return (ops, o) => db.batch(ops, o)
  return (ops, o) => (db.status === 'open' ? internal.call(db, ops, o) : db.batch(ops, o))
}

function writeOptions(opts: BackendWriteOptions | undefined): { sync: boolean } {
  return { sync: opts?.sync === true }
}

/** A view, not a copy: classic-level copies keys and values into native memory during the call. */
function valueBuffer(value: Uint8Array): Buffer {
  checkBytes('value', value)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** Puts are copied: the write is applied later in the tick, and the caller may reuse its buffer. */
function toLevelOp(op: BatchOp): WriteOp {
  const key = storedKey(op.partition, op.key)
  if (op.type === 'del') return { type: 'del', key, scanOnly: op.scanOnly }
  const view = valueBuffer(op.value)
  return { type: 'put', key, value: view.byteLength === 0 ? EMPTY : Buffer.from(view), scanOnly: op.scanOnly }
}

const EMPTY = Buffer.alloc(0)

export class LevelBackend implements Backend {
  private readonly dir: string
  private readonly cacheSize: number
  private readonly writeBufferSize: number
  /** Created in open(), not in the constructor, because Level opens itself on construction. */
  private db: Db | undefined
  private batcher: TickBatcher | undefined
  /** Set while open() runs, so concurrent opens share one database instead of fighting over its lock. */
  private opening: Promise<void> | undefined

  constructor(dir: string, opts: LevelBackendOptions = {}) {
    this.dir = dir
    this.cacheSize = opts.cacheSize ?? STORAGE.cacheSizeBytes
    this.writeBufferSize = opts.writeBufferSize ?? STORAGE.writeBufferBytes
  }

  async open(): Promise<void> {
    if (this.db !== undefined) return
    this.opening ??= this.openDatabase().finally(() => {
      this.opening = undefined
    })
    await this.opening
  }

  async close(): Promise<void> {
    // Let an open in progress finish first, or it would leave the backend open after close() returned.
    await this.opening?.catch(() => undefined)
    const db = this.db
    const batcher = this.batcher
    this.db = undefined
    this.batcher = undefined
    // Writes already accepted must reach LevelDB before it closes.
    await batcher?.drain()
    await db?.close()
  }

  async get(partition: number, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.openBatcher().get(storedKey(partition, key))
  }

  async put(partition: number, key: Uint8Array, value: Uint8Array, opts?: BackendWriteOptions): Promise<void> {
    const batcher = this.openBatcher()
    // A copy: the write is applied later in the tick, and the caller may reuse its buffer.
    await batcher.write([{ type: 'put', key: storedKey(partition, key), value: Buffer.from(valueBuffer(value)) }], writeOptions(opts).sync)
  }

  async del(partition: number, key: Uint8Array, opts?: BackendWriteOptions): Promise<void> {
    await this.openBatcher().write([{ type: 'del', key: storedKey(partition, key) }], writeOptions(opts).sync)
  }

  async batch(ops: BatchOp[], opts?: BackendWriteOptions): Promise<void> {
    const batcher = this.openBatcher()
    // Every op is encoded (and validated) before LevelDB sees any, so a bad op writes nothing.
    const encoded = ops.map(toLevelOp)
    await batcher.write(encoded, writeOptions(opts).sync)
  }

  async *fold(partition: number, opts: FoldOptions = {}): AsyncIterable<[Uint8Array, Uint8Array]> {
    const db = await this.settledDb()
    checkPartition(partition)
    checkFoldOptions(opts)
    if (opts.limit === 0) return
    const it = db.iterator({ ...foldRange(partition, opts.after, opts.before), limit: opts.limit ?? -1 })
    try {
      // nextv, not the iterator's next(): that fetches one entry on its first trip to the thread pool
      // and the rest on a second, and most of a search's scans hold a few entries, so each paid two
      // hand-offs where one does. Level hands out fresh buffers per entry, so the key view below
      // shares nothing with the store.
      for (;;) {
        const chunk = await it.nextv(STORAGE.foldChunkEntries)
        if (chunk.length === 0) return
        for (const [key, value] of chunk) yield [key.subarray(PREFIX_BYTES), value]
      }
    } finally {
      await it.close()
    }
  }

  async isEmpty(partition: number): Promise<boolean> {
    const db = await this.settledDb()
    checkPartition(partition)
    const first = await db.keys({ ...partitionRange(partition), limit: 1 }).all()
    return first.length === 0
  }

  async dropPartition(partition: number): Promise<void> {
    const db = await this.settledDb()
    checkPartition(partition)
    // Before and after: a read during the clear may cache a key the clear then removes.
    this.batcher?.forgetRange(prefixOf(partition))
    await db.clear(partitionRange(partition))
    this.batcher?.forgetRange(prefixOf(partition))
  }

  /** Seeks from one partition prefix to the next, so the cost is one seek per non-empty partition. */
  async partitions(): Promise<number[]> {
    const db = await this.settledDb()
    const it = db.keys()
    const found: number[] = []
    try {
      for (let key = await it.next(); key !== undefined; key = await it.next()) {
        const partition = key.readUInt32BE(0)
        found.push(partition)
        if (partition === MAX_PARTITION) break
        it.seek(prefixOf(partition + 1))
      }
    } finally {
      await it.close()
    }
    return found
  }

  private async openDatabase(): Promise<void> {
    const db: Db = new Level<Buffer, Buffer>(this.dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      cacheSize: this.cacheSize,
      writeBufferSize: this.writeBufferSize,
    })
    await db.open()
    this.db = db
    this.batcher = new TickBatcher({
      batch: rawBatch(db),
      getMany: (keys) => db.getMany(keys) as Promise<Array<Buffer | undefined>>,
      getSync: (key) => db.getSync(key),
    })
  }

  stats(): Record<string, number> {
    return { ...(this.batcher?.stats ?? {}), ...(this.batcher?.cacheStats ?? {}) }
  }

  private openBatcher(): TickBatcher {
    if (this.batcher === undefined) throw new SpineError('SHUTTING_DOWN', 'storage backend is not open')
    return this.batcher
  }

  /** Scans and range deletes read LevelDB directly, so pending writes go in first. */
  private async settledDb(): Promise<Db> {
    const db = this.openDb()
    await this.batcher?.drain()
    return db
  }

  private openDb(): Db {
    if (this.db === undefined) throw new SpineError('SHUTTING_DOWN', 'storage backend is not open')
    return this.db
  }
}
