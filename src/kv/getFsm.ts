/**
 * A quorum read: ask every replica of the (by default sloppy) preference list, answer as soon as GetCore says the
 * read is decided, then (once every replica has answered) repair the stale ones.
 */
import type { SpineError } from '../api/errors.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import { GetCore } from '../core/getCore.js'
import type { KvObject } from '../core/object.js'
import { resolveQuorum } from '../core/quorum.js'
import type { VClock } from '../core/vclock.js'
import type { KvEnv } from './env.js'
import { readRepair } from './readRepair.js'
import { replicaGet } from './replicaCalls.js'
import { primaryFlags, replicaPlan } from './replicaPlan.js'
import { checkTimeout, type ReadOptions } from './request.js'
import { Settle } from './settle.js'

export interface GetResult {
  /** The merged object, including tombstone siblings; undefined when no replica had one. */
  obj: KvObject | undefined
  /** Clock to send back with the next write (also for a deleted key, so a re-create supersedes it). */
  context: VClock
}

export async function kvGet(env: KvEnv, bk: BKey, opts: ReadOptions = {}): Promise<GetResult> {
  env.stats.gets++
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
  const plan = replicaPlan(env, bk, n, opts.sloppyQuorum)
  const pl = plan.pl
  const core = new GetCore(params, primaryFlags(plan))
  for (const i of plan.missing) core.add(i, { kind: 'error', code: 'UNREACHABLE' })
  const settle = new Settle<GetResult>(env.clock, timeoutMs, () => errorOf(core.timeout(timeoutMs)))
  const k = encodeBKey(bk)
  const started = env.clock.now()
  const decide = (): void => {
    const o = core.outcome()
    if (o.kind === 'error') settle.fail(o.error)
    else if (o.kind === 'ok') settle.ok({ obj: o.obj, context: o.obj.clock })
    else if (o.kind === 'notfound') settle.ok({ obj: undefined, context: [] })
  }
  // Unfilled slots alone may already decide the read (PR above the primaries that are up).
  if (plan.missing.length > 0) decide()
  pl.forEach((entry, i) => {
    void replicaGet(env, entry, k, timeoutMs).then((reply) => {
      core.add(i, reply)
      decide()
      if (core.allReceived()) readRepair(env, pl, k, core, params.allowMult, timeoutMs, started)
    })
  })
  return settle.promise
}

function errorOf(o: ReturnType<GetCore['timeout']>): SpineError {
  if (o.kind !== 'error') throw new Error('timeout outcome must be an error')
  return o.error
}
