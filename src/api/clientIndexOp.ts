/**
 * The client port's `index` operation (the client library's `kv.index`): a Riak secondary index
 * query through the coordinator the HTTP and PB ports share (kv/indexCoordinator.ts), with the same
 * checks. The reply names each result's term only when the query asked for terms on a range.
 */
import { SpineError } from '../shared/errors.js'
import { queryIndex } from '../kv/indexCoordinator.js'
import { checkIndexQuery, type IndexQueryArgs } from '../kv/indexQuery.js'
import type { KvEnv } from '../kv/env.js'
import { checkBKey, checkTimeout } from '../kv/request.js'

function optString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new SpineError('INVALID_ARGUMENT', `${name} must be a string`, { field: name })
  return v
}

export async function indexOp(env: KvEnv, body: Record<string, unknown>): Promise<{ results: Array<{ key: string; term?: string }>; continuation?: string }> {
  const bk = checkBKey(body.type, body.bucket, 'k')
  const field = optString(body, 'field')
  const start = optString(body, 'start')
  if (field === undefined || start === undefined) throw new SpineError('INVALID_ARGUMENT', 'an index query needs field and start', { field: field === undefined ? 'field' : 'start' })
  const end = optString(body, 'end')
  const continuation = optString(body, 'continuation')
  const termRegex = optString(body, 'termRegex')
  const maxResults = body.maxResults ?? undefined
  if (maxResults !== undefined && typeof maxResults !== 'number') throw new SpineError('INVALID_ARGUMENT', 'maxResults must be a number', { field: 'maxResults' })
  const args: IndexQueryArgs = {
    type: bk.type,
    bucket: bk.bucket,
    field,
    start,
    returnTerms: body.returnTerms === true,
    ...(end !== undefined ? { end } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(continuation !== undefined ? { continuation } : {}),
    ...(termRegex !== undefined ? { termRegex } : {}),
  }
  const page = await queryIndex(env, checkIndexQuery(args), checkTimeout(body.timeoutMs))
  const results = page.results.map(([term, key]) => (page.withTerms ? { key, term } : { key }))
  return page.continuation === undefined ? { results } : { results, continuation: page.continuation }
}
