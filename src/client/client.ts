/**
 * The embeddable client. It learns the ring from a seed, sends each request straight to a
 * primary of the key's preference list (so the coordinator is a replica and there is no extra
 * hop), and moves to the next node when one cannot be reached.
 */
import { SpineError } from '../shared/errors.js'
import { CLIENT, KV } from '../config.js'
import { partitionOf } from '../core/hash.js'
import type { RpcChannel } from '../net/rpc.js'
import { silentLogger, type Logger } from '../shared/log.js'
import { SystemClock } from '../node/realEnv.js'
import { cutByBytes, sendInParts } from './batches.js'
import { openChannel } from './nodeConnection.js'
import { PatientsClient } from './patients.js'
import { PATIENT_BUCKET, PATIENT_TYPE } from '../patient/storeIndex.js'
import type {
  ClusterStatus,
  ClusterTransfers,
  ConnectOptions,
  DeleteOptions,
  GetOptions,
  GetResult,
  IndexOptions,
  IndexResult,
  PutOptions,
  PutManyItem,
  PutManyOptions,
  PutManyResult,
  PutResult,
  ReplicaView,
  RingView,
  Sibling,
} from './types.js'

type Address = { host: string; port: number }

export function parseAddress(s: string): Address {
  const m = /^(.+):(\d+)$/.exec(s.trim())
  if (!m) throw new SpineError('INVALID_ARGUMENT', `"${s}" is not HOST:PORT`)
  return { host: m[1]!, port: Number(m[2]) }
}

export async function connect(opts: ConnectOptions): Promise<SpineClient> {
  if (!opts.seeds?.length) throw new SpineError('INVALID_ARGUMENT', 'connect needs at least one seed')
  const client = new SpineClient(opts)
  await client.refreshRing()
  return client
}

/** A value as it goes on the wire, with the content type a string or bytes implies unless given. */
/** A putMany item's bytes as sent, near enough to cut requests well inside a frame (field names and headers are the rest). */
function wireBytes(it: { type?: string; bucket: string; key: string; value: Uint8Array; contentType: string; meta?: Record<string, string>; context: Uint8Array | null }): number {
  const utf8 = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'))
  let meta = 0
  for (const [k, v] of Object.entries(it.meta ?? {})) meta += utf8(k) + utf8(v)
  return it.value.byteLength + utf8(it.bucket) + utf8(it.key) + utf8(it.type) + utf8(it.contentType) + (it.context?.byteLength ?? 0) + meta
}

function content(value: Buffer | Uint8Array | string, contentType: string | undefined): { value: Uint8Array; contentType: string } {
  const text = typeof value === 'string'
  return { value: text ? Buffer.from(value, 'utf8') : value, contentType: contentType ?? (text ? 'text/plain' : 'application/octet-stream') }
}

export class SpineClient {
  private readonly clock = new SystemClock()
  private readonly log: Logger = silentLogger()
  private readonly channels = new Map<string, Promise<RpcChannel>>()
  private ringView: RingView | undefined
  private routes: { view: RingView; byPartition: Map<number, Address[]> } | undefined
  private readonly seeds: Address[]
  private nextAny = 0
  /** Patient records, versions and search (PDS-shaped): `kv.patients.get('9434765919')`. */
  readonly patients: PatientsClient

  constructor(private readonly opts: ConnectOptions) {
    this.seeds = opts.seeds.map(parseAddress)
    this.patients = new PatientsClient({
      byKey: (nhs, body, idempotent) => this.route(PATIENT_TYPE, PATIENT_BUCKET, nhs, body, idempotent),
      any: (body, idempotent, timeoutMs) => this.any(body, idempotent, timeoutMs),
    })
  }

  /** Ask the seeds (then any known member) for the ring; NO_SEED_ANSWERED when none does. */
  async refreshRing(): Promise<RingView> {
    const errors: string[] = []
    for (const addr of [...this.seeds, ...this.memberAddresses()]) {
      try {
        this.ringView = (await this.call(addr, { op: 'ring' })) as RingView
        return this.ringView
      } catch (e) {
        errors.push(`${addr.host}:${addr.port}: ${(e as Error).message}`)
      }
    }
    throw new SpineError('NO_SEED_ANSWERED', `no seed answered (${errors.join('; ')})`, { seeds: this.opts.seeds, errors })
  }

  ring(): RingView | undefined {
    return this.ringView
  }

  async get(bucket: string, key: string, o: GetOptions = {}): Promise<GetResult> {
    const opts = { r: o.r, pr: o.pr, notfoundOk: o.notfoundOk, sloppyQuorum: o.sloppyQuorum, timeoutMs: o.timeoutMs ?? this.opts.timeoutMs }
    const reply = (await this.route(o.type, bucket, key, { op: 'get', type: o.type, bucket, key, opts }, true, opts.timeoutMs)) as {
      found: boolean
      siblings: Sibling[]
      context: Buffer | null
    }
    const resolver = o.resolver ?? this.opts.resolver
    const value = reply.siblings.length === 1 ? reply.siblings[0]!.value : reply.siblings.length > 1 && resolver ? resolver(reply.siblings).value : undefined
    return { found: reply.found, siblings: reply.siblings, value, context: reply.context ?? null }
  }

  async put(bucket: string, key: string, value: Buffer | Uint8Array | string, o: PutOptions = {}): Promise<PutResult> {
    const body = {
      op: 'put',
      type: o.type,
      bucket,
      key,
      ...content(value, o.contentType),
      meta: o.meta,
      ...(o.indexes ? { indexes: o.indexes } : {}),
      opts: this.writeOpts(o),
    }
    return (await this.route(o.type, bucket, key, body, false, o.timeoutMs)) as PutResult
  }

  /**
   * Riak's secondary index query: keys whose value has entry `start` in `field` (a `_bin` or
   * `_int` field, `$key` or `$bucket`), or with `end`, a term from start to end. Any node
   * coordinates it over a coverage plan; a read, so retried on another node if one fails.
   */
  async index(bucket: string, field: string, start: string | number, end?: string | number, o: IndexOptions = {}): Promise<IndexResult> {
    const body = {
      op: 'index',
      type: o.type,
      bucket,
      field,
      start: String(start),
      end: end === undefined ? undefined : String(end),
      returnTerms: o.returnTerms,
      maxResults: o.maxResults,
      continuation: o.continuation,
      termRegex: o.termRegex,
      timeoutMs: o.timeoutMs ?? this.opts.timeoutMs,
    }
    return (await this.any(body, true, body.timeoutMs)) as IndexResult
  }

  /**
   * Many writes in one request (a bulk import): each item is a full quorum write judged on its
   * own, and a failed item does not fail the others (KV.maxBatchItems per call; more is refused
   * whole). A call of more than CLIENT.maxBatchBytes of values goes as several requests, one after
   * another (src/client/batches.ts). Not retried on another node once sent: a blind write sent
   * twice would be two siblings.
   */
  async putMany(items: readonly PutManyItem[], o: PutManyOptions = {}): Promise<PutManyResult> {
    const wire = items.map((it) => ({ type: it.type, bucket: it.bucket, key: it.key, ...content(it.value, it.contentType), meta: it.meta, context: it.context ?? null }))
    const opts = this.writeOpts(o)
    const send = async (part: readonly unknown[]) => (await this.any({ op: 'putMany', items: part, opts }, false, o.timeoutMs ?? this.opts.timeoutMs)) as PutManyResult
    // Over the count the node refuses the call whole: sent as it is, never cut into parts it would take.
    if (wire.length > KV.maxBatchItems) return send(wire)
    const r = await sendInParts(cutByBytes(wire, wireBytes, KV.maxBatchItems, CLIENT.maxBatchBytes), send)
    return { stored: r.stored, errors: [...r.errors] }
  }

  async delete(bucket: string, key: string, o: DeleteOptions = {}): Promise<void> {
    const opts = { ...this.writeOpts(o), r: o.r, pr: o.pr }
    await this.route(o.type, bucket, key, { op: 'delete', type: o.type, bucket, key, opts }, false, o.timeoutMs)
  }

  /** Every primary's own copy of a key, unmerged and unrepaired. */
  async replicas(bucket: string, key: string, o: { type?: string } = {}): Promise<ReplicaView[]> {
    return (await this.route(o.type, bucket, key, { op: 'replicas', type: o.type, bucket, key }, true)) as ReplicaView[]
  }

  /** Members, up/down, partitions owned and hinted data held: `spinekv cluster status`. */
  async status(): Promise<ClusterStatus> {
    return (await this.call(this.seeds[0]!, { op: 'status' })) as ClusterStatus
  }

  /** Handoffs running, waiting and blocked across the cluster (or the asked node's with local). */
  async transfers(o: { local?: boolean } = {}): Promise<ClusterTransfers> {
    return (await this.call(this.seeds[0]!, { op: 'transfers', opts: { local: o.local === true } })) as ClusterTransfers
  }

  /**
   * An operator operation on the first seed (`join`, `leave`, `force-remove`, `replace`, `plan`,
   * `commit`, `clear`, `clusterRing`: docs/api.md), as the cluster CLI sends them.
   */
  async admin(op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
    return this.call(this.seeds[0]!, { ...args, op }, timeoutMs)
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled([...this.channels.values()])
    for (const r of all) if (r.status === 'fulfilled') r.value.close(new SpineError('SHUTTING_DOWN', 'client closed'))
    this.channels.clear()
  }

  private writeOpts(o: PutOptions): Record<string, unknown> {
    return { w: o.w, dw: o.dw, pw: o.pw, nodeConfirms: o.nodeConfirms, sloppyQuorum: o.sloppyQuorum, timeoutMs: o.timeoutMs ?? this.opts.timeoutMs, context: o.context ?? null, returnBody: o.returnBody }
  }

  /**
   * Primaries of the key first, then the other members. A write is retried elsewhere only when
   * it could not be sent at all; a read also when its connection dropped mid-request.
   */
  private route(type: string | undefined, bucket: string, key: string, body: unknown, idempotent: boolean, timeoutMs?: number): Promise<unknown> {
    return this.firstAnswer(this.candidates(type ?? 'default', bucket, key), body, idempotent, timeoutMs)
  }

  /** Any member, in turn (work with no home node: searches, bulk loads), moving on as route() does. */
  private any(body: unknown, idempotent: boolean, timeoutMs?: number): Promise<unknown> {
    const members = this.memberAddresses()
    const all = members.length ? members : this.seeds
    const start = this.nextAny++ % all.length
    return this.firstAnswer([...all.slice(start), ...all.slice(0, start)], body, idempotent, timeoutMs)
  }

  /** Ask the nodes in order, at most 1 + maxRetries of them, moving on only when retrying is safe. */
  private async firstAnswer(order: readonly Address[], body: unknown, idempotent: boolean, timeoutMs?: number): Promise<unknown> {
    let last: unknown
    for (const addr of order.slice(0, 1 + (this.opts.maxRetries ?? CLIENT.maxRetries))) {
      try {
        return await this.call(addr, body, timeoutMs)
      } catch (e) {
        last = e
        const code = e instanceof SpineError ? e.code : undefined
        const retry = code === 'UNREACHABLE' || (idempotent && code === 'CONNECTION_CLOSED')
        if (!retry) throw e
      }
    }
    throw last
  }

  private candidates(type: string, bucket: string, key: string): Address[] {
    const ring = this.ringView
    if (!ring || this.opts.routing === 'seed') return this.seeds.slice(0, 1)
    const p = partitionOf({ type, bucket, key }, ring.q)
    // Built once per partition and ring view (a refresh replaces the view): every request asked
    // for its partition's list, and building it was the client's largest item after msgpack.
    if (this.routes?.view !== ring) this.routes = { view: ring, byPartition: new Map() }
    let order = this.routes.byPartition.get(p)
    if (!order) this.routes.byPartition.set(p, (order = this.orderFor(ring, p)))
    return order
  }

  /** Members in preference-list order from partition p, those up first; the seeds without a ring. */
  private orderFor(ring: RingView, p: number): Address[] {
    const byName = new Map(ring.members.filter((m) => m.clientPort > 0).map((m) => [m.name, m]))
    const order: string[] = []
    for (let k = 0; k < ring.q && order.length < byName.size; k++) {
      const owner = ring.owners[(p + k) % ring.q]!
      if (!order.includes(owner) && byName.has(owner)) order.push(owner)
    }
    const up = order.filter((n) => byName.get(n)!.up)
    const down = order.filter((n) => !byName.get(n)!.up)
    const addrs = [...up, ...down].map((n) => ({ host: byName.get(n)!.host, port: byName.get(n)!.clientPort }))
    return addrs.length ? addrs : this.seeds
  }

  private memberAddresses(): Address[] {
    return (this.ringView?.members ?? []).filter((m) => m.clientPort > 0).map((m) => ({ host: m.host, port: m.clientPort }))
  }

  private async call(addr: Address, body: unknown, timeoutMs?: number): Promise<unknown> {
    const id = `${addr.host}:${addr.port}`
    let ch = this.channels.get(id)
    if (!ch) {
      ch = openChannel(addr.host, addr.port, this.opts.connectTimeoutMs ?? CLIENT.connectTimeoutMs, this.clock, this.log)
      this.channels.set(id, ch)
    }
    let channel: RpcChannel
    try {
      channel = await ch
    } catch (e) {
      this.channels.delete(id)
      throw e
    }
    if (channel.closed) {
      this.channels.delete(id)
      return this.call(addr, body, timeoutMs)
    }
    // The coordinator enforces the operation's timeout; the client waits a little longer for its answer.
    return channel.request(body, (timeoutMs ?? this.opts.timeoutMs ?? KV.defaultTimeoutMs) + CLIENT.replyGraceMs)
  }
}
