/**
 * Node-to-node requests on the cluster port. Every field from the wire is checked before use:
 * a peer running other code (or a fuzzer) gets INVALID_ARGUMENT, never a crashed node.
 */
import { SpineError } from '../shared/errors.js'
import type { SiblingContent } from '../core/object.js'
import { AAE, HANDOFF, KV, LIMITS, MEMBERSHIP, RING } from '../config.js'
import { parseClusterRing, type ClusterRing } from '../core/clusterRing.js'
import { parseRingCommand, type RingCommand } from './ringCommand.js'
import type { ListingRequest } from '../kv/listingPage.js'
import { checkTerms, parseExtras } from '../kv/contentExtras.js'

export type ClusterRequest =
  | { op: 'ping' }
  | { op: 'info' }
  | { op: 'hstatus' }
  | { op: 'ringGet' }
  | { op: 'ringGossip'; ring: ClusterRing }
  | { op: 'ringCmd'; cmd: RingCommand; fwd: boolean }
  | { op: 'vget'; p: number; k: Uint8Array }
  | { op: 'vcoord'; p: number; k: Uint8Array; ctx: Uint8Array | null; c: SiblingContent; am: boolean; sync: boolean }
  | { op: 'vput'; p: number; k: Uint8Array; o: Uint8Array; am: boolean; sync: boolean }
  | { op: 'vreap'; p: number; k: Uint8Array; ctx: Uint8Array }
  | { op: 'vcoordMany'; items: CoordItem[]; sync: boolean }
  | { op: 'vputMany'; items: MergeItem[]; sync: boolean }
  | { op: 'kvput'; req: unknown }
  | { op: 'handoff'; p: number; items: Array<[Uint8Array, Uint8Array]>; ring: string }
  | { op: 'psearch'; params: Record<string, string[]>; plan: Array<{ vnode: number; partitions: number[] }> }
  | ({ op: 'vlist' } & ListingRequest)
  | { op: 'v2i'; q: unknown; plan: Array<{ vnode: number; partitions: number[] }>; limit: number }
  | AaeRequest

/** One write of a batched coordination (vcoordMany): vnode, key, causal context, content, allow_mult. */
export interface CoordItem {
  p: number
  k: Uint8Array
  ctx: Uint8Array | null
  c: SiblingContent
  am: boolean
}

/** One object of a batched replication (vputMany): vnode, key, the coordinated object, allow_mult. */
export interface MergeItem {
  p: number
  k: Uint8Array
  o: Uint8Array
  am: boolean
}

/** Anti-entropy exchanges (src/node/antiEntropy): one tree (vnode p, preference list hp/n) per request. */
export type AaeRequest =
  | { op: 'aaeStatus' }
  | { op: 'aaeRoot'; p: number; hp: number; n: number }
  | { op: 'aaeBranches'; p: number; hp: number; n: number }
  | { op: 'aaeSegs'; p: number; hp: number; n: number; b: number[] }
  | { op: 'aaeKeys'; p: number; hp: number; n: number; s: number[] }

export interface NodeInfo {
  name: string
  host: string
  clusterPort: number
  clientPort: number
  httpPort: number
}

function bad(what: string): never {
  throw new SpineError('INVALID_ARGUMENT', `cluster request: ${what}`)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function bytes(v: unknown, what: string): Uint8Array {
  return v instanceof Uint8Array ? v : bad(`${what} must be bytes`)
}

function int(v: unknown, what: string): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : bad(`${what} must be an integer`)
}

export function parseContent(v: unknown): SiblingContent {
  if (!isRecord(v)) bad('content must be a map')
  const meta = v.meta ?? {}
  if (!isRecord(meta) || !Object.values(meta).every((x) => typeof x === 'string')) bad('meta must map strings to strings')
  const c: SiblingContent = {
    value: bytes(v.value, 'value'),
    contentType: typeof v.contentType === 'string' ? v.contentType : bad('contentType must be a string'),
    lastModified: int(v.lastModified, 'lastModified'),
    meta: meta as Record<string, string>,
    deleted: v.deleted === true,
    ...parseExtras(v),
  }
  const terms = checkTerms(v.terms)
  if (terms !== undefined) c.terms = terms
  return c
}

/** A search's parameters: names to lists of strings (the node parses them as the coordinator did). */
function searchParams(v: unknown): Record<string, string[]> {
  if (!isRecord(v) || Object.keys(v).length > 20) bad('params must be a map of at most 20 parameters')
  const out: Record<string, string[]> = {}
  for (const [k, vals] of Object.entries(v)) {
    if (!Array.isArray(vals) || vals.length > 10 || !vals.every((x) => typeof x === 'string' && x.length <= 100)) bad(`params.${k} must be a short list of strings`)
    out[k] = vals as string[]
  }
  return out
}

/** A node's share of a coverage plan: vnodes and the partitions each answers for (bounded by the ring size). */
function searchPlan(v: unknown): Array<{ vnode: number; partitions: number[] }> {
  if (!Array.isArray(v) || v.length > RING.maxPartitions) bad('plan must be a list of vnodes')
  return v.map((e: unknown) => {
    if (!isRecord(e) || !Array.isArray(e.partitions) || e.partitions.length > RING.maxPartitions) bad('each plan entry must be {vnode, partitions}')
    return { vnode: int(e.vnode, 'vnode'), partitions: e.partitions.map((p: unknown) => int(p, 'partition')) }
  })
}

/** A handoff batch: [key, object] pairs, bounded so one message cannot hold a whole partition. */
function items(v: unknown): Array<[Uint8Array, Uint8Array]> {
  if (!Array.isArray(v) || v.length > HANDOFF.maxBatchItems) bad(`items must be a list of at most ${HANDOFF.maxBatchItems}`)
  return v.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2) bad('each item must be [key, object]')
    return [bytes(pair[0], 'item key'), bytes(pair[1], 'item object')]
  })
}

/** A batched replica message's items, bounded by KV.maxReplicaBatchItems (the frame limit bounds their bytes). */
function batchItems<T>(v: unknown, parse: (item: Record<string, unknown>) => T): T[] {
  if (!Array.isArray(v) || v.length > KV.maxReplicaBatchItems) bad(`items must be a list of at most ${KV.maxReplicaBatchItems}`)
  return v.map((item: unknown) => (isRecord(item) ? parse(item) : bad('each item must be a map')))
}

function coordItem(v: Record<string, unknown>): CoordItem {
  return { p: int(v.p, 'p'), k: bytes(v.k, 'k'), ctx: v.ctx == null ? null : bytes(v.ctx, 'ctx'), c: parseContent(v.c), am: v.am === true }
}

function mergeItem(v: Record<string, unknown>): MergeItem {
  return { p: int(v.p, 'p'), k: bytes(v.k, 'k'), o: bytes(v.o, 'o'), am: v.am === true }
}

/** A list of small non-negative integers (branch or segment numbers), bounded. */
function indexes(v: unknown, what: string, max: number): number[] {
  if (!Array.isArray(v) || v.length > max) bad(`${what} must be a list of at most ${max}`)
  return v.map((x: unknown) => {
    const i = int(x, what)
    return i >= 0 && i < 2 ** 24 ? i : bad(`${what} out of range`)
  })
}

function optionalString(v: unknown, what: string, maxBytes: number): string | null {
  if (v === null || v === undefined) return null
  return typeof v === 'string' && Buffer.byteLength(v) <= maxBytes ? v : bad(`${what} must be a string of at most ${maxBytes} bytes`)
}

/** One page of a key or bucket listing (src/node/keyListing.ts). */
function listingOf(body: Record<string, unknown>): ListingRequest {
  const type = optionalString(body.type, 'type', LIMITS.maxBucketTypeBytes) ?? bad('type must be a string')
  const parts = body.parts === null || body.parts === undefined ? null : indexes(body.parts, 'parts', RING.maxPartitions)
  const limit = int(body.limit, 'limit')
  if (limit < 1 || limit > KV.maxListPage) bad(`limit must be 1..${KV.maxListPage}`)
  return { p: int(body.p, 'p'), type, bucket: optionalString(body.bucket, 'bucket', LIMITS.maxBucketBytes), parts, after: body.after == null ? null : bytes(body.after, 'after'), limit }
}

function treeOf(body: Record<string, unknown>): { p: number; hp: number; n: number } {
  const p = int(body.p, 'p')
  const hp = int(body.hp, 'hp')
  const n = int(body.n, 'n')
  if (p < 0 || hp < 0 || n < 1 || n > 64) bad('p, hp and n out of range')
  return { p, hp, n }
}

export function parseClusterRequest(body: unknown): ClusterRequest {
  if (!isRecord(body) || typeof body.op !== 'string') bad('not a request')
  switch (body.op) {
    case 'ping':
    case 'info':
    case 'hstatus':
    case 'ringGet':
      return { op: body.op }
    case 'ringGossip':
      return { op: 'ringGossip', ring: parseClusterRing(body.ring, MEMBERSHIP.maxMembers) }
    case 'ringCmd':
      return { op: 'ringCmd', cmd: parseRingCommand(body.cmd), fwd: body.fwd === true }
    case 'vget':
      return { op: 'vget', p: int(body.p, 'p'), k: bytes(body.k, 'k') }
    case 'vcoord':
      return {
        op: 'vcoord',
        p: int(body.p, 'p'),
        k: bytes(body.k, 'k'),
        ctx: body.ctx == null ? null : bytes(body.ctx, 'ctx'),
        c: parseContent(body.c),
        am: body.am === true,
        sync: body.sync === true,
      }
    case 'vput':
      return { op: 'vput', p: int(body.p, 'p'), k: bytes(body.k, 'k'), o: bytes(body.o, 'o'), am: body.am === true, sync: body.sync === true }
    case 'vreap':
      return { op: 'vreap', p: int(body.p, 'p'), k: bytes(body.k, 'k'), ctx: bytes(body.ctx, 'ctx') }
    case 'vcoordMany':
      return { op: 'vcoordMany', items: batchItems(body.items, coordItem), sync: body.sync === true }
    case 'vputMany':
      return { op: 'vputMany', items: batchItems(body.items, mergeItem), sync: body.sync === true }
    case 'kvput':
      return { op: 'kvput', req: body.req }
    case 'psearch':
      return { op: 'psearch', params: searchParams(body.params), plan: searchPlan(body.plan) }
    case 'vlist':
      return { op: 'vlist', ...listingOf(body) }
    case 'v2i':
      // The query itself is checked where it runs (secondaryIndexScan.ts serveIndexQuery).
      return { op: 'v2i', q: body.q, plan: searchPlan(body.plan), limit: int(body.limit, 'limit') }
    case 'handoff':
      return { op: 'handoff', p: int(body.p, 'p'), items: items(body.items), ring: typeof body.ring === 'string' ? body.ring : bad('ring must be a string') }
    case 'aaeStatus':
      return { op: 'aaeStatus' }
    case 'aaeRoot':
    case 'aaeBranches':
      return { op: body.op, ...treeOf(body) }
    case 'aaeSegs':
      return { op: 'aaeSegs', ...treeOf(body), b: indexes(body.b, 'b', 1 << 16) }
    case 'aaeKeys':
      return { op: 'aaeKeys', ...treeOf(body), s: indexes(body.s, 's', AAE.maxSegmentsPerExchange) }
    default:
      throw new SpineError('UNKNOWN_OPERATION', `unknown cluster operation ${JSON.stringify(body.op)}`, { op: body.op })
  }
}
