/**
 * One hinted partition going home: read a batch, send it to the owner, and once the owner has
 * acknowledged (merged) it, delete each item whose stored bytes are still the ones sent. Nothing
 * is deleted before its acknowledgement, so a transfer cut short by a crash on either side simply
 * resends on the next attempt (merging twice is harmless). It ends when the partition is empty.
 *
 * A batch ends at `batchSize` objects or `batchBytes` of keys and objects, whichever comes first,
 * so a batch of large objects still fits one frame; an object larger than `batchBytes` goes alone.
 */
import { SpineError, toSpineError } from '../../shared/errors.js'
import type { Transport } from '../../net/transport.js'
import type { Backend } from '../../storage/backend.js'
import type { Vnode } from '../vnode.js'

export interface TransferStatus {
  /** hinted: a fallback's data going home; ownership: a committed move to a new owner */
  kind: 'hinted' | 'ownership'
  partition: number
  from: string
  to: string
  /** waiting: for a transfer slot; blocked: the owner is down (or unreachable); retrying: the last attempt failed (lastError) */
  state: 'running' | 'waiting' | 'blocked' | 'retrying'
  itemsSent: number
  /** Keys the partition held at the last count (the progress bar's end). */
  itemsTotal: number
  /** Bytes of keys and objects acknowledged by the receiver so far (0 while not running). */
  bytesSent: number
  /** Items per second since the transfer started (0 while not running). */
  rate: number
  startedAt: number | null
  /**
   * Why the last attempt of this partition's transfer stopped ("CODE: message"), or null: a
   * transfer that cannot make progress says so here rather than showing `running` forever.
   */
  lastError: string | null
  /** Attempts that failed in a row (0 after a success). */
  failures: number
  /** When a failed transfer is tried again (state `retrying`), else null. */
  retryAt: number | null
}

export interface TransferDeps {
  transport: Transport
  backend: Backend
  vnode: Vnode
  ringChecksum: string
  batchSize: number
  /** Bytes of keys and objects per batch (an object larger than this goes alone). */
  batchBytes: number
  batchTimeoutMs: number
  /**
   * Ownership moves: one pass, deleting nothing — the old owner keeps serving (and copies every
   * write it takes to the new owner) until the claimant flips the partition; what it then holds
   * is hinted data, handed off and deleted the usual way.
   */
  keep?: boolean
  /**
   * Checked after each acknowledgement, before any delete: false (the ring changed and this node
   * now owns the partition) stops the transfer with nothing deleted.
   */
  stillValid?: () => boolean
}

type Item = [Uint8Array, Uint8Array]

/** What an item adds to a batch: its key and stored bytes (msgpack adds a few bytes per item; see src/config.test.ts). */
export function itemBytes([k, o]: Item): number {
  return k.byteLength + o.byteLength
}

export class Transfer {
  itemsSent = 0
  bytesSent = 0
  /** The item that ended the last batch by bytes: it starts the next one rather than being read again. */
  private carry: Item | undefined

  constructor(
    readonly partition: number,
    readonly to: string,
    private readonly deps: TransferDeps,
  ) {}

  /** Runs to an empty partition, or throws (unreachable owner, ring mismatch) for a later retry. */
  async run(): Promise<void> {
    let after: Uint8Array | undefined
    for (;;) {
      const batch = await this.read(after)
      if (batch.length === 0) {
        if (this.deps.keep) return
        // End of a pass: items written meanwhile were kept; go round again until nothing is left.
        if (after === undefined || (await this.deps.backend.isEmpty(this.partition))) return
        after = undefined
        continue
      }
      await this.send(batch)
      after = batch[batch.length - 1]![0]
    }
  }

  private async read(after: Uint8Array | undefined): Promise<Item[]> {
    const out: Item[] = []
    let bytes = 0
    const carried = this.carry
    this.carry = undefined
    if (carried) {
      out.push(carried)
      bytes = itemBytes(carried)
      after = carried[0]
    }
    if (out.length >= this.deps.batchSize || bytes >= this.deps.batchBytes) return out
    for await (const item of this.deps.backend.fold(this.partition, { limit: this.deps.batchSize - out.length, after })) {
      const b = itemBytes(item)
      if (out.length > 0 && bytes + b > this.deps.batchBytes) {
        this.carry = item
        break
      }
      out.push(item)
      bytes += b
    }
    return out
  }

  private async send(batch: Item[]): Promise<void> {
    const body = { op: 'handoff', p: this.partition, items: batch, ring: this.deps.ringChecksum }
    const bytes = batch.reduce((n, item) => n + itemBytes(item), 0)
    try {
      await this.deps.transport.request(this.to, body, this.deps.batchTimeoutMs)
    } catch (e) {
      // The operator sees this message in `cluster transfers`: say which batch could not go, not just the code.
      const err = toSpineError(e)
      throw new SpineError(err.code, `batch of ${batch.length} objects (${bytes} bytes) of partition ${this.partition} to ${this.to}: ${err.message}`, {
        ...err.data,
        partition: this.partition,
        items: batch.length,
        bytes,
      })
    }
    this.itemsSent += batch.length
    this.bytesSent += bytes
    if (this.deps.keep) return
    if (this.deps.stillValid && !this.deps.stillValid()) {
      throw new SpineError('RING_MISMATCH', `partition ${this.partition} is no longer held for ${this.to}; nothing deleted`, { partition: this.partition })
    }
    for (const [k, o] of batch) await this.deps.vnode.deleteIfUnchanged(k, o)
  }
}
