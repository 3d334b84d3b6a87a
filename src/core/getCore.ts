/**
 * The arithmetic of a quorum read, apart from any I/O (after riak_kv_get_core): replies go in,
 * and it says when the read is decided and what the answer is. The get FSM only moves
 * messages and timers around it.
 */
import { SpineError } from '../shared/errors.js'
import { mergeAll, sameObject, type KvObject } from './object.js'
import { assertReplicaSlot } from './replicaSlot.js'

export type ReplicaReply = { kind: 'ok'; obj: KvObject } | { kind: 'notfound' } | { kind: 'error'; code: string }

export interface GetParams {
  n: number
  r: number
  pr: number
  notfoundOk: boolean
  allowMult: boolean
}

export type GetOutcome =
  | { kind: 'pending' }
  | { kind: 'ok'; obj: KvObject }
  | { kind: 'notfound' }
  | { kind: 'error'; error: SpineError }

interface Slot {
  reply: ReplicaReply
  primary: boolean
}

export class GetCore {
  private readonly slots = new Map<number, Slot>()
  /** merged() of the current slots; the answer, repairs() and read repair all ask for it. */
  private mergedCache: { value: KvObject | undefined } | undefined

  /**
   * Slots a request went to. A read asks R replicas first (see src/kv/readWave.ts), so a slot
   * never asked is neither pending nor failed: outcome() decides over the asked ones, and the FSM
   * asks the rest when that is not enough.
   */
  private readonly asked = new Set<number>()

  constructor(
    private readonly p: GetParams,
    /** primary flag per preference-list index */
    private readonly primaries: readonly boolean[],
    /** Slots asked up front; every one of the n when left out. */
    asked?: readonly number[],
  ) {
    for (const i of asked ?? Array.from({ length: p.n }, (_, k) => k)) this.ask(i)
  }

  /** Record that slot `index` was asked. Out-of-range indexes are a caller's bug. */
  ask(index: number): void {
    assertReplicaSlot(index, this.p.n)
    this.asked.add(index)
  }

  /** Some slot has not been asked yet (without building the list: the get FSM asks on every reply). */
  hasUnasked(): boolean {
    return this.asked.size < this.p.n
  }

  /** Slots not asked yet, in order. */
  unasked(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.p.n; i++) if (!this.asked.has(i)) out.push(i)
    return out
  }

  add(index: number, reply: ReplicaReply): void {
    if (this.slots.has(index) || !this.asked.has(index)) return
    this.slots.set(index, { reply, primary: this.primaries[index] ?? false })
    this.mergedCache = undefined
  }

  received(): number {
    return this.slots.size
  }

  /** Every asked slot has answered. */
  askedReceived(): boolean {
    return this.slots.size >= this.asked.size
  }

  /** Every slot of the n has been asked and has answered. */
  allReceived(): boolean {
    return this.slots.size >= this.p.n
  }

  private counts(): { okLike: number; primOkLike: number; ok: number; notfound: number; pendingPrim: number } {
    let ok = 0
    let notfound = 0
    let primOkLike = 0
    for (const { reply, primary } of this.slots.values()) {
      const counts = reply.kind === 'ok' || (reply.kind === 'notfound' && this.p.notfoundOk)
      if (reply.kind === 'ok') ok++
      if (reply.kind === 'notfound') notfound++
      if (counts && primary) primOkLike++
    }
    const okLike = ok + (this.p.notfoundOk ? notfound : 0)
    let pendingPrim = 0
    for (const i of this.asked) if (this.primaries[i] === true && !this.slots.has(i)) pendingPrim++
    return { okLike, primOkLike, ok, notfound, pendingPrim }
  }

  /** The read's answer once it is decided, else pending. */
  outcome(): GetOutcome {
    const c = this.counts()
    const pending = this.asked.size - this.slots.size
    if (c.okLike >= this.p.r && c.primOkLike >= this.p.pr) return this.answer()
    if (c.primOkLike + c.pendingPrim < this.p.pr) {
      return this.fail('PR_UNSATISFIED', this.p.pr, c.primOkLike)
    }
    if (c.okLike + pending < this.p.r) {
      if (!this.p.notfoundOk && c.ok === 0) {
        // With notfound_ok off, R replicas agreeing the key is absent, or every replica saying
        // so, is a plain not found (a missing key read with r=all is not a 503). While only
        // notfounds are in, wait: a later copy would make it R_UNSATISFIED instead.
        const errors = this.received() - c.notfound
        if (c.notfound >= this.p.r || (errors === 0 && pending === 0)) return { kind: 'notfound' }
        if (errors === 0) return { kind: 'pending' }
      }
      return this.fail('R_UNSATISFIED', this.p.r, c.okLike)
    }
    return { kind: 'pending' }
  }

  /** Called when the timer fires before a decision. */
  timeout(timeoutMs: number): GetOutcome {
    const c = this.counts()
    return {
      kind: 'error',
      error: new SpineError('TIMEOUT', `read timed out after ${timeoutMs} ms`, {
        timeoutMs,
        required: this.p.r,
        received: c.okLike,
      }),
    }
  }

  private fail(code: 'R_UNSATISFIED' | 'PR_UNSATISFIED', required: number, received: number): GetOutcome {
    // Decided as soon as R can no longer be met, so replies still in flight are reported too.
    const errors = [...this.slots.values()].filter((s) => s.reply.kind === 'error').length
    const pending = this.asked.size - this.slots.size
    return {
      kind: 'error',
      error: new SpineError(code, `${code === 'R_UNSATISFIED' ? 'r' : 'pr'}=${required} but ${received} replica(s) answered`, {
        required,
        received,
        errors,
        pending,
      }),
    }
  }

  private answer(): GetOutcome {
    const merged = this.merged()
    return merged ? { kind: 'ok', obj: merged } : { kind: 'notfound' }
  }

  /** Syntactic merge of every object seen so far. */
  merged(): KvObject | undefined {
    if (!this.mergedCache) {
      const objs: KvObject[] = []
      for (const { reply } of this.slots.values()) if (reply.kind === 'ok') objs.push(reply.obj)
      this.mergedCache = { value: mergeAll(objs, this.p.allowMult) }
    }
    return this.mergedCache.value
  }

  /**
   * Read repair: the indexes whose copy is missing or differs from the merge of all copies.
   * Replicas that errored are left alone (they may be down; hinted handoff and AAE cover them).
   */
  repairs(): number[] {
    const merged = this.merged()
    if (!merged) return []
    const out: number[] = []
    for (const [i, { reply }] of this.slots) {
      if (reply.kind === 'notfound' || (reply.kind === 'ok' && !sameObject(reply.obj, merged))) out.push(i)
    }
    return out.sort((a, b) => a - b)
  }
}
