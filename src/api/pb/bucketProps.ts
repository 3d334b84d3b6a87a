/**
 * Bucket properties over PB. spinekv's are fixed per node by configuration (--bucket-props, the
 * same file on every node) until bucket types are gossiped (issue 16, item 2), so GetBucket and
 * GetBucketType answer the resolved properties, and a SetBucket / SetBucketType / ResetBucket
 * succeeds only when it would change nothing: a client that "ensures" the properties it expects
 * works, and one that wants a change is told, in the ErrorResp, which property differs and how to
 * change it. Properties spinekv has no notion of are reported with Riak's defaults.
 */
import { SpineError } from '../../shared/errors.js'
import { VCLOCK } from '../../config.js'
import type { BucketProps } from '../../kv/bucketProps.js'
import { quorumFromPb, quorumToPb, RIAKPB_QUORUM } from './quorum.js'

/** RpbBucketProps as protobufjs reads and writes it (the fields spinekv looks at or answers). */
export interface RpbBucketProps {
  n_val?: number
  allow_mult?: boolean
  last_write_wins?: boolean
  precommit?: unknown[]
  has_precommit?: boolean
  postcommit?: unknown[]
  has_postcommit?: boolean
  old_vclock?: number
  young_vclock?: number
  big_vclock?: number
  small_vclock?: number
  pr?: number
  r?: number
  w?: number
  pw?: number
  dw?: number
  rw?: number
  basic_quorum?: boolean
  notfound_ok?: boolean
  search?: boolean
  datatype?: Uint8Array
  consistent?: boolean
  write_once?: boolean
  [other: string]: unknown
}

export function propsToPb(p: Readonly<BucketProps>): RpbBucketProps {
  return {
    n_val: p.n,
    allow_mult: p.allowMult,
    last_write_wins: false,
    has_precommit: false,
    has_postcommit: false,
    old_vclock: VCLOCK.oldVclockSec,
    young_vclock: VCLOCK.youngVclockSec,
    big_vclock: VCLOCK.bigVclock,
    small_vclock: VCLOCK.smallVclock,
    pr: quorumToPb(p.pr),
    r: quorumToPb(p.r),
    w: quorumToPb(p.w),
    pw: quorumToPb(p.pw),
    dw: quorumToPb(p.dw),
    // spinekv has no rw: a delete's read and write take r and w.
    rw: RIAKPB_QUORUM,
    basic_quorum: false,
    notfound_ok: p.notfoundOk,
    search: false,
    consistent: false,
    write_once: false,
  }
}

/**
 * Every property the request sets must equal what the node already has; throws INVALID_ARGUMENT
 * naming the first that does not (a property spinekv does not know counts as differing unless it
 * is Riak's default, as propsToPb reports it).
 */
export function checkUnchanged(what: string, current: Readonly<BucketProps>, wanted: RpbBucketProps): void {
  const have = propsToPb(current)
  for (const [name, value] of Object.entries(wanted)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value) && value.length === 0) continue
    if (sameProp(name, have[name], value)) continue
    throw new SpineError(
      'INVALID_ARGUMENT',
      `${what}: ${name} cannot be changed over the wire yet; spinekv's bucket properties are set by each node's --bucket-props file (now ${show(have[name])}, asked ${show(value)})`,
      { field: name },
    )
  }
}

function sameProp(name: string, have: unknown, want: unknown): boolean {
  if (have === want) return true
  // A quorum given as its number for this N, or a symbol, means the same thing to a client: compare symbols.
  if (['r', 'w', 'pr', 'pw', 'dw', 'rw'].includes(name) && typeof have === 'number' && typeof want === 'number') {
    return quorumFromPb(have) === quorumFromPb(want)
  }
  return false
}

function show(v: unknown): string {
  if (v === undefined) return 'not supported'
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('utf8'))
  return JSON.stringify(v)
}
