/**
 * GET, PUT/POST and DELETE on one Riak object, and POST to a bucket's keys to store under a new
 * key. Every field is checked with the client port's checks before a coordinator runs, so a bad
 * request changes nothing stored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SpineError } from '../../../shared/errors.js'
import type { BKey } from '../../../core/hash.js'
import { liveSiblings } from '../../../core/object.js'
import type { VClock } from '../../../core/vclock.js'
import { kvDelete } from '../../../kv/deleteFsm.js'
import type { KvEnv } from '../../../kv/env.js'
import { parseWriteOptions, type PutRequest } from '../../../kv/forward.js'
import { kvGet } from '../../../kv/getFsm.js'
import { kvPut } from '../../../kv/putFsm.js'
import { checkValue, type ReadOptions } from '../../../kv/request.js'
import { newKey, vtagOf } from '../../riakNames.js'
import { InFlightLimit } from '../../inFlight.js'
import { checkPutConditions, hasPutConditions, notModified, notModifiedContext } from './conditional.js'
import { contentHeaders, siblingHeaders, vclockHeader, vclockOut, type Headers } from './headers.js'
import { boolParam, quorumParam, stringParam, timeoutParam, type Query } from './params.js'
import { bkeyOf, keyPath, styleOf } from './paths.js'
import { sendLive, sendSibling } from './siblings.js'

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

export interface ObjectHandlers {
  get: Handler
  /** PUT, or POST naming the key. */
  put: Handler
  /** POST to a bucket's keys: a new key, 201 with Location. */
  create: Handler
  del: Handler
}

function notFound(bk: BKey, extra: Record<string, unknown> = {}): SpineError {
  return new SpineError('NOT_FOUND', `no value stored under ${keyPath('types', bk)}`, { type: bk.type, bucket: bk.bucket, key: bk.key, ...extra })
}

function setVclock(reply: FastifyReply, context: VClock): void {
  if (context.length > 0) reply.header('x-riak-vclock', vclockOut(context))
}

function readOptions(q: Query): ReadOptions {
  // basic_quorum is accepted and has no effect: a read is decided as soon as R replies agree or can no longer.
  boolParam(q, 'basic_quorum')
  return { r: quorumParam(q, 'r'), pr: quorumParam(q, 'pr'), notfoundOk: boolParam(q, 'notfound_ok'), timeoutMs: timeoutParam(q) }
}

export function objectHandlers(env: KvEnv, maxInFlight: number): ObjectHandlers {
  const limit = new InFlightLimit(maxInFlight, 'HTTP operations')
  const bounded = <T>(op: () => Promise<T>): Promise<T> => limit.run(op)

  const get: Handler = async (req, reply) => {
    const q = req.query as Query
    const h = req.headers as Headers
    const bk = bkeyOf(req)
    const opts = readOptions(q)
    const vtag = stringParam(q, 'vtag')
    const r = await bounded(() => kvGet(env, bk, opts))
    const live = r.obj ? liveSiblings(r.obj) : []
    setVclock(reply, r.context)
    const chosen = vtag === undefined ? (live.length === 1 ? live[0] : undefined) : live.find((x) => vtagOf(x) === vtag)
    if (vtag !== undefined && !chosen) throw notFound(bk, { vtag })
    if (live.length === 0) throw notFound(bk)
    if (chosen && notModified(h, chosen)) {
      for (const [k, v] of siblingHeaders(chosen, styleOf(req), bk.type, bk.bucket)) if (k !== 'content-type') reply.header(k, v)
      return reply.code(304).send()
    }
    if (chosen) return sendSibling(req, reply, bk, chosen, 200)
    return sendLive(req, reply, bk, live, 200)
  }

  const store = async (req: FastifyRequest, reply: FastifyReply, bk: BKey, created: boolean): Promise<unknown> => {
    const q = req.query as Query
    const h = req.headers as Headers
    const body = req.body === undefined || req.body === null ? new Uint8Array(0) : (req.body as Uint8Array)
    const preq: PutRequest = {
      bk,
      content: { value: checkValue(body), ...contentHeaders(h), deleted: false },
      opts: parseWriteOptions({
        w: quorumParam(q, 'w'),
        dw: quorumParam(q, 'dw'),
        pw: quorumParam(q, 'pw'),
        nodeConfirms: quorumParam(q, 'node_confirms'),
        timeoutMs: timeoutParam(q),
        context: vclockHeader(h),
        returnBody: boolParam(q, 'returnbody') === true,
      }),
    }
    const ifNotModified = notModifiedContext(h)
    const r = await bounded(async () => {
      if (hasPutConditions(h)) {
        const current = await kvGet(env, bk, { timeoutMs: preq.opts.timeoutMs })
        checkPutConditions(h, current.obj ? liveSiblings(current.obj) : [], current.context, ifNotModified)
      }
      return kvPut(env, preq)
    })
    setVclock(reply, r.context)
    if (created) reply.header('location', keyPath(styleOf(req), bk))
    if (!preq.opts.returnBody) return reply.code(created ? 201 : 204).send()
    return sendLive(req, reply, bk, liveSiblings(r.obj), created ? 201 : 200)
  }

  const del: Handler = async (req, reply) => {
    const q = req.query as Query
    const bk = bkeyOf(req)
    // rw is Riak's old single quorum for a delete's read and write: the default for both.
    const rw = quorumParam(q, 'rw')
    const opts = {
      ...parseWriteOptions({ w: quorumParam(q, 'w') ?? rw, dw: quorumParam(q, 'dw'), pw: quorumParam(q, 'pw'), timeoutMs: timeoutParam(q), context: vclockHeader(req.headers as Headers) }),
      r: quorumParam(q, 'r') ?? rw,
      pr: quorumParam(q, 'pr'),
    }
    await bounded(() => kvDelete(env, bk, opts))
    return reply.code(204).send()
  }

  return {
    get,
    put: (req, reply) => store(req, reply, bkeyOf(req), false),
    create: (req, reply) => store(req, reply, bkeyOf(req, newKey()), true),
    del,
  }
}
