/**
 * Riak's HTTP KV interface against three real node processes: writes on one node read on
 * another, siblings and the X-Riak-Vclock round trip, returnbody, deletes, and bad input (each a
 * JSON error with the registry's status; nothing stored changes; every node keeps answering).
 */
import t, { type Test } from 'tap'
import { connect, type SpineClient } from '../src/client/index.js'
import { LIMITS } from '../src/config.js'
import { startCluster, type TestCluster } from './harness/devCluster.js'

let cluster: TestCluster
let client: SpineClient

const base = (i: number): string => `http://127.0.0.1:${cluster.basePort + 10 * i + 2}`

async function http(i: number, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(base(i) + path, init)
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

function json(body: Buffer): { code?: string; message?: string; data?: Record<string, unknown> } {
  return JSON.parse(body.toString()) as { code?: string; message?: string; data?: Record<string, unknown> }
}

async function expectError(t: Test, p: Promise<{ status: number; body: Buffer; headers: Headers }>, status: number, code: string): Promise<void> {
  const r = await p
  t.equal(r.status, status, `${code}: status`)
  t.match(r.headers.get('content-type') ?? '', /^application\/json/, `${code}: JSON body`)
  t.equal(json(r.body).code, code, `${code}: code`)
}

async function stillIntact(t: Test): Promise<void> {
  const r = await http(2, '/buckets/safe/keys/k?r=all')
  t.equal(r.status, 200)
  t.equal(r.body.toString(), 'original', 'stored value untouched')
  for (const i of [1, 2, 3]) t.equal((await http(i, '/ping')).status, 200, `node ${i} still answers`)
}

t.before(async () => {
  cluster = await startCluster(3)
  client = await connect({ seeds: [cluster.host(1)], routing: 'seed', maxRetries: 0, timeoutMs: 5_000 })
  const r = await http(1, '/buckets/safe/keys/k?w=all', { method: 'PUT', body: 'original', headers: { 'content-type': 'text/plain' } })
  if (r.status !== 204) throw new Error(`setup put: ${r.status} ${r.body.toString()}`)
})

t.teardown(async () => {
  await client.close()
  await cluster.stop()
})

t.test('GET /ping is Riak\'s OK; GET /stats is the node\'s counters', async (t) => {
  const ping = await http(1, '/ping')
  t.equal(ping.status, 200)
  t.equal(ping.body.toString(), 'OK')
  const stats = await http(2, '/stats')
  t.equal(stats.status, 200)
  const s = JSON.parse(stats.body.toString()) as Record<string, unknown>
  t.equal(s.node, 'n2')
  t.type(s.gets, 'number')
  t.type(s.vnodes, 'number')
  t.type(s.storage, 'object')
})

t.test('a PUT on node 1 is read on node 3 with its content type, metadata and headers', async (t) => {
  const put = await http(1, '/types/default/buckets/patients/keys/9434765919', {
    method: 'PUT',
    body: JSON.stringify({ family: 'Smith' }),
    headers: { 'content-type': 'application/json', 'x-riak-meta-source': 'pds' },
  })
  t.equal(put.status, 204)
  t.ok(put.headers.get('x-riak-vclock'), 'the new context comes back')
  const get = await http(3, '/buckets/patients/keys/9434765919')
  t.equal(get.status, 200)
  t.same(JSON.parse(get.body.toString()), { family: 'Smith' })
  t.equal(get.headers.get('content-type'), 'application/json')
  t.equal(get.headers.get('x-riak-meta-source'), 'pds')
  t.match(get.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]+"$/)
  t.ok(Date.parse(get.headers.get('last-modified') ?? '') > 0, 'Last-Modified is an HTTP date')
  t.equal(get.headers.get('x-riak-vclock'), put.headers.get('x-riak-vclock'), 'the read returns the write\'s context')
})

t.test('two blind PUTs give 300 with both; a PUT with the X-Riak-Vclock from the 300 leaves one value', async (t) => {
  t.equal((await http(1, '/buckets/sib/keys/k', { method: 'PUT', body: 'from-a', headers: { 'content-type': 'text/plain' } })).status, 204)
  t.equal((await http(2, '/buckets/sib/keys/k', { method: 'PUT', body: 'from-b', headers: { 'content-type': 'text/plain' } })).status, 204)

  const list = await http(3, '/buckets/sib/keys/k?r=all')
  t.equal(list.status, 300)
  const lines = list.body.toString().trim().split('\n')
  t.equal(lines[0], 'Siblings:')
  const vtags = lines.slice(1)
  t.equal(vtags.length, 2)
  const vclock = list.headers.get('x-riak-vclock')
  t.ok(vclock, '300 carries the merged context')

  const one = await Promise.all(vtags.map((v) => http(1, `/buckets/sib/keys/k?vtag=${encodeURIComponent(v)}`)))
  t.same(one.map((r) => r.status), [200, 200])
  t.same(one.map((r) => r.body.toString()).sort(), ['from-a', 'from-b'], '?vtag= fetches each sibling')
  t.same(one.map((r) => r.headers.get('etag')).sort(), vtags.map((v) => `"${v}"`).sort())
  await expectError(t, http(1, '/buckets/sib/keys/k?vtag=nosuchvtag'), 404, 'NOT_FOUND')

  const mp = await http(2, '/buckets/sib/keys/k', { headers: { accept: 'multipart/mixed' } })
  t.equal(mp.status, 300)
  const boundary = /boundary=([^;]+)/.exec(mp.headers.get('content-type') ?? '')?.[1]
  t.ok(boundary, 'multipart/mixed with a boundary')
  const parts = mp.body
    .toString()
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => p.split('\r\n\r\n')[1]!.replace(/\r\n$/, ''))
  t.same(parts.sort(), ['from-a', 'from-b'], 'every sibling is a part')

  const resolve = await http(1, '/buckets/sib/keys/k?returnbody=true', { method: 'PUT', body: 'merged', headers: { 'x-riak-vclock': vclock!, 'content-type': 'text/plain' } })
  t.equal(resolve.status, 200, 'returnbody gives the single resolved value')
  t.equal(resolve.body.toString(), 'merged')
  const after = await http(3, '/buckets/sib/keys/k?r=all')
  t.equal(after.status, 200)
  t.equal(after.body.toString(), 'merged')
})

t.test('returnbody and POST without a key', async (t) => {
  const plain = await http(2, '/buckets/rb/keys/k', { method: 'PUT', body: 'v1' })
  t.equal(plain.status, 204)
  t.equal(plain.body.length, 0)
  const rb = await http(2, '/buckets/rb/keys/k?returnbody=true', { method: 'POST', body: 'v2', headers: { 'x-riak-vclock': plain.headers.get('x-riak-vclock')! } })
  t.equal(rb.status, 200)
  t.equal(rb.body.toString(), 'v2')
  t.ok(rb.headers.get('x-riak-vclock'))
  t.not(rb.headers.get('x-riak-vclock'), plain.headers.get('x-riak-vclock'), 'context advanced')

  const created = await http(1, '/types/default/buckets/rb/keys', { method: 'POST', body: 'fresh', headers: { 'content-type': 'text/plain' } })
  t.equal(created.status, 201)
  const location = created.headers.get('location')
  t.match(location ?? '', /^\/types\/default\/buckets\/rb\/keys\/[A-Za-z0-9_-]{20}$/)
  t.equal((await http(3, location!)).body.toString(), 'fresh')
})

t.test('DELETE gives 204, then GET is 404 NOT_FOUND with the tombstone\'s context', async (t) => {
  const put = await http(1, '/buckets/del/keys/gone', { method: 'PUT', body: 'x' })
  const del = await http(2, '/buckets/del/keys/gone', { method: 'DELETE', headers: { 'x-riak-vclock': put.headers.get('x-riak-vclock')! } })
  t.equal(del.status, 204)
  const get = await http(3, '/buckets/del/keys/gone?r=all')
  t.equal(get.status, 404)
  t.equal(json(get.body).code, 'NOT_FOUND')
  t.ok(get.headers.get('x-riak-vclock'), 'a tombstone still has a context, so a re-create supersedes it')
  const never = await http(3, '/buckets/del/keys/never-written')
  t.equal(never.status, 404)
  t.equal(never.headers.get('x-riak-vclock'), null)
  // DELETE without a context reads one first.
  await http(1, '/buckets/del/keys/blind', { method: 'PUT', body: 'y' })
  t.equal((await http(1, '/buckets/del/keys/blind', { method: 'DELETE' })).status, 204)
  t.equal((await http(1, '/buckets/del/keys/blind')).status, 404)
})

t.test('bad quorum, timeout and query parameters are 400 and change nothing', async (t) => {
  await expectError(t, http(1, '/buckets/safe/keys/k?r=4'), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?pr=most'), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?w=0', { method: 'PUT', body: 'x' }), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?dw=4', { method: 'PUT', body: 'x' }), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?pw=-1', { method: 'PUT', body: 'x' }), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?w=4', { method: 'DELETE' }), 400, 'INVALID_QUORUM')
  await expectError(t, http(1, '/buckets/safe/keys/k?timeout=0'), 400, 'INVALID_ARGUMENT')
  await expectError(t, http(1, '/buckets/safe/keys/k?timeout=abc', { method: 'PUT', body: 'x' }), 400, 'INVALID_ARGUMENT')
  await expectError(t, http(1, '/buckets/safe/keys/k?returnbody=yes', { method: 'PUT', body: 'x' }), 400, 'INVALID_ARGUMENT')
  await expectError(t, http(1, '/buckets/safe/keys/k?r=1&r=2'), 400, 'INVALID_ARGUMENT')
  await expectError(t, http(1, '/buckets/safe/keys/k', { method: 'PUT', body: 'x', headers: { 'x-riak-index-nhs_int': 'x' } }), 400, 'INVALID_ARGUMENT')
  await expectError(t, http(1, `/buckets/safe/keys/${'k'.repeat(LIMITS.maxKeyBytes + 1)}`, { method: 'PUT', body: 'x' }), 400, 'KEY_TOO_LONG')
  await expectError(t, http(1, '/buckets/safe/keys/%zz'), 400, 'INVALID_ARGUMENT')
  await stillIntact(t)
})

t.test('a body over LIMITS.maxValueBytes is 413 VALUE_TOO_LARGE; one at the limit is stored', async (t) => {
  const over = Buffer.alloc(LIMITS.maxValueBytes + 1, 0x61)
  await expectError(t, http(1, '/buckets/safe/keys/k', { method: 'PUT', body: over }), 413, 'VALUE_TOO_LARGE')
  await stillIntact(t)
  const at = await http(1, '/buckets/big/keys/k', { method: 'PUT', body: Buffer.alloc(LIMITS.maxValueBytes, 0x62) })
  t.equal(at.status, 204)
  t.equal((await http(2, '/buckets/big/keys/k')).body.length, LIMITS.maxValueBytes)
})

t.test('a malformed X-Riak-Vclock is 400 INVALID_CONTEXT and changes nothing', async (t) => {
  const notBase64 = { method: 'PUT', body: 'x', headers: { 'x-riak-vclock': 'not base64!' } }
  await expectError(t, http(1, '/buckets/safe/keys/k', notBase64), 400, 'INVALID_CONTEXT')
  const notContext = { method: 'PUT', body: 'x', headers: { 'x-riak-vclock': Buffer.from('hello').toString('base64') } }
  await expectError(t, http(2, '/buckets/safe/keys/k', notContext), 400, 'INVALID_CONTEXT')
  await expectError(t, http(3, '/buckets/safe/keys/k', { method: 'DELETE', headers: { 'x-riak-vclock': 'AAAA' } }), 400, 'INVALID_CONTEXT')
  await stillIntact(t)
})

t.test('unknown routes are 404 JSON, wrong methods 405 with Allow', async (t) => {
  await expectError(t, http(1, '/no/such/route/here'), 404, 'NOT_FOUND')
  const r = await http(1, '/buckets/safe/keys/k', { method: 'PATCH', body: 'x' })
  t.equal(r.status, 405)
  t.equal(json(r.body).code, 'UNKNOWN_OPERATION')
  t.equal(r.headers.get('allow'), 'GET, PUT, POST, DELETE')
  t.equal((await http(1, '/ping', { method: 'POST' })).status, 405)
  t.equal((await http(1, '/buckets/safe/keys', { method: 'DELETE' })).status, 405, 'a key listing is not deleted')
  await stillIntact(t)
})

t.test('HTTP and the binary client see the same values and contexts', async (t) => {
  const put = await http(1, '/buckets/both/keys/k', { method: 'PUT', body: 'via-http', headers: { 'content-type': 'text/plain', 'x-riak-meta-by': 'http' } })
  t.equal(put.status, 204)
  const r = await client.get('both', 'k')
  t.equal(r.value?.toString(), 'via-http')
  t.equal(r.siblings[0]?.contentType, 'text/plain')
  t.same(r.siblings[0]?.meta, { by: 'http' })
  t.equal(Buffer.from(r.context!).toString('base64'), put.headers.get('x-riak-vclock'), 'X-Riak-Vclock is the base64 of the client context')

  // A context from the binary client resolves over HTTP, and the other way round.
  await client.put('both', 'k', 'via-client', { context: r.context })
  const get = await http(3, '/buckets/both/keys/k?r=all')
  t.equal(get.status, 200)
  t.equal(get.body.toString(), 'via-client')
  const again = await http(2, '/buckets/both/keys/k', { method: 'PUT', body: 'via-http-2', headers: { 'x-riak-vclock': get.headers.get('x-riak-vclock')! } })
  t.equal(again.status, 204)
  const final = await client.get('both', 'k', { r: 'all' })
  t.same(final.siblings.map((s) => s.value.toString()), ['via-http-2'])
})
