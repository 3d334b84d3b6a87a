/**
 * The ring as shared cluster state (Riak's riak_core_ring): members with their status, the owner
 * of each partition, the moves a committed change still has to make, the changes staged for the
 * next plan, and a version. Only the claimant writes it (membership.ts); every other node learns
 * it by gossip and keeps whichever copy is newer (mergeRings), so all nodes converge on one ring.
 * Plain data and pure functions: the simulator and the real nodes share them.
 */
import { claim } from './claim.js'
import { isPowerOfTwo } from './hash.js'
import type { Ring } from './ring.js'
import { RING } from '../config.js'
import { SpineError } from '../shared/errors.js'
import { wireText } from '../shared/wireText.js'

export type MemberStatus = 'joining' | 'valid' | 'leaving' | 'exiting'

export interface Member {
  name: string
  host: string
  /** cluster port */
  port: number
  status: MemberStatus
}

/** A partition changing owner: the old owner streams it to the new one, then the claimant flips it. */
export interface PendingMove {
  partition: number
  from: string
  to: string
}

export type StagedChange =
  | { kind: 'join'; node: string }
  | { kind: 'leave'; node: string }
  | { kind: 'force-remove'; node: string }
  | { kind: 'replace'; node: string; by: string }

export interface ClusterRing {
  q: number
  /** the N the claim spreads replicas for */
  n: number
  version: number
  members: Member[]
  owners: string[]
  next: PendingMove[]
  staged: StagedChange[]
}

function checkQ(q: number): void {
  if (!isPowerOfTwo(q) || q < RING.minPartitions || q > RING.maxPartitions) {
    throw new RangeError(`ring size must be a power of two in ${RING.minPartitions}..${RING.maxPartitions}, got ${q}`)
  }
}

/** A node started without members: a cluster of one that owns every partition. */
export function singleNodeRing(self: Omit<Member, 'status'>, q: number, n: number): ClusterRing {
  checkQ(q)
  return { q, n, version: 1, members: [{ ...self, status: 'valid' }], owners: Array.from({ length: q }, () => self.name), next: [], staged: [] }
}

/** A ring from a static member list (`--members`): every node computes the same one. */
export function staticRing(members: Array<Omit<Member, 'status'>>, q: number, n: number): ClusterRing {
  checkQ(q)
  const sorted = [...members].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({ ...m, status: 'valid' as const }))
  return { q, n, version: 1, members: sorted, owners: claim(sorted.map((m) => m.name), q, n), next: [], staged: [] }
}

/** The routing view the coordinators use: current owners (moves switch only when done). */
export function toRing(cr: ClusterRing): Ring {
  return { q: cr.q, members: cr.members.map((m) => m.name), owners: cr.owners }
}

/** FNV-1a over everything that matters; equal checksums mean the same ring. */
export function clusterRingChecksum(cr: ClusterRing): string {
  const text = JSON.stringify([cr.q, cr.n, cr.version, cr.members, cr.owners, cr.next, cr.staged])
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

/**
 * Gossip's merge: the higher version wins. Two different rings with one version (two claimants
 * for a moment, after a partition) are ordered by checksum, so every node picks the same one.
 */
export function mergeRings(a: ClusterRing, b: ClusterRing): ClusterRing {
  if (a.version !== b.version) return a.version > b.version ? a : b
  return clusterRingChecksum(a) <= clusterRingChecksum(b) ? a : b
}

/** The one member that computes and commits ring changes: the first valid member that is up. */
export function claimantOf(cr: ClusterRing, isUp: (node: string) => boolean): string | undefined {
  return cr.members.find((m) => m.status === 'valid' && isUp(m.name))?.name
}

export function memberOf(cr: ClusterRing, name: string): Member | undefined {
  return cr.members.find((m) => m.name === name)
}

const STATUSES: readonly MemberStatus[] = ['joining', 'valid', 'leaving', 'exiting']
const KINDS = ['join', 'leave', 'force-remove', 'replace'] as const

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function invalid(what: string): never {
  throw new SpineError('INVALID_ARGUMENT', `ring: ${what}`)
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max

/** A ring from the wire (gossip, a command reply): checked field by field, never trusted. */
export function parseClusterRing(v: unknown, maxMembers: number): ClusterRing {
  if (!isRecord(v)) invalid('not a map')
  const { q, n, version, members, owners, next, staged } = v
  if (!isInt(q, RING.minPartitions, RING.maxPartitions) || !isPowerOfTwo(q)) invalid('bad q')
  if (!isInt(n, 1, 64) || !isInt(version, 0, Number.MAX_SAFE_INTEGER)) invalid('bad n or version')
  if (!Array.isArray(members) || members.length < 1 || members.length > maxMembers) invalid('bad members')
  const ms = members.map((m: unknown): Member => {
    if (!isRecord(m) || typeof m.name !== 'string' || typeof m.host !== 'string' || !isInt(m.port, 1, 65535)) invalid('bad member')
    if (!STATUSES.includes(m.status as MemberStatus)) invalid(`bad member status ${wireText(m.status)}`)
    return { name: m.name, host: m.host, port: m.port, status: m.status as MemberStatus }
  })
  const names = new Set(ms.map((m) => m.name))
  if (names.size !== ms.length) invalid('duplicate member')
  if (!Array.isArray(owners) || owners.length !== q || !owners.every((o) => typeof o === 'string' && names.has(o))) invalid('bad owners')
  if (!Array.isArray(next) || !Array.isArray(staged)) invalid('bad next or staged')
  const moves = next.map((x: unknown): PendingMove => {
    if (!isRecord(x) || !isInt(x.partition, 0, q - 1) || typeof x.from !== 'string' || typeof x.to !== 'string' || !names.has(x.to)) invalid('bad move')
    return { partition: x.partition, from: x.from, to: x.to }
  })
  const changes = staged.map((x: unknown): StagedChange => {
    if (!isRecord(x) || !KINDS.includes(x.kind as (typeof KINDS)[number]) || typeof x.node !== 'string') invalid('bad staged change')
    if (x.kind === 'replace') return typeof x.by === 'string' ? { kind: 'replace', node: x.node, by: x.by } : invalid('bad replace')
    return { kind: x.kind as 'join' | 'leave' | 'force-remove', node: x.node }
  })
  return { q, n, version, members: ms, owners: owners as string[], next: moves, staged: changes }
}
