/**
 * Riak's PB encoding of quorum values (riak_pb_kv_codec.hrl): uint32s just below 2^32 stand for
 * the symbolic values, anything else is a number of replicas. Range checks against N stay with
 * the coordinator (resolveQuorum), as for the other ports.
 */
import type { QuorumSpec } from '../../core/quorum.js'

const UINT_MAX = 0xffffffff
export const RIAKPB_ONE = UINT_MAX - 1
export const RIAKPB_QUORUM = UINT_MAX - 2
export const RIAKPB_ALL = UINT_MAX - 3
export const RIAKPB_DEFAULT = UINT_MAX - 4

const SYMBOLS: ReadonlyMap<number, QuorumSpec> = new Map([
  [RIAKPB_ONE, 'one'],
  [RIAKPB_QUORUM, 'quorum'],
  [RIAKPB_ALL, 'all'],
  [RIAKPB_DEFAULT, 'default'],
])

/** An absent field is undefined (the bucket's default applies), as on the other ports. */
export function quorumFromPb(v: number | undefined): QuorumSpec | undefined {
  if (v === undefined) return undefined
  return SYMBOLS.get(v) ?? v
}

export function quorumToPb(q: QuorumSpec): number {
  switch (q) {
    case 'one':
      return RIAKPB_ONE
    case 'quorum':
      return RIAKPB_QUORUM
    case 'all':
      return RIAKPB_ALL
    case 'default':
      return RIAKPB_DEFAULT
    default:
      return q
  }
}
