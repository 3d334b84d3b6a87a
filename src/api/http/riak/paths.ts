/**
 * Where a Riak object lives, as each of the three URL forms names it: /types/T/buckets/B/keys/K,
 * /buckets/B/keys/K (type default) and the legacy /riak/B/K. A reply names objects (Location,
 * Link) in the form the request used, as Riak does.
 */
import type { FastifyRequest } from 'fastify'
import type { BKey } from '../../../core/hash.js'
import { checkBKey, DEFAULT_TYPE } from '../../../kv/request.js'

export type PathStyle = 'types' | 'buckets' | 'legacy'

interface Params {
  type?: string
  bucket?: string
  key?: string
}

export function styleOf(req: FastifyRequest): PathStyle {
  return req.url.startsWith('/riak/') || req.url === '/riak' ? 'legacy' : req.url.startsWith('/types/') ? 'types' : 'buckets'
}

export function bkeyOf(req: FastifyRequest, key?: string): BKey {
  const p = req.params as Params
  return checkBKey(p.type ?? DEFAULT_TYPE, p.bucket, key ?? p.key)
}

/** Type and bucket of a bucket resource; checked as a key's would be (any key will do for the check). */
export function bucketOf(req: FastifyRequest): { type: string; bucket: string } {
  const bk = bkeyOf(req, 'k')
  return { type: bk.type, bucket: bk.bucket }
}

export function typeOf(req: FastifyRequest): string {
  const p = req.params as Params
  return checkBKey(p.type ?? DEFAULT_TYPE, 'b', 'k').type
}

const enc = encodeURIComponent

export function keyPath(style: PathStyle, bk: BKey): string {
  if (style === 'legacy') return `/riak/${enc(bk.bucket)}/${enc(bk.key)}`
  if (style === 'types') return `/types/${enc(bk.type)}/buckets/${enc(bk.bucket)}/keys/${enc(bk.key)}`
  return `/buckets/${enc(bk.bucket)}/keys/${enc(bk.key)}`
}

export function bucketPath(style: PathStyle, type: string, bucket: string): string {
  if (style === 'legacy') return `/riak/${enc(bucket)}`
  if (style === 'types') return `/types/${enc(type)}/buckets/${enc(bucket)}`
  return `/buckets/${enc(bucket)}`
}
