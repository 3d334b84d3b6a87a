/**
 * Staged membership changes, Riak style: `join`/`leave`/`force-remove`/`replace` are staged on
 * the claimant, `plan` shows the ring they lead to and every partition that would move, and
 * `commit` applies them. A committed move keeps the old owner serving until it has streamed the
 * partition to the new owner (completeMove then flips it), so reads never lose sight of data.
 * Every function returns a new ring with a higher version; errors are typed for the CLI.
 */
import { SpineError } from '../shared/errors.js'
import { memberOf, type ClusterRing, type Member, type PendingMove, type StagedChange } from './clusterRing.js'
import { reclaim } from './reclaim.js'

function bad(message: string, data: Record<string, unknown> = {}): never {
  throw new SpineError('INVALID_MEMBERSHIP', message, data)
}

function bump(cr: ClusterRing, patch: Partial<ClusterRing>): ClusterRing {
  return { ...cr, ...patch, version: cr.version + 1 }
}

/** Stage a join: the node enters the member list as joining (it owns nothing until a commit). */
export function stageJoin(cr: ClusterRing, node: Omit<Member, 'status'>): ClusterRing {
  const existing = memberOf(cr, node.name)
  if (existing && existing.status !== 'joining') bad(`${node.name} is already a member (${existing.status})`, { node: node.name })
  if (existing) return cr.staged.some((s) => s.node === node.name) ? cr : bump(cr, { staged: [...cr.staged, { kind: 'join', node: node.name }] })
  const members = [...cr.members, { ...node, status: 'joining' as const }].sort((a, b) => (a.name < b.name ? -1 : 1))
  return bump(cr, { members, staged: [...cr.staged, { kind: 'join', node: node.name }] })
}

export function stage(cr: ClusterRing, change: Exclude<StagedChange, { kind: 'join' }>): ClusterRing {
  const m = memberOf(cr, change.node)
  if (!m) bad(`${change.node} is not a member`, { node: change.node })
  if (cr.staged.some((s) => s.node === change.node)) bad(`a change for ${change.node} is already staged`, { node: change.node })
  if (m.status !== 'valid') bad(`${change.node} is ${m.status}, not valid`, { node: change.node, status: m.status })
  if (change.kind === 'replace') {
    const by = memberOf(cr, change.by)
    if (!by || by.status !== 'joining') bad(`replace needs ${change.by} to have joined first (it is ${by?.status ?? 'not a member'})`, { node: change.by })
  }
  const remaining = cr.members.filter((x) => x.status === 'valid' && !cr.staged.some((s) => s.node === x.name && s.kind !== 'join'))
  if (change.kind !== 'replace' && remaining.length <= 1) bad('the last valid member cannot leave', { node: change.node })
  return bump(cr, { staged: [...cr.staged, change] })
}

/** Drop every staged change (joined nodes stay in the list as joining, owning nothing). */
export function clearStaged(cr: ClusterRing): ClusterRing {
  return cr.staged.length === 0 ? cr : bump(cr, { staged: [] })
}

export interface Plan {
  /** the members and their status once committed */
  members: Member[]
  /** owners once every move is done */
  owners: string[]
  moves: PendingMove[]
  /** partitions force-removed nodes held: reassigned at once, their data is not copied */
  reassigned: PendingMove[]
}

/** The ring the staged changes lead to and the moves they imply (nothing is changed). */
export function plan(cr: ClusterRing): Plan {
  if (cr.next.length > 0) bad('a committed change is still moving partitions; wait for transfers to finish', { moves: cr.next.length })
  const statusOf = new Map(cr.members.map((m) => [m.name, m.status]))
  const removed = new Set<string>()
  const replaced = new Map<string, string>()
  for (const s of cr.staged) {
    if (s.kind === 'join') statusOf.set(s.node, 'valid')
    if (s.kind === 'leave') statusOf.set(s.node, 'leaving')
    if (s.kind === 'force-remove') removed.add(s.node)
    if (s.kind === 'replace') {
      statusOf.set(s.node, 'leaving')
      statusOf.set(s.by, 'valid')
      replaced.set(s.node, s.by)
    }
  }
  const members = cr.members.filter((m) => !removed.has(m.name)).map((m) => ({ ...m, status: statusOf.get(m.name)! }))
  const owning = members.filter((m) => m.status === 'valid').map((m) => m.name)
  // A replacement takes exactly the old node's partitions; everything else is claimed anew.
  const direct = cr.owners.map((o) => replaced.get(o) ?? o)
  const onlyReplacements = cr.staged.every((s) => s.kind === 'replace' || (s.kind === 'join' && isReplacement(cr, s.node)))
  const owners = onlyReplacements ? direct : reclaim(direct, owning, cr.n)
  const moves: PendingMove[] = []
  const reassigned: PendingMove[] = []
  owners.forEach((to, partition) => {
    const from = cr.owners[partition]!
    if (from === to) return
    ;(removed.has(from) ? reassigned : moves).push({ partition, from, to })
  })
  return { members, owners, moves, reassigned }
}

function isReplacement(cr: ClusterRing, node: string): boolean {
  return cr.staged.some((s) => s.kind === 'replace' && s.by === node)
}

/** Apply the plan: statuses change now, partitions move as their transfers finish. */
export function commit(cr: ClusterRing): ClusterRing {
  if (cr.staged.length === 0) bad('nothing is staged')
  const p = plan(cr)
  const owners = [...cr.owners]
  for (const r of p.reassigned) owners[r.partition] = r.to
  return exitIdle(bump(cr, { members: p.members, owners, next: p.moves, staged: [] }))
}

/** A move's transfer finished: the new owner owns the partition from this version on. */
export function completeMove(cr: ClusterRing, move: PendingMove): ClusterRing {
  const i = cr.next.findIndex((m) => m.partition === move.partition && m.from === move.from && m.to === move.to)
  if (i < 0) return cr
  const owners = [...cr.owners]
  owners[move.partition] = move.to
  return exitIdle(bump(cr, { owners, next: cr.next.filter((_, k) => k !== i) }))
}

/** A leaving node that owns nothing and has nothing left to move becomes exiting. */
function exitIdle(cr: ClusterRing): ClusterRing {
  const idle = (name: string) => !cr.owners.includes(name) && !cr.next.some((m) => m.from === name)
  const members = cr.members.map((m) => (m.status === 'leaving' && idle(m.name) ? { ...m, status: 'exiting' as const } : m))
  return { ...cr, members }
}

/** An exiting node has handed everything off and is shutting down: it leaves the ring. */
export function removeExited(cr: ClusterRing, node: string): ClusterRing {
  const m = memberOf(cr, node)
  if (!m || m.status !== 'exiting') return cr
  return bump(cr, { members: cr.members.filter((x) => x.name !== node) })
}
