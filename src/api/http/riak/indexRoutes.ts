/**
 * Riak's secondary index queries over HTTP: GET .../buckets/B/index/F/V (an exact match) and
 * .../index/F/V1/V2 (a range), under /types/T/, /buckets/ and the legacy /riak/B/. Query parameters
 * as Riak's: return_terms, max_results, continuation, term_regex, stream, timeout. The body is
 * Riak's: `{"keys":[...]}`, or with return_terms on a range `{"results":[{"term":"key"},...]}`,
 * with `"continuation"` when more follow. `stream=true` answers multipart/mixed, as Riak does: a
 * JSON part per INDEX.streamChunk results, the continuation in a last part of its own. The parts
 * are cut from the merged page (a page is bounded by INDEX.maxResults), so a query that fails
 * fails before the 200 is sent.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { INDEX } from '../../../config.js'
import { queryIndex } from '../../../kv/indexCoordinator.js'
import { checkIndexQuery, type IndexPage } from '../../../kv/indexQuery.js'
import type { KvEnv } from '../../../kv/env.js'
import { SpineError } from '../../../shared/errors.js'
import { boolParam, stringParam, timeoutParam, type Query } from './params.js'
import { bucketOf } from './paths.js'

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

interface IndexParams {
  field: string
  start: string
  end?: string
}

const JSON_TYPE = 'application/json; charset=utf-8'

function maxResultsParam(q: Query): number | undefined {
  const v = stringParam(q, 'max_results')
  if (v === undefined) return undefined
  if (!/^\d{1,9}$/.test(v)) throw new SpineError('INVALID_ARGUMENT', 'max_results must be a whole number', { field: 'max_results', value: v })
  return Number(v)
}

/** One body object of results: Riak's `keys`, or `results` of {term: key}. */
function resultsObject(page: IndexPage, from: number, to: number): Record<string, unknown> {
  const slice = page.results.slice(from, to)
  return page.withTerms ? { results: slice.map(([term, key]) => ({ [term]: key })) } : { keys: slice.map(([, key]) => key) }
}

function multipart(page: IndexPage): { boundary: string; body: string } {
  const boundary = randomBytes(12).toString('hex')
  const parts: Record<string, unknown>[] = []
  for (let i = 0; i < page.results.length; i += INDEX.streamChunk) parts.push(resultsObject(page, i, i + INDEX.streamChunk))
  if (page.continuation !== undefined) parts.push({ continuation: page.continuation })
  const body = parts.map((p) => `\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(p)}`).join('') + `\r\n--${boundary}--\r\n`
  return { boundary, body }
}

export function indexHandler(env: KvEnv): Handler {
  return async (req, reply) => {
    const q = req.query as Query
    const p = req.params as IndexParams
    const { type, bucket } = bucketOf(req)
    const continuation = stringParam(q, 'continuation')
    const termRegex = stringParam(q, 'term_regex')
    const maxResults = maxResultsParam(q)
    const query = checkIndexQuery({
      type,
      bucket,
      field: p.field,
      start: p.start,
      ...(p.end !== undefined ? { end: p.end } : {}),
      returnTerms: boolParam(q, 'return_terms') ?? false,
      ...(maxResults !== undefined ? { maxResults } : {}),
      ...(continuation !== undefined ? { continuation } : {}),
      ...(termRegex !== undefined ? { termRegex } : {}),
    })
    const page = await queryIndex(env, query, timeoutParam(q))
    if (boolParam(q, 'stream') === true) {
      const { boundary, body } = multipart(page)
      return reply.code(200).type(`multipart/mixed; boundary=${boundary}`).send(body)
    }
    const out = { ...resultsObject(page, 0, page.results.length), ...(page.continuation !== undefined ? { continuation: page.continuation } : {}) }
    return reply.code(200).type(JSON_TYPE).send(JSON.stringify(out) + '\n')
  }
}

/** Mount the exact and range forms under each of Riak's prefixes. */
export function registerIndexRoutes(route: (url: string, table: { GET: Handler }) => void, env: KvEnv): void {
  const table = { GET: indexHandler(env) }
  for (const base of ['/types/:type/buckets/:bucket/index', '/buckets/:bucket/index', '/riak/:bucket/index']) {
    route(`${base}/:field/:start`, table)
    route(`${base}/:field/:start/:end`, table)
  }
}
