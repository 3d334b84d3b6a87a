/**
 * Riak's HTTP resources at the wire, against three real node processes: the three URL forms
 * (typed, /buckets and the legacy /riak), generated keys, X-Riak-Vclock / Meta / Index and Link
 * round trips, conditional GETs (304) and PUTs (412), siblings with allow_mult, key and bucket
 * listings (whole and streamed), GET /, /ping and /stats with Riak's field names, and Riak's
 * query parameters accepted (unknown ones ignored). Requests are made with node:http so every
 * status, header and chunk is seen as a Riak client would see it.
 */
import { request } from 'node:http'
import t from 'tap'
import { startCluster, type TestCluster } from './harness/devCluster.js'

let cluster: TestCluster

interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** The body as it arrived, one entry per data event (chunks of a streamed listing). */
  chunks: Buffer[]
}

function http(node: number, path: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: cluster.basePort + 10 * node + 2, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunks }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

const h = (r: Res, name: string): string | undefined => {
  const v = r.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

const code = (r: Res): string | undefined => (JSON.parse(r.body.toString()) as { code?: string }).code

/** Concatenated JSON objects, as a streamed listing sends them. */
function objects(body: string): Array<Record<string, unknown>> {
  return body
    .split(/(?<=\})\s*(?=\{)/)
    .filter((s) => s.trim() !== '')
    .map((s) => JSON.parse(s) as Record<string, unknown>)
}

t.before(async () => {
  cluster = await startCluster(3)
})

t.teardown(async () => {
  await cluster.stop()
})

t.test('GET / lists Riak resources (JSON or HTML); /ping is OK', async (t) => {
  const json = await http(1, '/', { headers: { accept: 'application/json' } })
  t.equal(json.status, 200)
  t.match(h(json, 'content-type'), /^application\/json/)
  const list = JSON.parse(json.body.toString()) as Record<string, string>
  t.equal(list.riak_kv_wm_object, '/buckets')
  t.equal(list.riak_kv_wm_keylist, '/buckets')
  t.equal(list.riak_kv_wm_buckets, '/buckets')
  t.equal(list.riak_kv_wm_ping, '/ping')
  t.equal(list.riak_kv_wm_stats, '/stats')
  const html = await http(1, '/')
  t.equal(html.status, 200)
  t.match(h(html, 'content-type'), /^text\/html/)
  t.match(html.body.toString(), /<a href="\/stats">riak_kv_wm_stats<\/a>/)
  const ping = await http(2, '/ping')
  t.equal(ping.status, 200)
  t.equal(ping.body.toString(), 'OK')
})

t.test('one object through the typed, /buckets and legacy /riak forms', async (t) => {
  const put = await http(1, '/riak/forms/k1', { method: 'PUT', body: 'legacy', headers: { 'content-type': 'text/plain' } })
  t.equal(put.status, 204)
  const vclock = h(put, 'x-riak-vclock')
  t.ok(vclock, 'the write returns its vclock')
  for (const path of ['/riak/forms/k1', '/buckets/forms/keys/k1', '/types/default/buckets/forms/keys/k1']) {
    const get = await http(2, path)
    t.equal(get.status, 200, path)
    t.equal(get.body.toString(), 'legacy', path)
    t.equal(h(get, 'x-riak-vclock'), vclock, `${path}: the same opaque vclock`)
  }
  const legacyUp = await http(3, '/riak/forms/k1')
  t.match(h(legacyUp, 'link'), /<\/riak\/forms>; rel="up"/, 'a legacy read links up to /riak/B')
  const newUp = await http(3, '/buckets/forms/keys/k1')
  t.match(h(newUp, 'link'), /<\/buckets\/forms>; rel="up"/)

  // POST with the key is a store; the vclock from one form resolves through another.
  const post = await http(3, '/types/default/buckets/forms/keys/k1', { method: 'POST', body: 'typed', headers: { 'x-riak-vclock': vclock! } })
  t.equal(post.status, 204)
  const after = await http(1, '/riak/forms/k1?r=all')
  t.equal(after.status, 200, 'one value: the POST superseded the PUT')
  t.equal(after.body.toString(), 'typed')

  const del = await http(2, '/riak/forms/k1', { method: 'DELETE', headers: { 'x-riak-vclock': h(after, 'x-riak-vclock')! } })
  t.equal(del.status, 204)
  const gone = await http(1, '/buckets/forms/keys/k1?r=all')
  t.equal(gone.status, 404)
  t.equal(code(gone), 'NOT_FOUND')
})

t.test('POST to a bucket generates a key: 201 with Location in the request\'s form', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['/riak/gen', /^\/riak\/gen\/[A-Za-z0-9_-]{20}$/],
    ['/buckets/gen/keys', /^\/buckets\/gen\/keys\/[A-Za-z0-9_-]{20}$/],
    ['/types/default/buckets/gen/keys', /^\/types\/default\/buckets\/gen\/keys\/[A-Za-z0-9_-]{20}$/],
  ]
  for (const [path, shape] of cases) {
    const r = await http(1, path, { method: 'POST', body: `at ${path}`, headers: { 'content-type': 'text/plain' } })
    t.equal(r.status, 201, path)
    const location = h(r, 'location') ?? ''
    t.match(location, shape, `${path}: Location`)
    t.ok(h(r, 'x-riak-vclock'), `${path}: vclock`)
    const read = await http(2, location)
    t.equal(read.body.toString(), `at ${path}`, `${path}: readable at its Location`)
  }
  const rb = await http(1, '/buckets/gen/keys?returnbody=true', { method: 'POST', body: 'with body' })
  t.equal(rb.status, 201)
  t.equal(rb.body.toString(), 'with body')
})

t.test('X-Riak-Meta-*, X-Riak-Index-* and Link are stored with the value and returned', async (t) => {
  const put = await http(1, '/buckets/hdr/keys/k', {
    method: 'PUT',
    body: '{"a":1}',
    headers: {
      'content-type': 'application/json',
      'x-riak-meta-source': 'pds',
      'x-riak-index-nhs_bin': 'abc, def',
      'x-riak-index-Age_INT': '007',
      link: '</buckets/people/keys/alice>; riaktag="friend", </riak/people/bob>; riaktag="best%20friend", </buckets/hdr>; rel="up"',
    },
  })
  t.equal(put.status, 204)
  const get = await http(2, '/buckets/hdr/keys/k')
  t.equal(get.status, 200)
  t.equal(h(get, 'content-type'), 'application/json')
  t.equal(h(get, 'x-riak-meta-source'), 'pds')
  t.equal(h(get, 'x-riak-index-nhs_bin'), 'abc, def', 'both values of one field')
  t.equal(h(get, 'x-riak-index-age_int'), '7', 'field lower-cased, integer canonical')
  t.equal(
    h(get, 'link'),
    '</buckets/hdr>; rel="up", </buckets/people/keys/alice>; riaktag="friend", </buckets/people/keys/bob>; riaktag="best%20friend"',
    'links kept, in the request form, after the up link',
  )
  const legacy = await http(3, '/riak/hdr/k')
  t.equal(h(legacy, 'link'), '</riak/hdr>; rel="up", </riak/people/alice>; riaktag="friend", </riak/people/bob>; riaktag="best%20friend"')
  t.equal(h(legacy, 'x-riak-index-nhs_bin'), 'abc, def')

  // A write with the vclock and no index headers replaces them (they belong to the value).
  const replace = await http(3, '/buckets/hdr/keys/k', { method: 'PUT', body: 'plain', headers: { 'x-riak-vclock': h(get, 'x-riak-vclock')! } })
  t.equal(replace.status, 204)
  const plain = await http(1, '/buckets/hdr/keys/k?r=all')
  t.equal(plain.headers['x-riak-index-nhs_bin'], undefined)
  t.equal(h(plain, 'link'), '</buckets/hdr>; rel="up"')

  for (const [what, headers] of [
    ['an _int index with a non-integer', { 'x-riak-index-age_int': 'old' }],
    ['an index field without _bin or _int', { 'x-riak-index-nhs': 'x' }],
    ['a Link that is not an object URL', { link: '<http://example.com/>; riaktag="x"' }],
    ['a Link without riaktag', { link: '</riak/people/alice>' }],
  ] as const) {
    const r = await http(1, '/buckets/hdr/keys/bad', { method: 'PUT', body: 'x', headers })
    t.equal(r.status, 400, what)
    t.equal(code(r), 'INVALID_ARGUMENT', what)
  }
  t.equal((await http(2, '/buckets/hdr/keys/bad?r=all')).status, 404, 'a refused write stored nothing')
})

t.test('conditional GET: If-None-Match and If-Modified-Since answer 304', async (t) => {
  const put = await http(1, '/buckets/cond/keys/get', { method: 'PUT', body: 'v', headers: { 'x-riak-meta-m': '1' } })
  t.equal(put.status, 204)
  const get = await http(2, '/buckets/cond/keys/get')
  const etag = h(get, 'etag')!
  const lastModified = h(get, 'last-modified')!
  t.match(etag, /^"[A-Za-z0-9_-]+"$/)

  const same = await http(3, '/buckets/cond/keys/get', { headers: { 'if-none-match': etag } })
  t.equal(same.status, 304)
  t.equal(same.body.length, 0)
  t.equal(h(same, 'etag'), etag)
  t.equal(h(same, 'x-riak-vclock'), h(get, 'x-riak-vclock'))
  t.equal((await http(3, '/riak/cond/get', { headers: { 'if-none-match': '"other", ' + etag } })).status, 304, 'one of a list')
  t.equal((await http(3, '/buckets/cond/keys/get', { headers: { 'if-none-match': '"other"' } })).status, 200)

  t.equal((await http(1, '/buckets/cond/keys/get', { headers: { 'if-modified-since': lastModified } })).status, 304, 'not modified since its own date')
  const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString()
  t.equal((await http(1, '/buckets/cond/keys/get', { headers: { 'if-modified-since': later } })).status, 304)
  const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString()
  const modified = await http(1, '/buckets/cond/keys/get', { headers: { 'if-modified-since': earlier } })
  t.equal(modified.status, 200)
  t.equal(modified.body.toString(), 'v')
})

t.test('conditional PUT: unmet If-None-Match, If-Match, If-Unmodified-Since, X-Riak-If-Not-Modified are 412 and store nothing', async (t) => {
  const create = await http(1, '/buckets/cond/keys/put', { method: 'PUT', body: 'first', headers: { 'if-none-match': '*' } })
  t.equal(create.status, 204, 'If-None-Match: * creates a new key')
  const read = await http(2, '/buckets/cond/keys/put')
  const etag = h(read, 'etag')!
  const vclock = h(read, 'x-riak-vclock')!

  // A second write makes the create's vclock stale.
  const second = await http(3, '/buckets/cond/keys/put', { method: 'PUT', body: 'second', headers: { 'x-riak-vclock': vclock, 'if-match': etag } })
  t.equal(second.status, 204, 'If-Match with the current ETag writes')
  const now = await http(1, '/buckets/cond/keys/put?r=all')
  t.equal(now.body.toString(), 'second')
  const failures: Array<[string, Record<string, string>]> = [
    ['If-None-Match: * on a stored key', { 'if-none-match': '*' }],
    ['If-None-Match with the current ETag', { 'if-none-match': h(now, 'etag')! }],
    ['If-Match with another ETag', { 'if-match': etag }],
    ['If-Unmodified-Since before the write', { 'if-unmodified-since': new Date(Date.parse(h(now, 'last-modified')!) - 3600_000).toUTCString() }],
    ['X-Riak-If-Not-Modified with an older vclock', { 'x-riak-if-not-modified': vclock }],
  ]
  for (const [what, headers] of failures) {
    const r = await http(2, '/buckets/cond/keys/put', { method: 'PUT', body: 'refused', headers: { ...headers, 'x-riak-vclock': h(now, 'x-riak-vclock')! } })
    t.equal(r.status, 412, what)
    t.equal(code(r), 'CONDITION_NOT_MET', what)
  }
  const unchanged = await http(3, '/buckets/cond/keys/put?r=all')
  t.equal(unchanged.status, 200)
  t.equal(unchanged.body.toString(), 'second', 'no refused write was stored')

  const ok = await http(1, '/riak/cond/put', { method: 'PUT', body: 'third', headers: { 'x-riak-vclock': h(now, 'x-riak-vclock')!, 'x-riak-if-not-modified': h(now, 'x-riak-vclock')! } })
  t.equal(ok.status, 204, 'X-Riak-If-Not-Modified with the current vclock writes')
  const missing = await http(1, '/buckets/cond/keys/never', { method: 'PUT', body: 'x', headers: { 'if-match': '*' } })
  t.equal(missing.status, 412, 'If-Match: * on a missing key')
  const badVclock = await http(1, '/buckets/cond/keys/put', { method: 'PUT', body: 'x', headers: { 'x-riak-if-not-modified': 'not base64!' } })
  t.equal(badVclock.status, 400)
  t.equal(code(badVclock), 'INVALID_CONTEXT')
})

t.test('siblings with allow_mult: 300 text list, multipart/mixed, ?vtag=, on every form', async (t) => {
  t.equal((await http(1, '/riak/sibs/k', { method: 'PUT', body: 'one', headers: { 'content-type': 'text/plain', 'x-riak-meta-who': 'a' } })).status, 204)
  t.equal((await http(2, '/buckets/sibs/keys/k', { method: 'PUT', body: 'two', headers: { 'content-type': 'text/plain', 'x-riak-index-w_bin': 'b' } })).status, 204)
  const list = await http(3, '/riak/sibs/k?r=all')
  t.equal(list.status, 300)
  t.match(h(list, 'content-type'), /^text\/plain/)
  const lines = list.body.toString().trim().split('\n')
  t.equal(lines[0], 'Siblings:')
  const vtags = lines.slice(1)
  t.equal(vtags.length, 2)
  for (const path of ['/riak/sibs/k', '/buckets/sibs/keys/k', '/types/default/buckets/sibs/keys/k']) {
    const picked = await Promise.all(vtags.map((v) => http(1, `${path}?vtag=${encodeURIComponent(v)}`)))
    t.same(picked.map((r) => r.status), [200, 200], path)
    t.same(picked.map((r) => r.body.toString()).sort(), ['one', 'two'], `${path}?vtag= picks each`)
  }
  const mp = await http(2, '/types/default/buckets/sibs/keys/k', { headers: { accept: 'multipart/mixed' } })
  t.equal(mp.status, 300)
  const boundary = /boundary=([^;]+)/.exec(h(mp, 'content-type') ?? '')?.[1]
  t.ok(boundary)
  const parts = mp.body.toString().split(`--${boundary}`).slice(1, -1)
  t.equal(parts.length, 2)
  const text = parts.join('')
  t.match(text, /x-riak-meta-who: a/, 'each part has its own metadata')
  t.match(text, /x-riak-index-w_bin: b/, 'and its own index entries')
  t.match(text, /etag: "/)
  // If-None-Match does not apply to a 300: there is no single ETag.
  t.equal((await http(1, '/buckets/sibs/keys/k', { headers: { 'if-none-match': `"${vtags[0]}"` } })).status, 300)

  const resolved = await http(1, '/riak/sibs/k?returnbody=true', { method: 'PUT', body: 'merged', headers: { 'x-riak-vclock': h(list, 'x-riak-vclock')! } })
  t.equal(resolved.status, 200)
  t.equal(resolved.body.toString(), 'merged')
  t.equal((await http(3, '/buckets/sibs/keys/k?r=all')).body.toString(), 'merged')
})

t.test('?keys=true|stream and ?buckets=true|stream', async (t) => {
  const keys = Array.from({ length: 40 }, (_, i) => `key${String(i).padStart(2, '0')}`)
  for (const k of keys) t.equal((await http(1 + (keys.indexOf(k) % 3), `/buckets/listed/keys/${k}?w=all`, { method: 'PUT', body: k })).status, 204)
  await http(1, '/types/default/buckets/listed2/keys/only?w=all', { method: 'PUT', body: 'x' })

  for (const path of ['/buckets/listed/keys?keys=true', '/types/default/buckets/listed/keys?keys=true', '/riak/listed?keys=true&props=false']) {
    const r = await http(2, path)
    t.equal(r.status, 200, path)
    t.match(h(r, 'content-type'), /^application\/json/)
    t.same(((JSON.parse(r.body.toString()) as { keys: string[] }).keys).sort(), keys, `${path}: every key once`)
  }
  const stream = await http(3, '/buckets/listed/keys?keys=stream')
  t.equal(stream.status, 200)
  t.equal(h(stream, 'transfer-encoding'), 'chunked')
  const pages = objects(stream.body.toString())
  t.ok(pages.length >= 2, `streamed in several objects (${pages.length})`)
  t.same(pages.flatMap((p) => p.keys as string[]).sort(), keys)
  t.same(objects((await http(1, '/riak/listed?keys=stream')).body.toString()).flatMap((p) => p.keys as string[]).sort(), keys)
  const empty = await http(1, '/buckets/nothing-here/keys?keys=stream')
  t.same(objects(empty.body.toString()), [{ keys: [] }], 'an empty bucket streams one empty page')

  const buckets = await http(1, '/buckets?buckets=true')
  t.equal(buckets.status, 200)
  const names = (JSON.parse(buckets.body.toString()) as { buckets: string[] }).buckets
  t.ok(names.includes('listed') && names.includes('listed2'), 'buckets with live keys are listed')
  t.equal(new Set(names).size, names.length, 'each once')
  const typed = await http(2, '/types/default/buckets?buckets=stream')
  t.equal(typed.status, 200)
  t.same(objects(typed.body.toString()).flatMap((p) => p.buckets as string[]).sort(), [...names].sort())

  for (const path of ['/buckets/listed/keys', '/buckets/listed/keys?keys=maybe', '/buckets', '/riak/listed']) {
    const r = await http(1, path)
    t.equal(r.status, 400, path)
    t.equal(code(r), 'INVALID_ARGUMENT', path)
  }
})

t.test('Riak\'s query parameters are accepted; unknown ones are ignored, bad values still refused', async (t) => {
  t.equal((await http(1, '/buckets/params/keys/k?w=all&dw=one&pw=0&returnbody=false&foo=bar', { method: 'PUT', body: 'p' })).status, 204)
  for (const r of ['one', 'quorum', 'all', 'default', '2']) {
    const get = await http(2, `/buckets/params/keys/k?r=${r}&pr=0&basic_quorum=true&notfound_ok=false&props=false&unknown=1`)
    t.equal(get.status, 200, `r=${r}`)
    t.equal(get.body.toString(), 'p')
  }
  t.equal((await http(3, '/buckets/params/keys/k?R=4&Timeout=x')).status, 200, 'names are case-sensitive as in Riak: R is not r, and is ignored')
  for (const [path, status, c] of [
    ['/buckets/params/keys/k?r=4', 400, 'INVALID_QUORUM'],
    ['/buckets/params/keys/k?r=most', 400, 'INVALID_QUORUM'],
    ['/buckets/params/keys/k?timeout=0', 400, 'INVALID_ARGUMENT'],
    ['/buckets/params/keys/k?basic_quorum=maybe', 400, 'INVALID_ARGUMENT'],
  ] as const) {
    const r = await http(1, path)
    t.equal(r.status, status, path)
    t.equal(code(r), c, path)
  }
  const del = await http(1, '/riak/params/k?rw=quorum&r=all&timeout=5000', { method: 'DELETE' })
  t.equal(del.status, 204)
  t.equal((await http(2, '/buckets/params/keys/k?r=all')).status, 404)
})

t.test('/stats has Riak\'s field names beside spinekv\'s own, from the node\'s counters', async (t) => {
  for (let i = 0; i < 5; i++) await http(1, '/buckets/stats/keys/k', { method: 'PUT', body: String(i) })
  for (let i = 0; i < 5; i++) await http(1, '/buckets/stats/keys/k')
  const r = await http(1, '/stats')
  t.equal(r.status, 200)
  const s = JSON.parse(r.body.toString()) as Record<string, unknown>
  t.equal(s.node, 'n1', 'spinekv\'s own fields stay')
  t.type(s.storage, 'object')
  t.equal(s.nodename, 'n1')
  t.type(s.riak_kv_version, 'string')
  t.ok((s.node_gets as number) >= 5, 'node_gets counts this minute\'s gets')
  t.ok((s.node_puts as number) >= 5)
  t.ok((s.node_gets_total as number) >= (s.node_gets as number))
  t.equal(s.node_gets_total, s.gets, 'the same counter as spinekv\'s gets')
  t.ok((s.vnode_gets as number) > 0 && (s.vnode_puts as number) > 0, 'this node\'s vnodes served replica reads and writes')
  t.type(s.read_repairs, 'number')
  for (const op of ['get', 'put']) {
    const f = (suffix: string): number => s[`node_${op}_fsm_time_${suffix}`] as number
    t.ok(f('mean') > 0, `${op} mean in µs`)
    t.ok(f('median') <= f('95') && f('95') <= f('99') && f('99') <= f('100'), `${op} percentiles ordered`)
  }
  t.same([...(s.ring_members as string[])].sort(), ['n1', 'n2', 'n3'])
  t.type(s.ring_num_partitions, 'number')
  t.match(s.ring_ownership, /^\[\{'n\d',\d+\}(,\{'n\d',\d+\})*\]$/)
  const owned = [...(s.ring_ownership as string).matchAll(/,(\d+)\}/g)].reduce((a, m) => a + Number(m[1]), 0)
  t.equal(owned, s.ring_num_partitions, 'ownership covers the ring')
  t.same([...(s.connected_nodes as string[])].sort(), ['n2', 'n3'])
})
