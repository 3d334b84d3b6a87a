/**
 * A quorum read: ask R replicas of the (by default sloppy) preference list first (readWave.ts),
 * the rest when those fail, disagree or are slow; answer as soon as GetCore says the read is
 * decided, then (once every replica asked has answered) repair the stale ones.
 */
import type { SpineError } from '../shared/errors.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import { GetCore, type ReplicaReply } from '../core/getCore.js'
import type { KvObject } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { resolveQuorum } from '../core/quorum.js'
import type { TimerHandle } from '../core/env.js'
import type { VClock } from '../core/vclock.js'
import { KV } from '../config.js'
import type { KvEnv } from './env.js'
import { readRepair } from './readRepair.js'
import { replicaGet } from './replicaCalls.js'
import { primaryFlags, replicaPlan } from './replicaPlan.js'
import { cachedFirstWave } from './readWave.js'
import { checkTimeout, type ReadOptions } from './request.js'
import { Settle } from './settle.js'
import { timed } from './opTimes.js'

export interface GetResult {
  /** The merged object, including tombstone siblings; undefined when no replica had one. */
  obj: KvObject | undefined
  /** Clock to send back with the next write (also for a deleted key, so a re-create supersedes it). */
  context: VClock
}

export async function kvGet(env: KvEnv, bk: BKey, opts: ReadOptions = {}): Promise<GetResult> {
  env.stats.gets++
  return timed(env.stats, 'get', () => env.clock.now(), () => getOnce(env, bk, opts))
}

async function getOnce(env: KvEnv, bk: BKey, opts: ReadOptions): Promise<GetResult> {
  const props = env.props.get(bk.type, bk.bucket)
  const n = props.n
  const params = {
    n,
    r: resolveQuorum('r', opts.r ?? 'default', props.r, n, 1),
    pr: resolveQuorum('pr', opts.pr ?? 'default', props.pr, n, 0),
    notfoundOk: opts.notfoundOk ?? props.notfoundOk,
    allowMult: props.allowMult,
  }
  const timeoutMs = checkTimeout(opts.timeoutMs)
  const k = encodeBKey(bk)
  const plan = replicaPlan(env, bk, n, opts.sloppyQuorum, k)
  const pl = plan.pl
  const wave = cachedFirstWave(pl, env.self, Math.max(params.r, params.pr), props.readFanout)
  const core = new GetCore(params, primaryFlags(plan), plan.missing.length === 0 ? wave : [...wave, ...plan.missing])
  for (const i of plan.missing) core.add(i, { kind: 'error', code: 'UNREACHABLE' })
  const settle = new Settle<GetResult>(env.clock, timeoutMs, () => errorOf(core.timeout(timeoutMs)))
  const decode = decodeOnce()
  const started = env.clock.now()
  const ask = (i: number): void => {
    core.ask(i)
    void replicaGet(env, pl[i]!, k, timeoutMs, decode).then((reply) => onReply(i, reply))
  }
  // Asks every replica not asked yet; once only, from whichever reason comes first.
  let escalation: TimerHandle | undefined
  const escalate = (): void => {
    if (escalation !== undefined) env.clock.clearTimer(escalation)
    escalation = undefined
    const rest = core.unasked()
    if (rest.length > 0) env.stats.readEscalations++
    for (const i of rest) ask(i)
  }
  const decide = (): void => {
    const o = core.outcome()
    if (o.kind === 'pending') return
    if (o.kind === 'error' && core.hasUnasked()) return escalate()
    if (escalation !== undefined) env.clock.clearTimer(escalation)
    escalation = undefined
    if (o.kind === 'error') settle.fail(o.error)
    else if (o.kind === 'ok') settle.ok({ obj: o.obj, context: o.obj.clock })
    else settle.ok({ obj: undefined, context: [] })
  }
  const onReply = (i: number, reply: ReplicaReply): void => {
    core.add(i, reply)
    decide()
    if (!core.askedReceived()) return
    // Copies that disagree: read the rest too, so read repair settles all N, not just those asked.
    if (core.hasUnasked() && core.repairs().length > 0) return escalate()
    if (!core.hasUnasked()) readRepair(env, pl, k, core, params.allowMult, timeoutMs, started)
  }
  if (core.hasUnasked()) escalation = env.clock.setTimer(KV.readEscalateMs, escalate)
  // Unfilled slots alone may already decide the read (PR above the primaries that are up).
  if (plan.missing.length > 0) decide()
  for (const i of wave) ask(i)
  return settle.promise
}

/**
 * Replicas in step hold the same bytes (a coordinated write is stored as it was encoded), so a
 * copy equal to one already decoded is that object: one decode per read instead of one per
 * replica, and mergeAll then has a single object to merge.
 */
function decodeOnce(): (raw: Uint8Array) => KvObject {
  const seen: Array<{ raw: Uint8Array; obj: KvObject }> = []
  return (raw) => {
    for (const s of seen) if (Buffer.compare(s.raw, raw) === 0) return s.obj
    const obj = decodeObject(raw)
    seen.push({ raw, obj })
    return obj
  }
}

function errorOf(o: ReturnType<GetCore['timeout']>): SpineError {
  if (o.kind !== 'error') throw new Error('timeout outcome must be an error')
  return o.error
}
