/**
 * Jepsen-style clients. Most operations add a unique element to one of a few set-valued keys by
 * read-modify-write: read, union every sibling's set, add the element, write it back with the
 * read's causal context. With siblings kept and merged by union, no acknowledged element may ever
 * go missing. The rest are plain gets, puts (some blind, without a context) and deletes on other
 * keys. Clients call the node's coordinators directly, as the client port would.
 */
import { SpineError } from '../shared/errors.js'
import { CLIENT } from '../config.js'
import type { BKey } from '../core/hash.js'
import { liveSiblings, type Dot, type KvObject } from '../core/object.js'
import { encodeContext } from '../core/objectCodec.js'
import { kvDelete } from '../kv/deleteFsm.js'
import type { KvEnv } from '../kv/env.js'
import { kvGet, type GetResult } from '../kv/getFsm.js'
import { kvPut } from '../kv/putFsm.js'
import type { History, Op, OpKind } from './history.js'
import type { WorkloadParams } from './params.js'
import type { SeededRandom } from '../core/seededRandom.js'
import type { Scheduler } from './simClock.js'
import type { SimCluster } from './simCluster.js'

/** A coordinator call that has not settled this long after its own timeout is hung: a bug. */
export const HANG_MARGIN_MS = 5_000

/** Refusals that are made before anything is stored: the write certainly did not happen. */
const NOT_APPLIED = new Set(['TOO_MANY_SIBLINGS', 'OBJECT_TOO_LARGE', 'INVALID_ARGUMENT', 'INVALID_QUORUM', 'INVALID_CONTEXT', 'KEY_TOO_LONG', 'VALUE_TOO_LARGE', 'OVERLOADED'])

class NotSent extends Error {}
class Hang extends Error {}

/** One operation in progress; `written` once its write was sent, after which failure is not certain. */
interface Attempt {
  op: Op
  bk: BKey
  timeoutMs: number
  written: boolean
}

export interface KeySet {
  sets: BKey[]
  registers: BKey[]
}

export function keyName(bk: BKey): string {
  return `${bk.bucket}/${bk.key}`
}

export function workloadKeys(p: WorkloadParams): KeySet {
  const make = (bucket: string, prefix: string, count: number): BKey[] =>
    Array.from({ length: count }, (_, i) => ({ type: 'default', bucket, key: `${prefix}${i}` }))
  return { sets: make('sets', 's', p.setKeys), registers: make('regs', 'r', p.registerKeys) }
}

export function valuesOf(obj: KvObject | undefined): string[] {
  return obj ? liveSiblings(obj).map((s) => Buffer.from(s.value).toString('utf8')) : []
}

/** The union of every live sibling's set; a value that is not a set of strings is corrupt. */
export function elementsOf(obj: KvObject | undefined): string[] {
  const out = new Set<string>()
  for (const v of valuesOf(obj)) {
    const parsed: unknown = JSON.parse(v)
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`set value is not a list of strings: ${v}`)
    for (const x of parsed as string[]) out.add(x)
  }
  return [...out].sort()
}

function content(value: string) {
  return { value: Buffer.from(value, 'utf8'), contentType: 'text/plain', meta: {}, deleted: false }
}

function dotOf(obj: KvObject, value: string): Dot | undefined {
  return obj.siblings.find((s) => Buffer.from(s.value).toString('utf8') === value)?.dot
}

export class Workload {
  private issued = 0
  readonly keys: KeySet

  constructor(
    private readonly sched: Scheduler,
    private readonly cluster: SimCluster,
    private readonly rng: SeededRandom,
    private readonly history: History,
    private readonly p: WorkloadParams,
  ) {
    this.keys = workloadKeys(p)
  }

  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.p.clients }, (_, c) => this.client(c + 1)))
  }

  private async client(c: number): Promise<void> {
    while (this.issued < this.p.ops) {
      this.issued++
      await this.sched.sleep(this.rng.exponential(this.p.thinkMeanMs))
      await this.one(c)
    }
  }

  private async one(client: number): Promise<void> {
    const roll = this.rng.next()
    const kind: OpKind = roll < 0.45 ? 'add' : roll < 0.65 ? 'get' : roll < 0.85 ? 'put' : 'delete'
    const bk = kind === 'add' ? this.rng.pick(this.keys.sets) : this.rng.pick(kind === 'get' ? [...this.keys.sets, ...this.keys.registers] : this.keys.registers)
    const op = this.history.begin({ client, node: this.pickNode(), kind, key: keyName(bk), startMs: this.nowMs() })
    const a: Attempt = { op, bk, timeoutMs: this.rng.pick(this.p.timeoutsMs), written: false }
    try {
      await this.perform(a)
      op.outcome = 'ok'
    } catch (e) {
      this.failed(op, e, a.written)
    }
    op.endMs = this.nowMs()
  }

  private perform(a: Attempt): Promise<void> {
    switch (a.op.kind) {
      case 'get':
        return this.get(a)
      case 'add':
        return this.add(a)
      case 'put':
        return this.put(a)
      case 'delete':
        return this.delete(a)
    }
  }

  private async get(a: Attempt): Promise<void> {
    const read = await this.read(a)
    a.op.seen = a.bk.bucket === 'sets' ? elementsOf(read.obj) : valuesOf(read.obj)
  }

  /** Read, union the siblings' sets, add a unique element, write back with the read's context. */
  private async add(a: Attempt): Promise<void> {
    const element = `e${a.op.id}`
    a.op.value = element
    const read = await this.read(a)
    a.op.seen = elementsOf(read.obj)
    await this.write(a, JSON.stringify([...a.op.seen, element].sort()), read)
  }

  private async put(a: Attempt): Promise<void> {
    const value = `v${a.op.id}`
    a.op.value = value
    const blind = this.rng.chance(this.p.blindPutRate)
    const read = blind ? undefined : await this.read(a)
    if (read) a.op.seen = valuesOf(read.obj)
    await this.write(a, value, read)
  }

  private async delete(a: Attempt): Promise<void> {
    const read = await this.read(a)
    a.op.seen = valuesOf(read.obj)
    a.op.context = read.context
    a.written = true
    await this.onNode(a.op.node, a.timeoutMs, (env) => kvDelete(env, a.bk, { context: encodeContext(read.context), timeoutMs: a.timeoutMs }))
  }

  private read(a: Attempt): Promise<GetResult> {
    return this.onNode(a.op.node, a.timeoutMs, (env) => kvGet(env, a.bk, { timeoutMs: a.timeoutMs }))
  }

  private async write(a: Attempt, value: string, read: GetResult | undefined): Promise<void> {
    const context = read ? encodeContext(read.context) : null
    a.op.context = read?.context ?? []
    a.written = true
    const res = await this.onNode(a.op.node, a.timeoutMs, (env) => kvPut(env, { bk: a.bk, content: content(value), opts: { context, timeoutMs: a.timeoutMs } }))
    a.op.dot = dotOf(res.obj, value)
  }

  private failed(op: Op, e: unknown, written: boolean): void {
    if (e instanceof NotSent) {
      op.outcome = 'failed'
      op.error = 'UNREACHABLE'
    } else if (e instanceof Hang) {
      op.outcome = 'unknown'
      op.error = 'HANG'
    } else if (e instanceof SpineError) {
      op.outcome = !written || NOT_APPLIED.has(e.code) ? 'failed' : 'unknown'
      op.error = e.code
    } else {
      // Not a typed refusal: a bug somewhere below; the checkers report it.
      op.outcome = written ? 'unknown' : 'failed'
      op.error = `EXCEPTION ${e instanceof Error ? e.message : String(e)}`
    }
  }

  /**
   * Run a coordinator on a node as its client port would: refused if the node is down, cut off
   * (CONNECTION_CLOSED) if it crashes meanwhile, and reported as hung if it never settles.
   */
  private onNode<T>(node: string, timeoutMs: number, run: (env: KvEnv) => Promise<T>): Promise<T> {
    const inc = this.cluster.incarnation(node)
    if (!inc) return Promise.reject(new NotSent())
    return new Promise<T>((resolve, reject) => {
      const hang = this.sched.at((timeoutMs + HANG_MARGIN_MS) * 1000, () => reject(new Hang()))
      inc.crashed.catch(reject)
      run(inc.node.env).then(
        (v) => {
          hang.cancelled = true
          resolve(v)
        },
        (e: unknown) => {
          hang.cancelled = true
          reject(e)
        },
      )
    })
  }

  /** Like the client library: a node that refuses the connection is skipped for another, a few times. */
  private pickNode(): string {
    let node = this.rng.pick(this.cluster.names)
    for (let i = 0; i < CLIENT.maxRetries && !this.cluster.isUp(node); i++) node = this.rng.pick(this.cluster.names)
    return node
  }

  private nowMs(): number {
    return this.sched.nowUs / 1000
  }
}
