/**
 * A batched quorum write, for bulk loads. Every item is the write kvPut makes — a dot minted by a
 * coordinating vnode on this node, the resulting object merged into the other replicas, W/DW/PW
 * judged per item by PutCore — but carried as one message per node and batch instead of one per
 * key per replica, so a load pays the per-message costs (framing, a promise chain, a socket
 * write, a lock hand-off) once per batch; the storage layer already gathers one turn's reads and
 * writes into one getMany and one LevelDB batch.
 *
 * Unlike kvPut it answers once every replica has answered or timed out, not as soon as W have:
 * a load that ran ahead of a slow replica would pile writes onto it without bound, and waiting is
 * the back-pressure that stops that.
 */
import { SpineError, toSpineError, type WireError } from '../shared/errors.js'
import { KV } from '../config.js'
import { encodeBKey } from '../core/hash.js'
import { PutCore } from '../core/putCore.js'
import type { PrefEntry } from '../core/ring.js'
import type { KvEnv } from './env.js'
import type { PutRequest } from './forward.js'
import { contextOf, kvPut, plan, replicate, type Plan } from './putFsm.js'
import { chunksOf } from './batchChunks.js'

export type PutManyOutcome = { ok: true } | { ok: false; error: SpineError }

/** One item of a batch that was not stored: its position in the caller's batch, and why. */
export interface BatchItemError {
  index: number
  code: string
  message: string
}

/**
 * A batch's answer to its caller: how many were stored, and every failure (those refused before
 * writing, `refused`, and those kvPutMany reported, mapped back through `indexes`) by position.
 */
export function batchReport(indexes: readonly number[], outcomes: readonly PutManyOutcome[], refused: BatchItemError[]): { stored: number; errors: BatchItemError[] } {
  let stored = 0
  const errors = [...refused]
  outcomes.forEach((o, k) => {
    if (o.ok) stored++
    else errors.push({ index: indexes[k]!, code: o.error.code, message: o.error.message })
  })
  errors.sort((a, b) => a.index - b.index)
  return { stored, errors }
}

interface Item {
  index: number
  req: PutRequest
  plan: Plan
  key: Uint8Array
  /** The caller's causal context as it came (checked to decode), or null for none. */
  context: Uint8Array | null
  core: PutCore
  /** Fallback nodes left to try, per item, when a fallback's hinted store is full. */
  spares: string[]
  /** The coordinated object, once its vnode has stored it. */
  bytes?: Uint8Array
}

type Coordinated = Item & { bytes: Uint8Array }

function isCoordinated(it: Item): it is Coordinated {
  return it.bytes !== undefined
}

/** Per request, in order: stored (the write met its quorum) or the error that stopped it. */
export async function kvPutMany(env: KvEnv, reqs: readonly PutRequest[]): Promise<PutManyOutcome[]> {
  if (reqs.length > KV.maxBatchItems) {
    throw new SpineError('INVALID_ARGUMENT', `a batched put carries at most ${KV.maxBatchItems} writes`, { items: reqs.length, max: KV.maxBatchItems })
  }
  const out: PutManyOutcome[] = new Array<PutManyOutcome>(reqs.length)
  const items: Item[] = []
  const forwarded: Promise<void>[] = []
  reqs.forEach((req, index) => {
    try {
      if (req.content.deleted) throw new SpineError('INVALID_ARGUMENT', 'a batched put cannot delete: delete each key')
      const p = plan(env, req.bk, req.opts)
      // Only a replica may mint the dot: a key this node holds no replica of goes the single way.
      if (p.coordIndex < 0) return void forwarded.push(settleOne(kvPut(env, req), out, index))
      env.stats.puts++
      items.push(newItem(index, req, p))
    } catch (e) {
      out[index] = { ok: false, error: toSpineError(e) }
    }
  })
  await Promise.all([coordinateAll(env, items, out), ...forwarded])
  return out
}

function newItem(index: number, req: PutRequest, p: Plan): Item {
  const core = new PutCore(p.params, p.primaries, p.pl.map((e) => e.node))
  for (const i of p.missing) core.fail(i, 'UNREACHABLE')
  // Decoded only to refuse a bad one here, as kvPut does; the vnode decodes the bytes it is sent.
  const context = contextOf(req.opts).length > 0 ? (req.opts.context ?? null) : null
  return { index, req, plan: p, key: encodeBKey(req.bk), context, core, spares: [...p.spares] }
}

async function settleOne(put: Promise<unknown>, out: PutManyOutcome[], index: number): Promise<void> {
  try {
    await put
    out[index] = { ok: true }
  } catch (e) {
    out[index] = { ok: false, error: toSpineError(e) }
  }
}

async function coordinateAll(env: KvEnv, items: Item[], out: PutManyOutcome[]): Promise<void> {
  if (items.length === 0) return
  const started = env.clock.now()
  const timeoutMs = Math.min(...items.map((it) => it.plan.timeoutMs))
  await Promise.all(chunksOf(items, (it) => it.key.byteLength + it.req.content.value.byteLength).map((chunk) => coordinateChunk(env, chunk, timeoutMs, out)))
  const coordinated = items.filter(isCoordinated)
  const remaining = Math.max(1, timeoutMs - (env.clock.now() - started))
  await Promise.all(replicaSends(coordinated).map(([node, slots]) => replicateTo(env, node, slots, remaining)))
  for (const it of coordinated) out[it.index] = outcomeOf(it, timeoutMs)
}

/** The coordinating writes of one chunk, on this node's vnodes; a write refused there fails as kvPut's would. */
async function coordinateChunk(env: KvEnv, chunk: Item[], timeoutMs: number, out: PutManyOutcome[]): Promise<void> {
  const now = env.clock.now()
  const body = {
    op: 'vcoordMany',
    items: chunk.map((it) => ({
      p: it.plan.pl[it.plan.coordIndex]!.partition,
      k: it.key,
      ctx: it.context,
      c: { ...it.req.content, lastModified: now },
      am: it.plan.allowMult,
    })),
    sync: env.syncWrites,
  }
  const replies = await itemReplies(env, env.self, body, chunk.length, timeoutMs)
  chunk.forEach((it, k) => {
    const r = replies[k]!
    if (r instanceof SpineError) return void (out[it.index] = { ok: false, error: r })
    if (!(r instanceof Uint8Array)) return void (out[it.index] = { ok: false, error: new SpineError('INTERNAL', 'coordinating vnode returned no object') })
    it.bytes = r
    it.core.ack(it.plan.coordIndex)
  })
}

type Slot = { item: Coordinated; slot: number }

/** Each coordinated item's other replicas, grouped by the node that holds them. */
function replicaSends(items: Coordinated[]): Array<[string, Slot[]]> {
  const byNode = new Map<string, Slot[]>()
  for (const item of items) {
    item.plan.pl.forEach((entry, slot) => {
      if (slot === item.plan.coordIndex || item.plan.missing.includes(slot)) return
      let list = byNode.get(entry.node)
      if (!list) byNode.set(entry.node, (list = []))
      list.push({ item, slot })
    })
  }
  return [...byNode]
}

async function replicateTo(env: KvEnv, node: string, slots: Slot[], timeoutMs: number): Promise<void> {
  const chunks = chunksOf(slots, (s) => s.item.key.byteLength + s.item.bytes.byteLength)
  await Promise.all(
    chunks.map(async (chunk) => {
      const body = {
        op: 'vputMany',
        items: chunk.map(({ item, slot }) => ({ p: item.plan.pl[slot]!.partition, k: item.key, o: item.bytes, am: item.plan.allowMult })),
        sync: env.syncWrites,
      }
      const replies = await itemReplies(env, node, body, chunk.length, timeoutMs)
      await Promise.all(chunk.map((s, k) => slotAnswered(env, s, replies[k]!)))
    }),
  )
}

/** A replica's answer for one item; a fallback whose hinted store is full passes the slot to a spare, as kvPut does. */
async function slotAnswered(env: KvEnv, { item, slot }: Slot, r: unknown): Promise<void> {
  if (!(r instanceof SpineError)) return void item.core.ack(slot)
  const entry: PrefEntry = item.plan.pl[slot]!
  const next = entry.primary || r.code !== 'HINTED_STORE_FULL' ? undefined : item.spares.shift()
  if (next === undefined) return void item.core.fail(slot, r.code)
  item.core.moveTo(slot, next)
  try {
    await replicate(env, { ...entry, node: next }, item.key, item.bytes, item.plan, item.spares, item.core, slot)
    item.core.ack(slot)
  } catch (e) {
    item.core.fail(slot, toSpineError(e).code)
  }
}

/**
 * One batched request's per-item answers: each a value, or a SpineError for an item refused (or,
 * when the whole request failed or its reply is malformed, the same error for every item).
 */
async function itemReplies(env: KvEnv, node: string, body: Record<string, unknown>, count: number, timeoutMs: number): Promise<unknown[]> {
  let reply: unknown
  try {
    reply = await env.transport.request(node, body, timeoutMs)
  } catch (e) {
    return new Array<unknown>(count).fill(toSpineError(e))
  }
  const r = (reply as { r?: unknown } | null)?.r
  if (!Array.isArray(r) || r.length !== count) {
    const err = new SpineError('INTERNAL', `malformed ${String(body.op)} reply from ${node}`, { node })
    return new Array<unknown>(count).fill(err)
  }
  return r.map((x: unknown) => (isWireError(x) ? SpineError.fromWire(x) : x))
}

function isWireError(x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && typeof (x as WireError).code === 'string'
}

function outcomeOf(it: Item, timeoutMs: number): PutManyOutcome {
  const o = it.core.outcome()
  if (o.kind === 'ok') return { ok: true }
  if (o.kind === 'error') return { ok: false, error: o.error }
  const t = it.core.timeout(timeoutMs)
  return { ok: false, error: t.kind === 'error' ? t.error : new SpineError('TIMEOUT', `write timed out after ${timeoutMs} ms`) }
}
