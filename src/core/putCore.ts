/**
 * The arithmetic of a quorum write (after riak_kv_put_core). A replica acknowledges once its
 * backend has accepted the write, so one acknowledgement counts toward both W and DW (see
 * docs/decisions.md: a separate pre-storage ack would cost a message per replica and promise
 * nothing a caller can use).
 */
import { SpineError } from '../shared/errors.js'
import { assertReplicaSlot } from './replicaSlot.js'

export interface PutParams {
  n: number
  w: number
  dw: number
  pw: number
  /** Distinct physical nodes that must acknowledge (0: no requirement). */
  nodeConfirms?: number
}

export type PutOutcome = { kind: 'pending' } | { kind: 'ok' } | { kind: 'error'; error: SpineError }

type Code = 'W_UNSATISFIED' | 'DW_UNSATISFIED' | 'PW_UNSATISFIED' | 'NODE_CONFIRMS_UNSATISFIED'

export class PutCore {
  private readonly acks = new Set<number>()
  private readonly fails = new Map<number, string>()

  constructor(
    private readonly p: PutParams,
    private readonly primaries: readonly boolean[],
    /** node per preference-list index, for nodeConfirms (a fallback may share a primary's node) */
    nodes: readonly string[] = [],
  ) {
    this.nodes = [...nodes]
  }

  private readonly nodes: string[]

  /** A pending slot's write was re-sent to another node (a full fallback's stand-in). */
  moveTo(index: number, node: string): void {
    if (!this.known(index)) this.nodes[index] = node
  }

  ack(index: number): void {
    if (this.known(index)) return
    this.acks.add(index)
  }

  fail(index: number, code: string): void {
    if (this.known(index)) return
    this.fails.set(index, code)
  }

  /** A repeat is a late or duplicated reply and is ignored; a slot outside the plan is a bug, so it throws. */
  private known(index: number): boolean {
    assertReplicaSlot(index, this.p.n)
    return this.acks.has(index) || this.fails.has(index)
  }

  allReceived(): boolean {
    return this.acks.size + this.fails.size >= this.p.n
  }

  ackCount(): number {
    return this.acks.size
  }

  outcome(): PutOutcome {
    const acks = this.acks.size
    const primAcks = [...this.acks].filter((i) => this.primaries[i]).length
    const pending = this.p.n - acks - this.fails.size
    const pendingPrim = this.primaries.slice(0, this.p.n).filter((pr, i) => pr && !this.acks.has(i) && !this.fails.has(i)).length
    const confirms = this.p.nodeConfirms ?? 0
    const nodeAcks = this.distinctNodes((i) => this.acks.has(i))
    const nodeReachable = this.distinctNodes((i) => !this.fails.has(i))
    if (acks >= this.p.w && acks >= this.p.dw && primAcks >= this.p.pw && nodeAcks >= confirms) return { kind: 'ok' }
    if (acks + pending < this.p.w) return this.error('W_UNSATISFIED', this.p.w, acks)
    if (acks + pending < this.p.dw) return this.error('DW_UNSATISFIED', this.p.dw, acks)
    if (primAcks + pendingPrim < this.p.pw) return this.error('PW_UNSATISFIED', this.p.pw, primAcks)
    if (nodeReachable < confirms) return this.error('NODE_CONFIRMS_UNSATISFIED', confirms, nodeAcks)
    return { kind: 'pending' }
  }

  /** Distinct nodes among the slots `pick` selects (slots without a node name count as their own). */
  private distinctNodes(pick: (i: number) => boolean): number {
    const seen = new Set<string>()
    for (let i = 0; i < this.p.n; i++) if (pick(i)) seen.add(this.nodes[i] ?? `#${i}`)
    return seen.size
  }

  timeout(timeoutMs: number): PutOutcome {
    return {
      kind: 'error',
      error: new SpineError('TIMEOUT', `write timed out after ${timeoutMs} ms`, {
        timeoutMs,
        required: Math.max(this.p.w, this.p.dw),
        received: this.acks.size,
      }),
    }
  }

  private error(code: Code, required: number, received: number): PutOutcome {
    const name = code === 'NODE_CONFIRMS_UNSATISFIED' ? 'nodeConfirms' : code.split('_')[0]!.toLowerCase()
    return {
      kind: 'error',
      error: new SpineError(code, `${name}=${required} but ${received} replica(s) acknowledged`, {
        required,
        received,
        failures: [...this.fails.values()],
      }),
    }
  }
}
