/**
 * RpbIndexReq (25) to RpbIndexResp (26): a secondary index query through the coordinator both
 * ports share (kv/indexCoordinator.ts). qtype eq takes `key`, range takes range_min and range_max;
 * return_terms, max_results, continuation (opaque bytes), term_regex, timeout and `type` as Riak's.
 * Not streamed: one reply with keys (or results, {term, key} pairs, for return_terms on a range)
 * and the continuation. Streamed: a reply per INDEX.streamChunk results, then one with `done`
 * (and the continuation), as Riak ends a stream. pagination_sort is accepted and has no effect:
 * results are always sorted. cover_context and return_body (Riak's parallel-extract extensions)
 * are refused.
 */
import { INDEX } from '../../config.js'
import { queryIndex } from '../../kv/indexCoordinator.js'
import { checkIndexQuery, type IndexPage } from '../../kv/indexQuery.js'
import type { KvEnv } from '../../kv/env.js'
import { SpineError } from '../../shared/errors.js'
import { MSG } from './codes.js'
import { utf8Field } from './content.js'
import { bkeyOf } from './kvOps.js'
import type { MessageName } from './riakMessages.js'

/** handler.ts's Send, restated so this module need not import the handler that imports it. */
type Send = (code: number, name?: MessageName, value?: object) => Promise<void>

export interface RpbIndexReq {
  bucket: Uint8Array
  index: Uint8Array
  qtype: number
  key?: Uint8Array
  range_min?: Uint8Array
  range_max?: Uint8Array
  return_terms?: boolean
  stream?: boolean
  max_results?: number
  continuation?: Uint8Array
  timeout?: number
  type?: Uint8Array
  term_regex?: Uint8Array
  pagination_sort?: boolean
  cover_context?: Uint8Array
  return_body?: boolean
}

const EQ = 0
const RANGE = 1

function need(v: Uint8Array | undefined, name: string): string {
  if (v === undefined) throw new SpineError('INVALID_ARGUMENT', `an index query of this qtype needs ${name}`, { field: name })
  return utf8Field(name, v)
}

function reply(page: IndexPage, from: number, to: number): Record<string, unknown> {
  const slice = page.results.slice(from, to)
  if (page.withTerms) return { results: slice.map(([term, key]) => ({ key: Buffer.from(term, 'utf8'), value: Buffer.from(key, 'utf8') })) }
  return { keys: slice.map(([, key]) => Buffer.from(key, 'utf8')) }
}

export async function pbIndex(env: KvEnv, req: RpbIndexReq, send: Send): Promise<void> {
  if (req.cover_context !== undefined && req.cover_context.byteLength > 0) throw new SpineError('INVALID_ARGUMENT', 'cover_context (parallel extract) is not supported', { field: 'cover_context' })
  if (req.return_body === true) throw new SpineError('INVALID_ARGUMENT', 'return_body on an index query is not supported: fetch the keys it returns', { field: 'return_body' })
  if (req.qtype !== EQ && req.qtype !== RANGE) throw new SpineError('INVALID_ARGUMENT', `qtype ${req.qtype} is neither eq (0) nor range (1)`, { field: 'qtype' })
  const bk = bkeyOf(req.type, req.bucket, 'k')
  const range = req.qtype === RANGE
  const continuation = req.continuation !== undefined && req.continuation.byteLength > 0 ? utf8Field('continuation', req.continuation) : undefined
  const termRegex = req.term_regex !== undefined && req.term_regex.byteLength > 0 ? utf8Field('term_regex', req.term_regex) : undefined
  const query = checkIndexQuery({
    type: bk.type,
    bucket: bk.bucket,
    field: utf8Field('index', req.index),
    // $bucket needs no value: Riak's clients send the bucket name, or nothing.
    start: range ? need(req.range_min, 'range_min') : req.key === undefined ? '' : utf8Field('key', req.key),
    ...(range ? { end: need(req.range_max, 'range_max') } : {}),
    returnTerms: req.return_terms === true,
    ...(req.max_results !== undefined && req.max_results !== 0 ? { maxResults: req.max_results } : {}),
    ...(continuation !== undefined ? { continuation } : {}),
    ...(termRegex !== undefined ? { termRegex } : {}),
  })
  if (!range && query.field !== '$bucket' && req.key === undefined) throw new SpineError('INVALID_ARGUMENT', 'an eq index query needs key', { field: 'key' })
  const page = await queryIndex(env, query, req.timeout === undefined || req.timeout === 0 ? undefined : req.timeout)
  const cont = page.continuation === undefined ? {} : { continuation: Buffer.from(page.continuation, 'utf8') }
  if (req.stream !== true) return send(MSG.IndexResp, 'RpbIndexResp', { ...reply(page, 0, page.results.length), ...cont })
  for (let i = 0; i < page.results.length; i += INDEX.streamChunk) await send(MSG.IndexResp, 'RpbIndexResp', reply(page, i, i + INDEX.streamChunk))
  return send(MSG.IndexResp, 'RpbIndexResp', { ...cont, done: true })
}
