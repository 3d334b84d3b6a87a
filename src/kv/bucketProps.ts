/**
 * Bucket properties: the default type's Riak defaults, overridden per bucket type or per bucket
 * by the node's configuration. With static membership every node is started with the same
 * overrides; ring gossip will carry them once membership is dynamic.
 */
import { BUCKET_DEFAULTS, KV } from '../config.js'
import type { QuorumSpec } from '../core/quorum.js'
import { SpineError } from '../shared/errors.js'
import type { ReadFanout } from './readWave.js'

export interface BucketProps {
  n: number
  r: QuorumSpec
  w: QuorumSpec
  dw: QuorumSpec
  pr: QuorumSpec
  pw: QuorumSpec
  notfoundOk: boolean
  allowMult: boolean
  readFanout: ReadFanout
}

/** Keys: "type" for a whole bucket type, "type/bucket" for one bucket. */
export type BucketPropsOverrides = Record<string, Partial<BucketProps>>

export class BucketPropsTable {
  /**
   * Resolved props per "type/bucket": every get and put asks, and three spreads per request were
   * measurable on the hot path. The overrides never change after construction, so a hit is exact.
   */
  private readonly resolved = new Map<string, Readonly<BucketProps>>()

  constructor(
    private readonly overrides: BucketPropsOverrides = {},
    private readonly maxN: number,
  ) {
    for (const [name, o] of Object.entries(overrides)) {
      if (o.n !== undefined && (!Number.isInteger(o.n) || o.n < 1 || o.n > maxN)) {
        throw new SpineError('INVALID_ARGUMENT', `bucket props ${name}: n must be 1..${maxN}`, { name, n: o.n })
      }
      if (o.readFanout !== undefined && o.readFanout !== 'quorum' && o.readFanout !== 'all') {
        throw new SpineError('INVALID_ARGUMENT', `bucket props ${name}: readFanout must be quorum or all`, { name, readFanout: String(o.readFanout) })
      }
    }
  }

  get(type: string, bucket: string): Readonly<BucketProps> {
    // Length-prefixed: as "type/bucket" alone, type "a/b" bucket "c" and type "a" bucket "b/c" would
    // share an entry although they resolve through different type overrides.
    const id = `${type.length}:${type}/${bucket}`
    const hit = this.resolved.get(id)
    if (hit !== undefined) return hit
    const props = Object.freeze({ ...BUCKET_DEFAULTS, ...this.overrides[type], ...this.overrides[`${type}/${bucket}`] })
    // Bucket names come from clients: bounded, and starting over costs one spread per bucket.
    if (this.resolved.size >= KV.maxCachedBucketProps) this.resolved.clear()
    this.resolved.set(id, props)
    return props
  }
}
