/**
 * The client port's membership operations (`spinekv cluster join|leave|force-remove|replace|
 * plan|commit|clear|ring`), on a real node: staging goes to the claimant through the ring
 * manager; `join` is run on the new node and asks a seed by address, as `riak-admin cluster join`.
 */
import { SpineError, toSpineError } from '../shared/errors.js'
import { clusterRingChecksum, parseClusterRing, type ClusterRing, type Member } from '../core/clusterRing.js'
import { ownerCounts } from '../core/ring.js'
import { toRing } from '../core/clusterRing.js'
import { MEMBERSHIP, NET } from '../config.js'
import type { TcpTransport } from '../net/tcp.js'
import type { Backend } from '../storage/backend.js'
import { isObjectPartition } from './partitionSpace.js'
import type { SpineNode } from './node.js'
import type { RingCommandResult, RingManager } from './ringManager.js'

export interface MembershipOps {
  join(seed: string): Promise<RingCommandResult>
  stage(kind: 'leave' | 'force-remove', node: string): Promise<RingCommandResult>
  replace(node: string, by: string): Promise<RingCommandResult>
  plan(): Promise<RingCommandResult>
  commit(): Promise<RingCommandResult>
  clear(): Promise<RingCommandResult>
  ring(): Promise<RingView>
}

export interface RingView {
  node: string
  version: number
  checksum: string
  q: number
  claimant: string | null
  members: Array<{ node: string; status: string; partitions: number; percent: number }>
  /** max − min partitions over the members that own any */
  balance: number
  pending: ClusterRing['next']
  staged: ClusterRing['staged']
  /** each member's ring checksum (null: did not answer) and whether all agree with this node's */
  agreement: Array<{ node: string; checksum: string | null; version: number | null }>
  agreed: boolean
}

function seedAddress(seed: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(seed)
  const port = m ? Number(m[2]) : NaN
  if (!m || !(port > 0 && port < 65536)) throw new SpineError('INVALID_ARGUMENT', `seed "${seed}" is not HOST:CLUSTER_PORT`)
  return { host: m[1]!, port }
}

export function membershipOps(node: SpineNode, transport: TcpTransport, self: Omit<Member, 'status'>, backend: Backend): MembershipOps {
  const rm = (): RingManager => {
    if (!node.ringManager) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps a static ring')
    return node.ringManager
  }
  return {
    async join(seed) {
      const current = rm().current
      if (current.members.length > 1) throw new SpineError('INVALID_MEMBERSHIP', `${self.name} is already in a cluster of ${current.members.length}`)
      const held = (await backend.partitions()).filter(isObjectPartition)
      if (held.length > 0) throw new SpineError('INVALID_MEMBERSHIP', `${self.name} holds data; only an empty node can join`, { partitions: held.length })
      const address = seedAddress(seed)
      const via = await transport.nameAt(address)
      transport.setPeer(via, address)
      const reply = (await transport.request(via, { op: 'ringCmd', cmd: { cmd: 'join', member: self } }, MEMBERSHIP.commandTimeoutMs)) as { ring?: unknown }
      const ring = parseClusterRing(reply.ring, MEMBERSHIP.maxMembers)
      // The cluster's ring replaces this node's own one-node ring outright (and rewires its peers).
      return { ring: await rm().adopt(ring, true) }
    },
    stage: (kind, target) => rm().command({ cmd: 'stage', change: { kind, node: target } }),
    replace: (target, by) => rm().command({ cmd: 'stage', change: { kind: 'replace', node: target, by } }),
    plan: () => rm().command({ cmd: 'plan' }),
    commit: () => rm().command({ cmd: 'commit' }),
    clear: () => rm().command({ cmd: 'clear' }),
    ring: async () => ringView(node, rm().current),
  }
}

async function ringView(node: SpineNode, cr: ClusterRing): Promise<RingView> {
  const counts = ownerCounts(toRing(cr))
  const owning = cr.members.map((m) => counts.get(m.name) ?? 0).filter((c) => c > 0)
  const checksum = clusterRingChecksum(cr)
  const agreement = await Promise.all(
    cr.members.map(async (m) => {
      try {
        const reply = (await node.env.transport.request(m.name, { op: 'ringGet' }, NET.memberInfoTimeoutMs)) as { ring?: ClusterRing | null }
        return reply.ring ? { node: m.name, checksum: clusterRingChecksum(reply.ring), version: reply.ring.version } : { node: m.name, checksum: null, version: null }
      } catch (e) {
        void toSpineError(e)
        return { node: m.name, checksum: null, version: null }
      }
    }),
  )
  return {
    node: node.name,
    version: cr.version,
    checksum,
    q: cr.q,
    claimant: node.ringManager?.claimant() ?? null,
    members: cr.members.map((m) => ({ node: m.name, status: m.status, partitions: counts.get(m.name) ?? 0, percent: Math.round(((counts.get(m.name) ?? 0) * 1000) / cr.q) / 10 })),
    balance: owning.length ? Math.max(...owning) - Math.min(...owning) : 0,
    pending: cr.next,
    staged: cr.staged,
    agreement,
    agreed: agreement.every((a) => a.checksum === checksum),
  }
}
