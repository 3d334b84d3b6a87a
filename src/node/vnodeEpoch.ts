import type { Backend } from '../storage/backend.js'
import { META_PARTITION } from './dotCounter.js'

/**
 * The epoch part of a vnode's actor. A coordinated write sets the actor's clock entry to the new
 * dot's counter, which claims every earlier dot of that actor *for this key* was seen — true only
 * while the vnode still holds its own copy of the key. Once it has deleted a copy carrying its
 * dots (a fallback handing hinted data home; later, an ownership transfer or a disk that lost
 * data), a new write to that key would silently cover the old dots held elsewhere and drop their
 * values in the next merge. So before such a delete the vnode takes a new epoch, i.e. a new actor
 * that never wrote the key (Riak gives a fallback a fresh vnode id for the same reason).
 *
 * The epoch is stored (synced) in the metadata partition before the delete it protects.
 */
export class VnodeEpoch {
  private epoch = 0
  private loading: Promise<void> | undefined
  private readonly key: Buffer

  constructor(
    private readonly backend: Backend,
    private readonly base: string,
    partition: number,
  ) {
    this.key = Buffer.from(`epoch/${partition}`)
  }

  /** The actor to write as now; epoch 0 keeps the plain `node/partition` name. */
  async actor(): Promise<string> {
    await this.load()
    return actorName(this.base, this.epoch)
  }

  /** Retire the current actor for good; resolves once the new epoch is on disk. */
  async advance(): Promise<string> {
    await this.load()
    const next = this.epoch + 1
    const raw = Buffer.alloc(4)
    raw.writeUInt32BE(next)
    await this.backend.put(META_PARTITION, this.key, raw, { sync: true })
    this.epoch = next
    return actorName(this.base, next)
  }

  private load(): Promise<void> {
    this.loading ??= this.backend.get(META_PARTITION, this.key).then(
      (raw) => {
        if (raw) this.epoch = Math.max(this.epoch, Buffer.from(raw).readUInt32BE(0))
      },
      (e: unknown) => {
        this.loading = undefined // a failed read is retried by the next caller
        throw e
      },
    )
    return this.loading
  }
}

export function actorName(base: string, epoch: number): string {
  return epoch === 0 ? base : `${base}.${epoch}`
}

/** Whether `actor` is one of the epochs of the vnode named `base`. */
export function isActorOf(actor: string, base: string): boolean {
  return actor === base || (actor.startsWith(`${base}.`) && /^\d+$/.test(actor.slice(base.length + 1)))
}
