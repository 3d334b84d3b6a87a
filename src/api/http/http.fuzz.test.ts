/**
 * Fuzzing the HTTP port: hostile requests to the Riak object, key and bucket resources and the
 * Patient routes of a real in-process node (fastify inject, no sockets): random methods, path
 * segments, query strings, headers (vclocks, links, index and meta headers, conditions) and bodies
 * (random bytes, mutated Patient JSON). Every answer is a typed error or a success, never a 500
 * (an INTERNAL fault), and every error body names its code. The header parsers are also fuzzed
 * directly, where thousands of inputs cost little.
 */
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { encodeContext } from '../../core/objectCodec.js'
import { examplePatient } from '../../patient/examples.js'
import { decodesOrTyped, fuzz, fuzzAsync, mutated } from '../../../test/harness/fuzz.js'
import { clock } from '../../../test/harness/fuzzSamples.js'
import { inProcessCluster, type InProcessCluster } from '../../../test/harness/inProcess.js'
import { checkPutConditions, notModified, notModifiedContext } from './riak/conditional.js'
import { contentHeaders, vclockHeader, type Headers } from './riak/headers.js'
import { parseLinks } from './riak/links.js'
import { boolParam, listParam, quorumParam, timeoutParam } from './riak/params.js'
import { createHttpApi, type HttpApi } from './server.js'

let cluster: InProcessCluster
let api: HttpApi

t.before(async () => {
  cluster = await inProcessCluster(3)
  const node = cluster.nodes[0]!
  api = createHttpApi({ env: node.env, patients: node.patients, stats: () => ({}) })
  await api.app.ready()
})

t.teardown(async () => {
  await api.close()
  await cluster.stop()
})

/** Header text as HTTP can carry it: printable ASCII and Latin-1, no CR or LF. */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.constantFrom('', '*', 'W/"x"', '"abc", "def"', 'Tue, 08 Dec 2026 00:00:00 GMT', 'not a date', '0', '-1', 'true'),
)
const contextText = fc.oneof(clock.map((c) => encodeContext(c).toString('base64')), mutated(clock.map(encodeContext)).map((b) => b.toString('base64')), headerText)
const linkText = fc.oneof(
  fc.constantFrom('</buckets/b/keys/k>; riaktag="t"', '</riak/b/k>; riaktag=t, </buckets/b>; rel="up"', '<>; riaktag=""', '</buckets/%zz/keys/k>; riaktag="t"', '<' + '</a>;'.repeat(200)),
  fc.array(fc.constantFrom('<', '>', ';', ',', '"', '\\', ' ', '=', 'riaktag', 'rel', '/buckets/', '/keys/', '/riak/', 'b', '%2', 'up'), { maxLength: 30 }).map((a) => a.join('')),
  headerText,
)
const headerName = fc.constantFrom(
  'content-type', 'x-riak-vclock', 'x-riak-if-not-modified', 'link', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'x-riak-meta-a', 'x-riak-meta-', 'x-riak-index-age_int', 'x-riak-index-name_bin', 'x-riak-index-bad', 'x-riak-index-', 'accept', 'x-riak-clientid',
)
const headers: fc.Arbitrary<Headers> = fc.dictionary(headerName, headerText, { maxKeys: 5 }).chain((h) =>
  fc.record({ vc: fc.option(contextText), inm: fc.option(contextText), link: fc.option(linkText) }).map((x) => {
    const out: Record<string, string> = { ...h }
    if (x.vc !== null) out['x-riak-vclock'] = x.vc
    if (x.inm !== null) out['x-riak-if-not-modified'] = x.inm
    if (x.link !== null) out.link = x.link
    return out
  }),
)

t.test('header parsers: hostile headers parse or are a typed error', async (t) => {
  fuzz(t, 1, headers, (h) => {
    decodesOrTyped(() => contentHeaders(h))
    decodesOrTyped(() => vclockHeader(h))
    decodesOrTyped(() => notModifiedContext(h))
    const s = { dot: { actor: 'n1/0', counter: 1 }, value: Buffer.from('v'), contentType: 'text/plain', lastModified: 1_700_000_000_000, meta: {}, deleted: false }
    decodesOrTyped(() => notModified(h, s))
    decodesOrTyped(() => checkPutConditions(h, [s], [], null))
  }, 2_000)
})

t.test('Link parser: hostile Link headers parse or are a typed error, without backtracking for ages', async (t) => {
  fuzz(t, 2, linkText, (v) => {
    decodesOrTyped(() => parseLinks(v))
  }, 2_000)
})

const queryValue = fc.oneof(headerText, fc.constantFrom('one', 'quorum', 'all', 'default', '3', '999999999', '1e3', 'stream', 'true', 'false'))
const query = fc.dictionary(fc.constantFrom('r', 'pr', 'w', 'dw', 'pw', 'rw', 'node_confirms', 'timeout', 'returnbody', 'keys', 'buckets', 'basic_quorum', 'notfound_ok', 'vtag', 'x'), fc.oneof(queryValue, fc.array(queryValue, { minLength: 2, maxLength: 2 })), { maxKeys: 4 })

t.test('query parameters: parsed or a typed error', async (t) => {
  fuzz(t, 3, query, (q) => {
    for (const name of ['r', 'w', 'pw', 'node_confirms']) decodesOrTyped(() => quorumParam(q, name))
    decodesOrTyped(() => timeoutParam(q))
    decodesOrTyped(() => boolParam(q, 'returnbody'))
    decodesOrTyped(() => listParam(q, 'keys'))
  }, 1_000)
})

/** Path segments: plain, percent-encoded junk, over-long, dots. */
const segment = fc.oneof(
  fc.constantFrom('b', 'k', 'default', '%00', '%zz', '%E2%82', '..', '.', 'a%2Fb', '9434765919', '9434765918', '$merge', 'x'.repeat(600)),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '~', '%', '2', 'F', '+', '@', ':'), minLength: 1, maxLength: 12 }),
)
const path = fc.oneof(
  fc.tuple(segment, segment, segment).map(([ty, b, k]) => `/types/${ty}/buckets/${b}/keys/${k}`),
  fc.tuple(segment, segment).map(([b, k]) => `/buckets/${b}/keys/${k}`),
  fc.tuple(segment, segment).map(([b, k]) => `/riak/${b}/${k}`),
  segment.map((b) => `/buckets/${b}/keys`),
  fc.constantFrom('/buckets', '/types/default/buckets', '/', '/ping', '/stats'),
  segment.map((n) => `/Patient/${n}`),
  fc.constantFrom('/Patient', '/Patient/$merge'),
)
const searchQuery = fc.dictionary(
  fc.constantFrom('family', 'given', 'gender', 'birthdate', 'address-postalcode', 'general-practitioner', '_fuzzy-match', '_exact-match', '_history', '_max-results', 'postcode', 'toString', 'valueOf', '__proto__', 'constructor'),
  fc.oneof(headerText, fc.constantFrom('Smith', 'SM*', 'S*', 'female', '1970-01-01', 'ge1970', 'le2000-13-40', 'eq1970-02-30', 'LS1 6AE', 'Y12345', 'true', '50', '51')),
  { maxKeys: 5 },
)
const patientJson = JSON.stringify(examplePatient())
const body = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
  mutated(fc.constant(Buffer.from(patientJson))),
  fc.constantFrom('{}', '[]', 'null', '{"source":"9434765919","target":1}', '[{"op":"replace","path":"/gender","value":"other"}]', '[{"op":"move","from":"/a","path":"/a/b"}]', '{"__proto__":{"x":1}}').map((s) => Buffer.from(s)),
)
const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') as fc.Arbitrary<'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'>,
  path,
  query: fc.oneof(query, searchQuery),
  headers,
  body,
  contentType: fc.constantFrom('application/json', 'application/fhir+json', 'application/json-patch+json', 'text/plain', 'multipart/mixed; boundary=x'),
})

t.test('HTTP requests: hostile methods, paths, queries, headers and bodies get a typed answer, never a 500', async (t) => {
  let statuses = new Map<number, number>()
  await fuzzAsync(t, 4, request, async (r) => {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(r.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one)
    const res = await api.app.inject({
      method: r.method,
      url: `${r.path}${qs.size > 0 ? `?${qs}` : ''}`,
      // A fresh X-Request-ID (PDS requires one) so the Patient routes themselves are reached;
      // a hostile one among the random headers replaces it.
      headers: { 'x-request-id': randomUUID(), ...r.headers, 'content-type': r.headers['content-type'] ?? r.contentType },
      ...(r.body === undefined ? {} : { payload: r.body }),
    })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode >= 500 && res.statusCode !== 503 && res.statusCode !== 504) {
      throw new Error(`${r.method} ${r.path} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
    }
    if (res.statusCode >= 400 && r.method !== 'HEAD') {
      const err = JSON.parse(res.body) as { code?: unknown; resourceType?: unknown; issue?: Array<{ details?: { coding?: Array<{ code?: unknown }> } }> }
      const code = err.resourceType === 'OperationOutcome' ? err.issue?.[0]?.details?.coding?.[0]?.code : err.code
      if (typeof code !== 'string') throw new Error(`${r.method} ${r.path} answered ${res.statusCode} without a code: ${res.body.slice(0, 300)}`)
    }
  }, 400)
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`)
  statuses = new Map()
})

t.test('regression: a search parameter named after an Object.prototype member is INVALID_SEARCH_DATA, not a 500', async (t) => {
  for (const name of ['toString', 'valueOf', 'constructor', 'hasOwnProperty', '__proto__']) {
    const res = await api.app.inject({ method: 'GET', url: `/Patient?family=Smith&birthdate=1970-01-01&${name}=x`, headers: { 'x-request-id': randomUUID() } })
    t.equal(res.statusCode, 400, `?${name}= is refused as bad search data`)
    t.match(res.body, /INVALID_SEARCH_DATA/)
    t.match(res.body, name, 'naming the parameter')
  }
})
