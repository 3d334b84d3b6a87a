/**
 * Riak's HTTP KV interface: GET/PUT/POST/DELETE on /types/T/buckets/B/keys/K and
 * /buckets/B/keys/K (type "default"), POST on .../keys to store under a new key. Every field is
 * checked with the client port's checks (checkBKey, checkValue, parseWriteOptions, parseMeta)
 * before a coordinator runs, so a bad request changes nothing stored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SpineError } from '../../shared/errors.js'
import type { BKey } from '../../core/hash.js'
import { liveSiblings, type Sibling } from '../../core/object.js'
import type { VClock } from '../../core/vclock.js'
import { kvDelete } from '../../kv/deleteFsm.js'
import type { KvEnv } from '../../kv/env.js'
import { parseWriteOptions, type PutRequest } from '../../kv/forward.js'
import { kvGet } from '../../kv/getFsm.js'
import { kvPut } from '../../kv/putFsm.js'
import { checkBKey, checkValue, DEFAULT_TYPE, type ReadOptions } from '../../kv/request.js'
import type { MethodTable } from './methodTable.js'
import { InFlightLimit } from '../inFlight.js'
import {
  accepts,
  allowOnly,
  asBuffer,
  boolParam,
  contentTypeHeader,
  metaHeaders,
  multipart,
  newKey,
  quorumParam,
  siblingHeaders,
  siblingList,
  stringParam,
  timeoutParam,
  vclockHeader,
  vclockOut,
  vtagOf,
  type Headers,
  type Query,
} from './riak.js'

type Route = (url: string, table: MethodTable) => void

interface KeyParams {
  type?: string
  bucket?: string
  key?: string
}

const GET_PARAMS = ['r', 'pr', 'notfound_ok', 'timeout', 'vtag'] as const
const PUT_PARAMS = ['w', 'dw', 'pw', 'timeout', 'returnbody'] as const
const DELETE_PARAMS = ['r', 'pr', 'w', 'dw', 'pw', 'timeout'] as const

function bkeyOf(req: FastifyRequest, key?: string): BKey {
  const p = req.params as KeyParams
  return checkBKey(p.type ?? DEFAULT_TYPE, p.bucket, key ?? p.key)
}

function keyPath(bk: BKey): string {
  const enc = encodeURIComponent
  return `/types/${enc(bk.type)}/buckets/${enc(bk.bucket)}/keys/${enc(bk.key)}`
}

function notFound(bk: BKey, extra: Record<string, unknown> = {}): SpineError {
  return new SpineError('NOT_FOUND', `no value stored under ${keyPath(bk)}`, { type: bk.type, bucket: bk.bucket, key: bk.key, ...extra })
}

function sendSibling(reply: FastifyReply, s: Sibling, status: number): FastifyReply {
  for (const [k, v] of siblingHeaders(s)) reply.header(k, v)
  return reply.code(status).send(asBuffer(s.value))
}

/** 200 with the one live sibling, 300 with all of them, or 404 (the context header is set by the caller). */
function sendObject(req: FastifyRequest, reply: FastifyReply, bk: BKey, live: Sibling[], okStatus: number): FastifyReply {
  const [first] = live
  if (!first) throw notFound(bk)
  if (live.length === 1) return sendSibling(reply, first, okStatus)
  if (accepts(req.headers as Headers, 'multipart/mixed')) {
    const { boundary, body } = multipart(live)
    return reply.code(300).header('content-type', `multipart/mixed; boundary=${boundary}`).send(body)
  }
  return reply.code(300).type('text/plain; charset=utf-8').send(siblingList(live))
}

function setVclock(reply: FastifyReply, context: VClock): void {
  if (context.length > 0) reply.header('x-riak-vclock', vclockOut(context))
}

export function registerKvRoutes(route: Route, env: KvEnv, maxInFlight: number): void {
  const limit = new InFlightLimit(maxInFlight, 'HTTP operations')
  const bounded = <T>(op: () => Promise<T>): Promise<T> => limit.run(op)

  const get = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const q = req.query as Query
    allowOnly(q, GET_PARAMS)
    const bk = bkeyOf(req)
    const opts: ReadOptions = { r: quorumParam(q, 'r'), pr: quorumParam(q, 'pr'), notfoundOk: boolParam(q, 'notfound_ok'), timeoutMs: timeoutParam(q) }
    const vtag = stringParam(q, 'vtag')
    const r = await bounded(() => kvGet(env, bk, opts))
    const live = r.obj ? liveSiblings(r.obj) : []
    setVclock(reply, r.context)
    if (vtag !== undefined) {
      const s = live.find((x) => vtagOf(x) === vtag)
      if (!s) throw notFound(bk, { vtag })
      return sendSibling(reply, s, 200)
    }
    return sendObject(req, reply, bk, live, 200)
  }

  const put = async (req: FastifyRequest, reply: FastifyReply, bk: BKey, created: boolean): Promise<unknown> => {
    const q = req.query as Query
    allowOnly(q, PUT_PARAMS)
    const h = req.headers as Headers
    const body = req.body === undefined || req.body === null ? new Uint8Array(0) : req.body
    const preq: PutRequest = {
      bk,
      content: { value: checkValue(body), contentType: contentTypeHeader(h), meta: metaHeaders(h), deleted: false },
      opts: parseWriteOptions({
        w: quorumParam(q, 'w'),
        dw: quorumParam(q, 'dw'),
        pw: quorumParam(q, 'pw'),
        timeoutMs: timeoutParam(q),
        context: vclockHeader(h),
        returnBody: boolParam(q, 'returnbody') === true,
      }),
    }
    const r = await bounded(() => kvPut(env, preq))
    setVclock(reply, r.context)
    if (created) reply.header('location', req.url.startsWith('/types/') ? keyPath(bk) : `/buckets/${encodeURIComponent(bk.bucket)}/keys/${encodeURIComponent(bk.key)}`)
    if (!preq.opts.returnBody) return reply.code(created ? 201 : 204).send()
    return sendObject(req, reply, bk, liveSiblings(r.obj), created ? 201 : 200)
  }

  const del = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const q = req.query as Query
    allowOnly(q, DELETE_PARAMS)
    const bk = bkeyOf(req)
    const opts = {
      ...parseWriteOptions({ w: quorumParam(q, 'w'), dw: quorumParam(q, 'dw'), pw: quorumParam(q, 'pw'), timeoutMs: timeoutParam(q), context: vclockHeader(req.headers as Headers) }),
      r: quorumParam(q, 'r'),
      pr: quorumParam(q, 'pr'),
    }
    await bounded(() => kvDelete(env, bk, opts))
    return reply.code(204).send()
  }

  const keyTable: MethodTable = {
    GET: get,
    PUT: (req, reply) => put(req, reply, bkeyOf(req), false),
    POST: (req, reply) => put(req, reply, bkeyOf(req), false),
    DELETE: del,
  }
  route('/types/:type/buckets/:bucket/keys/:key', keyTable)
  route('/buckets/:bucket/keys/:key', keyTable)

  // POST to the keys collection stores under a new key: 201 with Location (Riak's).
  const createTable: MethodTable = { POST: (req, reply) => put(req, reply, bkeyOf(req, newKey()), true) }
  route('/types/:type/buckets/:bucket/keys', createTable)
  route('/buckets/:bucket/keys', createTable)
}
