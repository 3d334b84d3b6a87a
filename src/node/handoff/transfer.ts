/**
 * One hinted partition going home: read a batch, send it to the owner, and once the owner has
 * acknowledged (merged) it, delete each item whose stored bytes are still the ones sent. Nothing
 * is deleted before its acknowledgement, so a transfer cut short by a crash on either side simply
 * resends on the next attempt (merging twice is harmless). It ends when the partition is empty.
 */
import { SpineError } from '../../api/errors.js'
import type { Transport } from '../../net/transport.js'
import type { Backend } from '../../storage/backend.js'
import type { Vnode } from '../vnode.js'

export interface TransferStatus {
  /** hinted: a fallback's data going home; ownership: a committed move to a new owner */
  kind: 'hinted' | 'ownership'
  partition: number
  from: string
  to: string
  /** waiting: for a transfer slot; blocked: the owner is down (or unreachable) */
  state: 'running' | 'waiting' | 'blocked'
  itemsSent: number
  /** Keys the partition held at the last count (the progress bar's end). */
  itemsTotal: number
  /** Items per second since the transfer started (0 while not running). */
  rate: number
  startedAt: number | null
}

export interface TransferDeps {
  transport: Transport
  backend: Backend
  vnode: Vnode
  ringChecksum: string
  batchSize: number
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

export class Transfer {
  itemsSent = 0

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
    for await (const item of this.deps.backend.fold(this.partition, { limit: this.deps.batchSize, after })) out.push(item)
    return out
  }

  private async send(batch: Item[]): Promise<void> {
    const body = { op: 'handoff', p: this.partition, items: batch, ring: this.deps.ringChecksum }
    await this.deps.transport.request(this.to, body, this.deps.batchTimeoutMs)
    this.itemsSent += batch.length
    if (this.deps.keep) return
    if (this.deps.stillValid && !this.deps.stillValid()) {
      throw new SpineError('RING_MISMATCH', `partition ${this.partition} is no longer held for ${this.to}; nothing deleted`, { partition: this.partition })
    }
    for (const [k, o] of batch) await this.deps.vnode.deleteIfUnchanged(k, o)
  }
}
