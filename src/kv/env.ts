/** What a coordinator needs from its node: nothing it could reach around to get time or I/O. */
import type { Clock } from '../core/env.js'
import type { Ring } from '../core/ring.js'
import type { Transport } from '../net/transport.js'
import type { Logger } from '../shared/log.js'
import type { BucketPropsTable } from './bucketProps.js'

export interface KvStats {
  gets: number
  puts: number
  deletes: number
  readRepairs: number
  /** Reads whose replies came too late to repair safely (see readRepair.ts). */
  readRepairsSkipped: number
  /** Reads that asked the replicas beyond their first R (a failure, a disagreement, or slow replies). */
  readEscalations: number
  reaped: number
  forwarded: number
  /** Replica reads served by this node's vnodes (Riak's vnode_gets). */
  vnodeGets: number
  /** Replica writes, coordinating or merging, served by this node's vnodes (Riak's vnode_puts). */
  vnodePuts: number
}

export interface KvEnv {
  self: string
  ring(): Ring
  transport: Transport
  clock: Clock
  log: Logger
  props: BucketPropsTable
  /** fsync each replica write */
  syncWrites: boolean
  tombstoneReapDelayMs: number
  stats: KvStats
  /** The failure detector's view: sloppy quorum replaces a member that is down by a fallback. */
  isUp(node: string): boolean
  /**
   * This node's own replica read, called directly rather than through the transport (Riak's
   * coordinator calls its local vnode the same way): the request object, the cluster message
   * check, a timer and two promise hops were a tenth of a local read. Absent (the simulator),
   * reads of this node go through the transport like any other.
   */
  localRead?(partition: number, key: Uint8Array): Promise<Uint8Array | undefined>
}

export function emptyStats(): KvStats {
  return { gets: 0, puts: 0, deletes: 0, readRepairs: 0, readRepairsSkipped: 0, readEscalations: 0, reaped: 0, forwarded: 0, vnodeGets: 0, vnodePuts: 0 }
}
