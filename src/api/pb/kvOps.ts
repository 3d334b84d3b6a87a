/**
 * Get, put and delete over PB: each request's fields become the same options the client and HTTP
 * ports pass to the same coordinators (kvGet, kvPut, kvDelete). What Riak does around the
 * coordinator (if_modified, deletedvclock, head, if_none_match, if_not_modified, a generated key)
 * is done here, as riak_kv_pb_object does it.
 */
import { SpineError } from '../../shared/errors.js'
import type { BKey } from '../../core/hash.js'
import { liveSiblings, type KvObject } from '../../core/object.js'
import { decodeContext, encodeContext } from '../../core/objectCodec.js'
import { equal, type VClock } from '../../core/vclock.js'
import { kvDelete } from '../../kv/deleteFsm.js'
import type { KvEnv } from '../../kv/env.js'
import { parseWriteOptions } from '../../kv/forward.js'
import { kvGet } from '../../kv/getFsm.js'
import { kvPut } from '../../kv/putFsm.js'
import { checkBKey, checkTimeout, type ReadOptions } from '../../kv/request.js'
import { newKey } from '../riakNames.js'
import { contentIn, contentOut, utf8Field, type RpbContent } from './content.js'
import { quorumFromPb } from './quorum.js'

export interface RpbGetReq {
  bucket: Uint8Array
  key: Uint8Array
  r?: number
  pr?: number
  basic_quorum?: boolean
  notfound_ok?: boolean
  if_modified?: Uint8Array
  head?: boolean
  deletedvclock?: boolean
  timeout?: number
  sloppy_quorum?: boolean
  n_val?: number
  type?: Uint8Array
}

export interface RpbGetResp {
  content?: RpbContent[]
  vclock?: Uint8Array
  unchanged?: boolean
}

export interface RpbPutReq {
  bucket: Uint8Array
  key?: Uint8Array
  vclock?: Uint8Array
  content: RpbContent
  w?: number
  dw?: number
  return_body?: boolean
  pw?: number
  if_not_modified?: boolean
  if_none_match?: boolean
  return_head?: boolean
  timeout?: number
  asis?: boolean
  sloppy_quorum?: boolean
  n_val?: number
  type?: Uint8Array
  node_confirms?: number
}

export interface RpbPutResp {
  content?: RpbContent[]
  vclock?: Uint8Array
  key?: Uint8Array
}

export interface RpbDelReq {
  bucket: Uint8Array
  key: Uint8Array
  rw?: number
  vclock?: Uint8Array
  r?: number
  w?: number
  pr?: number
  pw?: number
  dw?: number
  timeout?: number
  sloppy_quorum?: boolean
  n_val?: number
  type?: Uint8Array
}

/** Bucket type, bucket and key as the other ports check them (UTF-8, within their limits). */
export function bkeyOf(type: Uint8Array | undefined, bucket: Uint8Array, key: string | Uint8Array): BKey {
  return checkBKey(
    type === undefined || type.byteLength === 0 ? undefined : utf8Field('type', type),
    utf8Field('bucket', bucket),
    typeof key === 'string' ? key : utf8Field('key', key),
  )
}

/** Riak's `timeout` is milliseconds, as ours; 0 or absent takes the default. */
function timeoutOf(t: number | undefined): number {
  return checkTimeout(t === undefined || t === 0 ? undefined : t)
}

/** n_val on a request is Riak's experimental per-request N; spinekv's N is the bucket's alone. */
function checkN(env: KvEnv, bk: BKey, n: number | undefined): void {
  if (n === undefined) return
  const have = env.props.get(bk.type, bk.bucket).n
  if (n !== have) throw new SpineError('INVALID_ARGUMENT', `n_val=${n} on a request is not supported; the bucket's n_val is ${have}`, { field: 'n_val', n, bucketN: have })
}

/** The client's vclock, refused before any coordinator runs when it is not one this store made. */
function contextIn(v: Uint8Array | undefined): Uint8Array | null {
  if (v === undefined || v.byteLength === 0) return null
  clockOf(v)
  return v
}

function clockOf(v: Uint8Array): VClock {
  try {
    return decodeContext(v)
  } catch {
    throw new SpineError('INVALID_CONTEXT', 'the vclock does not decode to a causal context this store produced', { field: 'vclock' })
  }
}

/** Every sibling, tombstones marked deleted, when any is live (as Riak returns an object's contents); none otherwise. */
function contentsOf(obj: KvObject | undefined, head: boolean): RpbContent[] {
  if (!obj || liveSiblings(obj).length === 0) return []
  return obj.siblings.map((s) => contentOut(s, head))
}

export async function pbGet(env: KvEnv, req: RpbGetReq): Promise<RpbGetResp> {
  const bk = bkeyOf(req.type, req.bucket, req.key)
  checkN(env, bk, req.n_val)
  // basic_quorum is accepted and has no effect: a read is decided as soon as R replies agree or can no longer.
  const opts: ReadOptions = {
    r: quorumFromPb(req.r),
    pr: quorumFromPb(req.pr),
    notfoundOk: req.notfound_ok,
    timeoutMs: timeoutOf(req.timeout),
    sloppyQuorum: req.sloppy_quorum,
  }
  const r = await kvGet(env, bk, opts)
  const content = contentsOf(r.obj, req.head === true)
  if (content.length === 0) {
    // A tombstone: its clock only when asked for (so a re-create can supersede it), else not found.
    return req.deletedvclock === true && r.context.length > 0 ? { vclock: encodeContext(r.context) } : {}
  }
  if (req.if_modified !== undefined && req.if_modified.byteLength > 0 && sameClock(req.if_modified, r.context)) return { unchanged: true }
  return { content, vclock: encodeContext(r.context) }
}

function sameClock(given: Uint8Array, current: VClock): boolean {
  try {
    return equal(decodeContext(given), current)
  } catch {
    // Not a clock of ours, so not the current one: the object is "modified" relative to it.
    return false
  }
}

export async function pbPut(env: KvEnv, req: RpbPutReq): Promise<RpbPutResp> {
  if (req.asis === true) throw new SpineError('INVALID_ARGUMENT', 'asis (store the object as given, for replication) is not supported', { field: 'asis' })
  const generated = req.key === undefined ? newKey() : undefined
  const bk = bkeyOf(req.type, req.bucket, generated ?? req.key!)
  checkN(env, bk, req.n_val)
  const context = contextIn(req.vclock)
  const content = contentIn(req.content)
  const timeoutMs = timeoutOf(req.timeout)
  const returnBody = req.return_body === true || req.return_head === true
  const opts = parseWriteOptions({
    w: quorumFromPb(req.w),
    dw: quorumFromPb(req.dw),
    pw: quorumFromPb(req.pw),
    nodeConfirms: quorumFromPb(req.node_confirms),
    timeoutMs,
    context,
    returnBody,
    sloppyQuorum: req.sloppy_quorum,
  })
  if (req.if_none_match === true || req.if_not_modified === true) await checkPrecondition(env, bk, req, context, timeoutMs)
  const r = await kvPut(env, { bk, content, opts })
  const out: RpbPutResp = { vclock: encodeContext(r.context) }
  if (generated !== undefined) out.key = Buffer.from(generated, 'utf8')
  if (returnBody) out.content = contentsOf(r.obj, req.return_head === true && req.return_body !== true)
  return out
}

/**
 * Riak's conditional puts: a read, then the write if the condition held. Not atomic (in Riak
 * neither): a write between the two is not seen, and siblings keep both.
 */
async function checkPrecondition(env: KvEnv, bk: BKey, req: RpbPutReq, context: Uint8Array | null, timeoutMs: number): Promise<void> {
  const current = await kvGet(env, bk, { timeoutMs })
  const exists = current.obj !== undefined && liveSiblings(current.obj).length > 0
  if (req.if_none_match === true && exists) {
    throw new SpineError('INVALID_ARGUMENT', 'if_none_match: a value is already stored under the key', { riak: 'match_found', condition: 'if_none_match' })
  }
  if (req.if_not_modified === true) {
    if (!exists) throw new SpineError('NOT_FOUND', 'if_not_modified: no value is stored under the key', { riak: 'notfound', condition: 'if_not_modified' })
    if (context === null || !equal(clockOf(context), current.context)) {
      throw new SpineError('INVALID_CONTEXT', 'if_not_modified: the stored object has changed since the given vclock', { riak: 'modified', condition: 'if_not_modified' })
    }
  }
}

export async function pbDel(env: KvEnv, req: RpbDelReq): Promise<void> {
  const bk = bkeyOf(req.type, req.bucket, req.key)
  checkN(env, bk, req.n_val)
  // rw is Riak's old single quorum for a delete's read and write: the default for both when they are not given.
  const rw = quorumFromPb(req.rw)
  const opts = {
    ...parseWriteOptions({
      w: quorumFromPb(req.w) ?? rw,
      dw: quorumFromPb(req.dw),
      pw: quorumFromPb(req.pw),
      timeoutMs: timeoutOf(req.timeout),
      context: contextIn(req.vclock),
      sloppyQuorum: req.sloppy_quorum,
    }),
    r: quorumFromPb(req.r) ?? rw,
    pr: quorumFromPb(req.pr),
  }
  await kvDelete(env, bk, opts)
}
