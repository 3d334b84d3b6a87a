/**
 * Riak's Link header: `</buckets/B/keys/K>; riaktag="tag"` (or the legacy `</riak/B/K>`),
 * comma-separated. Links are kept as [bucket, key, tag] with the object and given back in the
 * request's URL form, after Riak's `rel="up"` link to the object's bucket (which is not stored).
 */
import { SpineError } from '../../../shared/errors.js'
import { checkLinks, type Link } from '../../../kv/contentExtras.js'
import { bucketPath, keyPath, type PathStyle } from './paths.js'

const ONE = /\s*<([^>]*)>((?:\s*;\s*[A-Za-z][A-Za-z0-9_-]*\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))*)\s*(?:,|$)/y
const PARAM = /;\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)/g
const LEGACY = /^\/riak\/([^/]+)\/([^/]+)$/
const BUCKETS = /^\/buckets\/([^/]+)\/keys\/([^/]+)$/

function unquote(v: string): string {
  return v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v
}

function decode(what: string, v: string): string {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '))
  } catch {
    throw new SpineError('INVALID_ARGUMENT', `Link: the ${what} is not valid percent-encoding`, { header: 'Link' })
  }
}

function bad(detail: string): never {
  throw new SpineError('INVALID_ARGUMENT', `Link header: ${detail}; expected </buckets/B/keys/K>; riaktag="tag" (or </riak/B/K>)`, { header: 'Link' })
}

export function parseLinks(v: string | undefined): Link[] {
  if (v === undefined || v.trim() === '') return []
  const links: Link[] = []
  ONE.lastIndex = 0
  while (ONE.lastIndex < v.length) {
    const at = ONE.lastIndex
    const m = ONE.exec(v)
    if (!m || m.index !== at) bad(`cannot parse it from character ${at}`)
    const params = new Map([...m[2]!.matchAll(PARAM)].map((p) => [p[1]!.toLowerCase(), unquote(p[2]!)]))
    if (params.get('rel') === 'up' && !params.has('riaktag')) continue
    const tag = params.get('riaktag')
    if (tag === undefined) bad(`<${m[1]}> has no riaktag`)
    const target = LEGACY.exec(m[1]!) ?? BUCKETS.exec(m[1]!)
    if (!target) bad(`<${m[1]}> is not an object's URL`)
    links.push([decode('bucket', target[1]!), decode('key', target[2]!), decode('tag', tag)])
  }
  return checkLinks(links)
}

export function formatLinks(style: PathStyle, type: string, bucket: string, links: readonly Link[]): string {
  // Links name no bucket type, so the typed form would point at the wrong object: use /buckets/.
  const linkStyle: PathStyle = style === 'legacy' ? 'legacy' : 'buckets'
  const up = `<${bucketPath(style, type, bucket)}>; rel="up"`
  const rest = links.map(([b, k, t]) => `<${keyPath(linkStyle, { type: 'default', bucket: b, key: k })}>; riaktag="${encodeURIComponent(t)}"`)
  return [up, ...rest].join(', ')
}
