import type { Backend } from '../storage/backend.js'
import { META_PARTITION, leaseKey } from './dotCounter.js'

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
 *
 * Key amnesia (Riak's kv679). A vnode that comes back having lost objects it once acknowledged —
 * a disk that lost blocks, a restore from an old backup, `spinekv debug forget` — is the same
 * case: its next write to a lost key would claim the lost dots. Losing objects while the metadata
 * partition survives cannot be told apart from keeping them without reading every object, so the
 * rule does not try: a vnode that has minted dots before (its lease record exists) takes a new
 * epoch the first time it is used in each process life, before it mints anything. An actor thus
 * never outlives its process, and whatever happened to the disk meanwhile, no write of the new
 * actor covers a dot it did not see. The cost is one more clock entry per restart for keys the
 * vnode coordinates afterwards (pruning bounds clocks as ever). A vnode that never minted needs no
 * new epoch: it has no dots to cover.
 */
export class VnodeEpoch {
  private epoch = 0
  private loading: Promise<void> | undefined
  private readonly key: Buffer

  constructor(
    private readonly backend: Backend,
    private readonly base: string,
    private readonly partition: number,
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
    await this.store(this.epoch + 1)
    return actorName(this.base, this.epoch)
  }

  private async store(next: number): Promise<void> {
    const raw = Buffer.alloc(4)
    raw.writeUInt32BE(next)
    await this.backend.put(META_PARTITION, this.key, raw, { sync: true })
    this.epoch = Math.max(this.epoch, next)
  }

  private load(): Promise<void> {
    this.loading ??= Promise.all([this.backend.get(META_PARTITION, this.key), this.backend.get(META_PARTITION, leaseKey(this.partition))]).then(
      async ([raw, lease]) => {
        if (raw) this.epoch = Math.max(this.epoch, Buffer.from(raw).readUInt32BE(0))
        // A new process life of a vnode that minted before: a new actor (see above).
        if (lease) await this.store(this.epoch + 1)
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
