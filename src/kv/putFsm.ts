/**
 * A quorum write. The coordinating vnode (a primary or fallback on this node) applies the write and gives it
 * a dot; the resulting object is then merged into the other replicas, and PutCore says when
 * W/DW/PW are met. A node outside the key's (sloppy) preference list forwards the write to an entry of it,
 * because only a replica may mint the dot.
 */
import { SpineError, toSpineError } from '../shared/errors.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import type { KvObject, SiblingContent } from '../core/object.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import { PutCore } from '../core/putCore.js'
import { resolveQuorum } from '../core/quorum.js'
import type { PrefEntry } from '../core/ring.js'
import type { VClock } from '../core/vclock.js'
import type { KvEnv } from './env.js'
import { replicaCoordinate, replicaMerge } from './replicaCalls.js'
import { checkTimeout, type WriteOptions } from './request.js'
import { Settle } from './settle.js'
import { encodeForward, type PutRequest } from './forward.js'
import { scheduleReap } from './reaper.js'
import { primaryFlags, replicaPlan } from './replicaPlan.js'
import { timed } from './opTimes.js'

export interface PutResult {
  obj: KvObject
  context: VClock
}

export interface Plan {
  pl: PrefEntry[]
  /** slots with no replica to ask (see replicaPlan.ts): failed before the write starts */
  missing: number[]
  spares: string[]
  primaries: readonly boolean[]
  coordIndex: number
  params: { n: number; w: number; dw: number; pw: number; nodeConfirms: number }
  allowMult: boolean
  timeoutMs: number
}

export function plan(env: KvEnv, bk: BKey, opts: WriteOptions): Plan {
  const props = env.props.get(bk.type, bk.bucket)
  const n = props.n
  const params = {
    n,
    w: resolveQuorum('w', opts.w ?? 'default', props.w, n, 1),
    dw: resolveQuorum('dw', opts.dw ?? 'default', props.dw, n, 0),
    pw: resolveQuorum('pw', opts.pw ?? 'default', props.pw, n, 0),
    nodeConfirms: resolveQuorum('nodeConfirms', opts.nodeConfirms ?? 'default', 0, n, 0),
  }
  const rp = replicaPlan(env, bk, n, opts.sloppyQuorum)
  // The coordinating vnode may be a fallback: any entry on this node can mint the dot, but a
  // primary's is preferred, as a fallback's actor is retired each time it hands a key home.
  const own = rp.pl.findIndex((e) => e.node === env.self && e.primary)
  const coordIndex = own >= 0 ? own : rp.pl.findIndex((e) => e.node === env.self)
  return { ...rp, primaries: primaryFlags(rp), coordIndex, params, allowMult: props.allowMult, timeoutMs: checkTimeout(opts.timeoutMs) }
}

export function contextOf(opts: WriteOptions): VClock {
  if (!opts.context || opts.context.byteLength === 0) return []
  try {
    return decodeContext(opts.context)
  } catch {
    throw new SpineError('INVALID_CONTEXT', 'the causal context does not decode')
  }
}

export async function kvPut(env: KvEnv, req: PutRequest, forwarded = false): Promise<PutResult> {
  env.stats.puts++
  return timed(env.stats, 'put', () => env.clock.now(), () => putOnce(env, req, forwarded))
}

async function putOnce(env: KvEnv, req: PutRequest, forwarded: boolean): Promise<PutResult> {
  const p = plan(env, req.bk, req.opts)
  const context = contextOf(req.opts)
  if (p.coordIndex < 0) {
    if (forwarded) throw new SpineError('NOT_OWNER', 'forwarded write reached a node outside the preference list')
    return forward(env, req, p)
  }
  const content: SiblingContent = { ...req.content, lastModified: env.clock.now() }
  return coordinate(env, req.bk, p, context, content)
}

async function coordinate(env: KvEnv, bk: BKey, p: Plan, context: VClock, content: SiblingContent): Promise<PutResult> {
  const core = new PutCore(p.params, p.primaries, p.pl.map((e) => e.node))
  for (const i of p.missing) core.fail(i, 'UNREACHABLE')
  const settle = new Settle<PutResult>(env.clock, p.timeoutMs, () => errorOf(core.timeout(p.timeoutMs)))
  // The timeout may fire while the coordinating vnode is still writing, before the caller holds
  // the promise: mark it handled here (the caller still receives the rejection).
  settle.promise.catch(() => undefined)
  const k = encodeBKey(bk)
  const coordEntry = p.pl[p.coordIndex]!
  // Resolves once every replica answered: true when all N acknowledged (tombstones reap only then).
  let allAckedResolve!: (v: boolean) => void
  const allAcked = new Promise<boolean>((r) => (allAckedResolve = r))
  const bytes = await replicaCoordinate(env, coordEntry, k, context, content, p.allowMult, p.timeoutMs).catch((e: unknown) => {
    settle.fail(toSpineError(e))
    return undefined
  })
  if (!bytes) return settle.promise
  const obj = decodeObject(bytes)
  const check = (): void => {
    const o = core.outcome()
    if (o.kind === 'ok') settle.ok({ obj, context: obj.clock })
    else if (o.kind === 'error') settle.fail(o.error)
    // Tombstones reap only when every primary holds one: a fallback's copy must reach home first.
    if (core.allReceived()) allAckedResolve(core.ackCount() === p.params.n && p.primaries.every(Boolean))
  }
  if (content.deleted) {
    void allAcked.then((all) => {
      if (all) scheduleReap(env, p.pl, k, obj.clock, env.tombstoneReapDelayMs)
    })
  }
  core.ack(p.coordIndex)
  check()
  const spares = [...p.spares]
  p.pl.forEach((entry, i) => {
    if (i === p.coordIndex) return
    replicate(env, entry, k, bytes, p, spares, core, i).then(
      () => core.ack(i),
      (e: unknown) => core.fail(i, toSpineError(e).code),
    ).finally(check)
  })
  return settle.promise
}

/** One slot's copy; a fallback whose hinted store is full passes its slot to the next spare. */
export async function replicate(env: KvEnv, entry: PrefEntry, k: Uint8Array, bytes: Uint8Array, p: Plan, spares: string[], core: PutCore, i: number): Promise<void> {
  try {
    await replicaMerge(env, entry, k, bytes, p.allowMult, p.timeoutMs)
  } catch (e) {
    const err = toSpineError(e)
    const next = spares.shift()
    if (entry.primary || err.code !== 'HINTED_STORE_FULL' || next === undefined) throw err
    core.moveTo(i, next)
    return replicate(env, { ...entry, node: next }, k, bytes, p, spares, core, i)
  }
}

/** Hand the whole write to the first primary that answers; its result is ours. */
async function forward(env: KvEnv, req: PutRequest, p: Plan): Promise<PutResult> {
  env.stats.forwarded++
  // timeoutMs is for the whole write: a primary that fails slowly must not give the next a fresh budget.
  const started = env.clock.now()
  let last: SpineError = new SpineError('UNREACHABLE', 'no primary of the key could be reached')
  for (const entry of p.pl) {
    const remaining = p.timeoutMs - (env.clock.now() - started)
    if (remaining < 1) throw new SpineError('TIMEOUT', `write timed out after ${p.timeoutMs} ms`, { timeoutMs: p.timeoutMs })
    try {
      const budget = { ...req, opts: { ...req.opts, timeoutMs: remaining } }
      const reply = await env.transport.request(entry.node, { op: 'kvput', req: encodeForward(budget) }, remaining)
      const obj = decodeObject((reply as { o: Uint8Array }).o)
      return { obj, context: obj.clock }
    } catch (e) {
      last = toSpineError(e)
      // NOT_OWNER: that node's failure detector sees a different list; another entry may accept.
      if (last.code !== 'UNREACHABLE' && last.code !== 'CONNECTION_CLOSED' && last.code !== 'NOT_OWNER') throw last
    }
  }
  throw last
}

function errorOf(o: ReturnType<PutCore['timeout']>): SpineError {
  if (o.kind !== 'error') throw new Error('timeout outcome must be an error')
  return o.error
}
