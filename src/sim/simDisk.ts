/**
 * One node's disk: a MemoryBackend that outlives the node's incarnations, seen by each
 * incarnation through a view that dies with it (so a crashed node cannot touch the disk again).
 *
 * Durability model, after LevelDB: every completed write is in the OS page cache, so a process
 * crash loses nothing and is modelled by simply dropping the view. A power loss also loses
 * writes not yet on the platter: a write with sync:true fsyncs the log and with it every write
 * before it; what came after the last sync may be lost, as a suffix (the log is sequential). Only
 * when power loss is enabled does the disk keep the undo log this needs.
 */
import { SpineError } from '../shared/errors.js'
import type { Backend, BackendWriteOptions, BatchOp, FoldOptions } from '../storage/backend.js'
import { MemoryBackend } from '../storage/memory.js'
import type { SeededRandom } from '../core/seededRandom.js'

interface Undo {
  partition: number
  key: Uint8Array
  prev: Uint8Array | undefined
}

export class SimDisk {
  private readonly store = new MemoryBackend()
  /** Writes since the last sync point, oldest first, with what they overwrote. */
  private undo: Undo[] = []
  /** Serialises writes while undo is kept: capturing the old value and writing must not interleave. */
  private tail: Promise<unknown> = Promise.resolve()

  constructor(private readonly trackUnsynced: boolean) {}

  open(): Promise<void> {
    return this.store.open()
  }

  /** The disk as one incarnation sees it. */
  attach(): DiskView {
    return new DiskView(this)
  }

  /** What a fresh incarnation and the checkers read: every completed write. */
  get backend(): Backend {
    return this.store
  }

  write(ops: BatchOp[], opts: BackendWriteOptions | undefined): Promise<void> {
    if (!this.trackUnsynced) return this.store.batch(ops, opts)
    const run = this.tail.then(() => this.writeTracked(ops, opts?.sync === true))
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Lose a random suffix of the writes made since the last sync; returns how many were lost. */
  async powerLoss(rng: SeededRandom): Promise<number> {
    await this.tail
    const keep = rng.int(this.undo.length + 1)
    const lost = this.undo.splice(keep).reverse()
    for (const u of lost) {
      if (u.prev === undefined) await this.store.del(u.partition, u.key)
      else await this.store.put(u.partition, u.key, u.prev)
    }
    return lost.length
  }

  private async writeTracked(ops: BatchOp[], sync: boolean): Promise<void> {
    const undo: Undo[] = []
    for (const op of ops) undo.push({ partition: op.partition, key: Buffer.from(op.key), prev: await this.store.get(op.partition, op.key) })
    await this.store.batch(ops)
    // An fsync of the log makes this write and every one before it durable.
    if (sync) this.undo = []
    else this.undo.push(...undo)
  }
}

/** One incarnation's handle on the disk; revoked when the incarnation dies. */
export class DiskView implements Backend {
  private revoked = false

  constructor(private readonly disk: SimDisk) {}

  revoke(): void {
    this.revoked = true
  }

  // The disk stays open across incarnations, as a file system stays mounted across a process crash.
  async open(): Promise<void> {}
  async close(): Promise<void> {}

  get(partition: number, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.live().get(partition, key)
  }

  put(partition: number, key: Uint8Array, value: Uint8Array, opts?: BackendWriteOptions): Promise<void> {
    this.live()
    return this.disk.write([{ type: 'put', partition, key, value }], opts)
  }

  del(partition: number, key: Uint8Array, opts?: BackendWriteOptions): Promise<void> {
    this.live()
    return this.disk.write([{ type: 'del', partition, key }], opts)
  }

  batch(ops: BatchOp[], opts?: BackendWriteOptions): Promise<void> {
    this.live()
    return this.disk.write(ops, opts)
  }

  fold(partition: number, opts?: FoldOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.live().fold(partition, opts)
  }

  isEmpty(partition: number): Promise<boolean> {
    return this.live().isEmpty(partition)
  }

  dropPartition(partition: number): Promise<void> {
    // Nothing in the simulated path drops partitions until handoff exists; when it does, this
    // must join the undo log too.
    return this.live().dropPartition(partition)
  }

  partitions(): Promise<number[]> {
    return this.live().partitions()
  }

  private live(): Backend {
    // A crashed incarnation has no events left to run, so reaching here is a simulator bug.
    if (this.revoked) throw new SpineError('INTERNAL', 'a crashed node touched its disk')
    return this.disk.backend
  }
}
