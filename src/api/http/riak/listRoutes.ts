/**
 * Riak's listings: `?keys=true|stream` on a bucket's keys (and the legacy /riak/B) and
 * `?buckets=true|stream` on /buckets and /types/T/buckets, through the same coverage listings as
 * the PB port (src/kv/listKeys.ts). `true` is one JSON object; `stream` is a JSON object per page,
 * sent as each page comes. The first page is read before the status is sent, so a listing that
 * cannot start (an owner down, a timeout) is an ordinary error reply; one that fails later ends
 * with a last object `{"error": {code, message}}`, since the 200 has gone out.
 */
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SpineError, toSpineError } from '../../../shared/errors.js'
import type { KvEnv } from '../../../kv/env.js'
import { listBuckets, listKeys } from '../../../kv/listKeys.js'
import { listParam, timeoutParam, type Query } from './params.js'
import { bucketOf, typeOf } from './paths.js'

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

const JSON_TYPE = 'application/json; charset=utf-8'

async function* streamed(field: string, first: string[] | undefined, rest: AsyncIterator<string[]>): AsyncGenerator<string> {
  // Riak's first chunk of a key stream is an object too; an empty listing is one empty page.
  yield JSON.stringify({ [field]: first ?? [] })
  try {
    for (let page = await rest.next(); !page.done; page = await rest.next()) yield JSON.stringify({ [field]: page.value })
  } catch (e) {
    const err = toSpineError(e)
    yield JSON.stringify({ error: { code: err.code, message: err.message } })
  }
}

async function send(reply: FastifyReply, field: string, mode: 'true' | 'stream', pages: AsyncGenerator<string[]>): Promise<unknown> {
  const it = pages[Symbol.asyncIterator]()
  const first = await it.next()
  reply.code(200).type(JSON_TYPE)
  if (mode === 'stream') return reply.send(Readable.from(streamed(field, first.done ? undefined : first.value, it)))
  const all = first.done ? [] : [...first.value]
  for (let page = await it.next(); !page.done; page = await it.next()) all.push(...page.value)
  return reply.send(JSON.stringify({ [field]: all }) + '\n')
}

export function listHandlers(env: KvEnv): { keys: Handler; buckets: Handler } {
  return {
    keys: async (req, reply) => {
      const q = req.query as Query
      const mode = listParam(q, 'keys')
      if (mode === undefined) {
        throw new SpineError('INVALID_ARGUMENT', 'a key listing needs keys=true or keys=stream (bucket properties are at /buckets/B/props)', { field: 'keys' })
      }
      const { type, bucket } = bucketOf(req)
      return send(reply, 'keys', mode, listKeys(env, type, bucket, timeoutParam(q)))
    },
    buckets: async (req, reply) => {
      const q = req.query as Query
      const mode = listParam(q, 'buckets')
      if (mode === undefined) throw new SpineError('INVALID_ARGUMENT', 'a bucket listing needs buckets=true or buckets=stream', { field: 'buckets' })
      return send(reply, 'buckets', mode, listBuckets(env, typeOf(req), timeoutParam(q)))
    },
  }
}
