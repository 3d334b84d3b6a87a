/**
 * The operator's cluster-wide views (`spinekv cluster status`, `spinekv cluster transfers`):
 * the asked node combines its own ring and failure-detector view with each member's handoff
 * state, fetched over the cluster port. A member that does not answer is shown as such rather
 * than failing the whole view — at 3 a.m. a partial picture beats none.
 */
import { NET } from '../config.js'
import type { MemberStatus } from '../core/clusterRing.js'
import { ownerCounts } from '../core/ring.js'
import type { KvEnv } from '../kv/env.js'
import type { TransferStatus } from '../node/handoff/transfer.js'
import type { NodeInfo } from '../node/messages.js'
import { toSpineError } from '../shared/errors.js'
import type { NodeAaeStatus } from '../node/antiEntropy/manager.js'

export interface HandoffState {
  hintedKeys: number
  hintedPartitions: number
  transfers: TransferStatus[]
}

/** One member in `status()`; hinted fields are null when the member did not answer. */
export interface MemberView {
  node: string
  status: MemberStatus
  /** The asked node's failure detector: does it hear this member? */
  up: boolean
  /** Whether the member answered this request. */
  reachable: boolean
  partitions: number
  ringPercent: number
  hintedKeys: number | null
  hintedPartitions: number | null
  transfers: number | null
  error?: string
}

export type MembersOf = () => Promise<Array<NodeInfo & { up: boolean; status?: MemberStatus }>>

export interface ClusterStatus {
  node: string
  q: number
  members: MemberView[]
}

export interface ClusterTransfers {
  node: string
  transfers: TransferStatus[]
  /** members that did not answer: their handoffs are not listed */
  unreachable: string[]
}

async function handoffOf(env: KvEnv, node: string): Promise<HandoffState | { error: string }> {
  try {
    return (await env.transport.request(node, { op: 'hstatus' }, NET.memberInfoTimeoutMs)) as HandoffState
  } catch (e) {
    return { error: toSpineError(e).code }
  }
}

export async function clusterStatus(env: KvEnv, members: MembersOf): Promise<ClusterStatus> {
  const ring = env.ring()
  const owned = ownerCounts(ring)
  const list = await members()
  const rows = await Promise.all(
    list.map(async (m): Promise<MemberView> => {
      const h = await handoffOf(env, m.name)
      const partitions = owned.get(m.name) ?? 0
      const base = { node: m.name, status: m.status ?? 'valid', up: m.up, partitions, ringPercent: Math.round((partitions * 1000) / ring.q) / 10 }
      if ('error' in h) return { ...base, reachable: false, hintedKeys: null, hintedPartitions: null, transfers: null, error: h.error }
      return { ...base, reachable: true, hintedKeys: h.hintedKeys, hintedPartitions: h.hintedPartitions, transfers: h.transfers.length }
    }),
  )
  return { node: env.self, q: ring.q, members: rows }
}

export async function clusterTransfers(env: KvEnv, members: MembersOf): Promise<ClusterTransfers> {
  const list = await members()
  const states = await Promise.all(list.map(async (m) => ({ node: m.name, h: await handoffOf(env, m.name) })))
  const transfers = states.flatMap(({ h }) => ('error' in h ? [] : h.transfers))
  const unreachable = states.filter(({ h }) => 'error' in h).map(({ node }) => node)
  return { node: env.self, transfers, unreachable }
}

/** One member's anti-entropy state, or why it is missing. */
export interface MemberAae {
  node: string
  reachable: boolean
  aae?: NodeAaeStatus
  error?: string
}

export interface ClusterAae {
  node: string
  members: MemberAae[]
}

/** `spinekv cluster aae-status`: every member's trees and exchanges, per partition it owns. */
export async function clusterAae(env: KvEnv, members: MembersOf): Promise<ClusterAae> {
  const list = await members()
  const rows = await Promise.all(
    list.map(async (m): Promise<MemberAae> => {
      try {
        return { node: m.name, reachable: true, aae: (await env.transport.request(m.name, { op: 'aaeStatus' }, NET.memberInfoTimeoutMs)) as NodeAaeStatus }
      } catch (e) {
        return { node: m.name, reachable: false, error: toSpineError(e).code }
      }
    }),
  )
  return { node: env.self, members: rows }
}
