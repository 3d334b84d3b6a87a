/**
 * One vnode's dot counter: every dot the vnode mints, for any key, takes the next number, so no
 * dot is ever minted twice even after the vnode reaped or lost a key. The counter survives
 * restarts through a lease kept in the backend's metadata partition: the vnode writes (with
 * sync) the end of a block of counters before minting from it, and a restart resumes from the
 * last lease end, skipping whatever was left of the block (Riak's vnode counter lease).
 */
import { VNODE } from '../config.js'
import type { Backend } from '../storage/backend.js'
import { MAX_PARTITION } from '../storage/checks.js'

/** Node-local metadata lives in a partition no ring can have (rings have at most RING.maxPartitions). */
export const META_PARTITION = MAX_PARTITION

/** Where a vnode's lease lives: its presence says the vnode has minted dots before. */
export function leaseKey(partition: number): Buffer {
  return Buffer.from(`dot-lease/${partition}`)
}

export class DotCounter {
  private last = 0
  private leaseEnd = 0
  private loading: Promise<void> | undefined
  private renewing: Promise<void> | undefined
  private readonly key: Buffer

  constructor(
    private readonly backend: Backend,
    partition: number,
    private readonly leaseSize: number = VNODE.counterLeaseSize,
  ) {
    this.key = leaseKey(partition)
  }

  /** The next counter, at least `floor`; resolves once it is covered by a stored lease. */
  async next(floor: number): Promise<number> {
    this.loading ??= this.load()
    await this.loading
    const counter = Math.max(this.last + 1, floor)
    this.last = counter
    while (counter > this.leaseEnd) {
      this.renewing ??= this.renew().finally(() => (this.renewing = undefined))
      await this.renewing
    }
    return counter
  }

  private async load(): Promise<void> {
    const raw = await this.backend.get(META_PARTITION, this.key)
    const end = raw ? Number(Buffer.from(raw).readBigUInt64BE(0)) : 0
    this.last = Math.max(this.last, end)
    this.leaseEnd = end
  }

  private async renew(): Promise<void> {
    const end = this.last + this.leaseSize
    const raw = Buffer.alloc(8)
    raw.writeBigUInt64BE(BigInt(end))
    // Synced: a lease that did not reach the disk could be handed out again after a power loss.
    await this.backend.put(META_PARTITION, this.key, raw, { sync: true })
    this.leaseEnd = Math.max(this.leaseEnd, end)
  }
}
