/**
 * One exchange between two primaries of a preference list (hp, n): this node's vnode `p` and the
 * peer's vnode `peerP`. Root first; if the roots differ, the branches; for the differing branches,
 * their segments; for the differing segments, the keys with their object hashes from both sides.
 * Each key whose hashes differ (or that one side lacks) is repaired the read-repair way: both
 * copies are read, merged (never overwritten), and the merge is sent to each side whose copy is
 * missing or different. At most `maxRepairs` keys per exchange; the rest wait for the next one.
 *
 * Everything runs over the injected transport and clock (the simulator runs it as is).
 */
import { SpineError, toSpineError } from '../../shared/errors.js'
import { decodeBKey } from '../../core/hash.js'
import { sameObject, syncMerge, type KvObject } from '../../core/object.js'
import { encodeObject } from '../../core/objectCodec.js'
import { bytesToU32, differing, type TictacTree } from '../../core/tictacTree.js'
import type { KvEnv } from '../../kv/env.js'
import { replicaGet, replicaMerge } from '../../kv/replicaCalls.js'
import type { ListingLimit, TreeStore } from './treeStore.js'

export interface ExchangeLimits {
  /** Differing branches are compared again after this long; only those that still differ go further. */
  confirmDelayMs: number
  maxRepairsPerExchange: number
  maxSegmentsPerExchange: number
  maxKeysPerListing: number
  /** Bytes of keys one listing holds at most (with maxKeysPerListing: a listing always fits a frame). */
  maxListingBytes: number
  requestTimeoutMs: number
}

export interface ExchangePlan {
  /** this node's vnode */
  p: number
  /** the preference list: first partition and n */
  hp: number
  n: number
  peer: string
  peerP: number
}

export type ExchangeOutcome = 'same' | 'repaired' | 'differs' | 'waiting' | 'failed'

export interface ExchangeResult extends ExchangePlan {
  outcome: ExchangeOutcome
  /** Roots differed but no branch differed twice: writes in flight, not a divergence. */
  inFlight?: boolean
  /** This side's root when the roots were compared (0 before). */
  localRoot: number
  startedAt: number
  endedAt: number
  segments: number
  keysDiffering: number
  repaired: number
  /** Repairs not made because the copies were read too long ago (see readRepair.ts). */
  skipped: number
  error?: string
}

/** Keys one exchange repairs at once (each is two reads and at most two merges). */
const REPAIRS_IN_FLIGHT = 16

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function bad(what: string): never {
  throw new SpineError('INTERNAL', `anti-entropy reply: ${what}`)
}

export async function runExchange(env: KvEnv, store: TreeStore, plan: ExchangePlan, limits: ExchangeLimits): Promise<ExchangeResult> {
  const startedAt = env.clock.now()
  const result: ExchangeResult = { ...plan, outcome: 'same', localRoot: 0, startedAt, endedAt: startedAt, segments: 0, keysDiffering: 0, repaired: 0, skipped: 0 }
  const done = (outcome: ExchangeOutcome, error?: string, inFlight = false): ExchangeResult => ({ ...result, outcome, endedAt: env.clock.now(), ...(error ? { error } : {}), ...(inFlight ? { inFlight: true } : {}) })
  const ask = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const r = await env.transport.request(plan.peer, { ...body, p: plan.peerP, hp: plan.hp, n: plan.n }, limits.requestTimeoutMs)
    return isRecord(r) ? r : bad('not a map')
  }
  try {
    const mine = store.tree(plan.p, plan.hp, plan.n)
    if (!mine) return done('waiting')
    const root = await ask({ op: 'aaeRoot' })
    if (root.built !== true) return done('waiting')
    const shape = root.shape
    if (!Array.isArray(shape) || shape[0] !== mine.shape.branches || shape[1] !== mine.shape.segmentsPerBranch) {
      return done('failed', `peer trees are ${JSON.stringify(shape)}, ours ${mine.shape.branches}x${mine.shape.segmentsPerBranch}`)
    }
    result.localRoot = mine.root
    if (root.root === mine.root) return done('same')
    const segs = await differingSegments(mine, ask, limits.maxSegmentsPerExchange, () => new Promise<void>((r) => env.clock.setTimer(limits.confirmDelayMs, r)))
    if (segs === undefined) return done('waiting')
    result.segments = segs.length
    // Different roots but no branch that differed twice: writes were in flight. Not "same" to
    // the scheduler (segments stays -1), so the list is looked at again soon.
    if (segs.length === 0) return done('same', undefined, true)
    const keys = await differingKeys(store, plan, segs, ask, { keys: limits.maxKeysPerListing, bytes: limits.maxListingBytes })
    result.keysDiffering = keys.length
    const todo = keys.slice(0, limits.maxRepairsPerExchange)
    for (let i = 0; i < todo.length; i += REPAIRS_IN_FLIGHT) {
      for (const r of await Promise.all(todo.slice(i, i + REPAIRS_IN_FLIGHT).map((k) => repairKey(env, plan, k, limits.requestTimeoutMs)))) {
        if (r === 'repaired') result.repaired++
        else if (r === 'skipped') result.skipped++
      }
    }
    return done(keys.length === 0 ? 'differs' : 'repaired')
  } catch (e) {
    return done('failed', toSpineError(e).code)
  }
}

type Ask = (body: Record<string, unknown>) => Promise<Record<string, unknown>>

/**
 * Branches, then the segments of the differing branches; undefined when the peer is rebuilding.
 * Writes in flight make replicas differ for a moment (one has stored a write the other has not
 * yet): so the branches are compared twice, `pause` apart, and only branches that differed both
 * times go on to segments and keys (tictac AAE's double comparison), sparing a fold of both
 * vnodes for a difference that heals by itself.
 */
async function differingSegments(mine: TictacTree, ask: Ask, limit: number, pause: () => Promise<void>): Promise<number[] | undefined> {
  const branchesNow = async (): Promise<number[] | undefined> => {
    const l1 = await ask({ op: 'aaeBranches' })
    if (l1.built !== true) return undefined
    if (!(l1.l1 instanceof Uint8Array)) bad('l1 must be bytes')
    const theirL1 = bytesToU32(l1.l1)
    if (theirL1.length !== mine.level1.length) bad('l1 of another width')
    return differing(mine.level1, theirL1)
  }
  const spb = mine.shape.segmentsPerBranch
  const first = await branchesNow()
  if (!first || first.length === 0) return first
  await pause()
  const second = await branchesNow()
  if (!second) return undefined
  const both = new Set(first)
  const branches = second.filter((b) => both.has(b)).slice(0, Math.max(1, Math.ceil(limit / spb)))
  if (branches.length === 0) return []
  const sr = await ask({ op: 'aaeSegs', b: branches })
  if (sr.built !== true) return undefined
  if (!(sr.segs instanceof Uint8Array)) bad('segs must be bytes')
  const theirs = bytesToU32(sr.segs)
  if (theirs.length !== branches.length * spb) bad('segs of another size')
  const out: number[] = []
  branches.forEach((b, i) => {
    for (const s of differing(mine.branch(b), theirs.subarray(i * spb, (i + 1) * spb))) if (out.length < limit) out.push(b * spb + s)
  })
  return out
}

/** Keys of the differing segments whose hashes differ or that one side lacks, in key order. */
async function differingKeys(store: TreeStore, plan: ExchangePlan, segs: number[], ask: Ask, limit: ListingLimit): Promise<Uint8Array[]> {
  const [local, remote] = await Promise.all([store.keysIn(plan.p, plan.hp, plan.n, new Set(segs), limit), ask({ op: 'aaeKeys', s: segs })])
  if (!Array.isArray(remote.keys)) bad('keys must be a list')
  const theirs = new Map<string, number>()
  for (const pair of remote.keys as unknown[]) {
    if (!Array.isArray(pair) || !(pair[0] instanceof Uint8Array) || typeof pair[1] !== 'number') bad('each key must be [key, hash]')
    theirs.set(Buffer.from(pair[0]).toString('latin1'), pair[1])
  }
  const out = new Map<string, Uint8Array>()
  const ours = new Map<string, number>()
  for (const [k, h] of local) {
    const ks = Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1')
    ours.set(ks, h)
    if (theirs.get(ks) !== h) out.set(ks, k)
  }
  for (const ks of theirs.keys()) if (!ours.has(ks)) out.set(ks, Buffer.from(ks, 'latin1'))
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k)
}

/**
 * Read both copies now, merge, send the merge where it is missing or differs. Like a read repair,
 * a repair whose reads are older than half the reap delay is not sent: a copy read before a delete
 * whose tombstone has since been reaped would bring the value back.
 */
async function repairKey(env: KvEnv, plan: ExchangePlan, k: Uint8Array, timeoutMs: number): Promise<'repaired' | 'same' | 'skipped' | 'failed'> {
  const started = env.clock.now()
  const sides = [
    { node: env.self, partition: plan.p, primary: true },
    { node: plan.peer, partition: plan.peerP, primary: true },
  ]
  const replies = await Promise.all(sides.map((e) => replicaGet(env, e, k, timeoutMs)))
  if (replies.some((r) => r.kind === 'error')) return 'failed'
  const copies = replies.map((r) => (r.kind === 'ok' ? r.obj : undefined))
  const present = copies.filter((c): c is KvObject => c !== undefined)
  if (present.length === 0) return 'same'
  let allowMult = true
  try {
    const bk = decodeBKey(k)
    allowMult = env.props.get(bk.type, bk.bucket).allowMult
  } catch {
    return 'failed'
  }
  const merged = present.reduce((a, b) => syncMerge(a, b, allowMult))
  const stale = sides.filter((_, i) => !copies[i] || !sameObject(copies[i]!, merged))
  if (stale.length === 0) return 'same'
  if (env.clock.now() - started >= env.tombstoneReapDelayMs / 2) return 'skipped'
  const bytes = encodeObject(merged)
  const sent = await Promise.allSettled(stale.map((e) => replicaMerge(env, e, k, bytes, allowMult, timeoutMs)))
  return sent.every((s) => s.status === 'fulfilled') ? 'repaired' : 'failed'
}
