/**
 * Riak secondary indexes (2i) against three real node processes, over both of Riak's ports: objects
 * stored with X-Riak-Index-* (HTTP) and RpbContent.indexes (PB), then queried by coverage with
 * exact matches, _int and _bin ranges, return_terms, pagination through continuations (every page
 * joined is the whole sorted answer, each result once), term_regex, $key and $bucket, stream; an
 * update that changes an index moves the object, a delete removes it; bad queries are 400s. The
 * client library (`kv.put` with indexes, `kv.index`) over the client port too.
 */
import { request } from 'node:http'
import t from 'tap'
import { MSG } from '../src/api/pb/codes.js'
import { decodePb } from '../src/api/pb/codec.js'
import { RIAKPB_ALL } from '../src/api/pb/quorum.js'
import type { RpbPutResp } from '../src/api/pb/kvOps.js'
import { connect } from '../src/client/index.js'
import { startCluster, type TestCluster } from './harness/devCluster.js'
import { errorOf, PbTestClient } from './harness/pbClient.js'

let cluster: TestCluster
let pb: PbTestClient
const b = (s: string): Buffer => Buffer.from(s, 'utf8')
const str = (u: Uint8Array | undefined): string => Buffer.from(u ?? []).toString('utf8')

interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function http(node: number, path: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: cluster.basePort + 10 * node + 2, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

interface Body {
  keys?: string[]
  results?: Array<Record<string, string>>
  continuation?: string
  code?: string
}

async function query(node: number, path: string): Promise<Body> {
  const r = await http(node, path)
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`)
  return JSON.parse(r.body) as Body
}

async function put(node: number, bucket: string, key: string, value: string, indexes: Record<string, string>, vclock?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'text/plain', ...Object.fromEntries(Object.entries(indexes).map(([f, v]) => [`x-riak-index-${f}`, v])) }
  if (vclock) headers['x-riak-vclock'] = vclock
  // w=all: a 2i query reads one replica per key, so a test that queries at once must know every replica has the write.
  const r = await http(node, `/buckets/${bucket}/keys/${key}?w=all`, { method: 'PUT', body: value, headers })
  if (r.status !== 204 && r.status !== 200) throw new Error(`put ${key}: ${r.status} ${r.body}`)
}

t.before(async () => {
  cluster = await startCluster(3)
  pb = await PbTestClient.open(cluster.basePort + 10 * 2 + 3)
  // 30 users over HTTP: age_int i, city_bin by i % 3, and one tagged twice.
  for (let i = 0; i < 30; i++) {
    const key = `u${String(i).padStart(2, '0')}`
    await put(1 + (i % 3), 'users', key, `user ${i}`, { age_int: String(i), city_bin: ['leeds', 'york', 'hull'][i % 3]!, ...(i === 7 ? { tag_bin: 'a, b' } : {}) })
  }
})

t.teardown(async () => {
  pb?.close()
  await cluster.stop()
})

const users = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `u${String(from + i).padStart(2, '0')}`)

t.test('exact and range queries on every node, under every prefix', async (t) => {
  for (const node of [1, 2, 3]) {
    const york = await query(node, '/buckets/users/index/city_bin/york')
    t.same(york.keys, users(0, 29).filter((_, i) => i % 3 === 1), `node ${node}: an exact match, each key once, sorted`)
  }
  t.same((await query(1, '/buckets/users/index/age_int/5/12')).keys, users(5, 12), '_int range, numeric, both ends included')
  t.same((await query(1, '/buckets/users/index/age_int/007')).keys, ['u07'], '_int exact, canonical')
  t.same((await query(2, '/types/default/buckets/users/index/age_int/28/40')).keys, ['u28', 'u29'], 'under /types/T')
  t.same((await query(3, '/riak/users/index/age_int/28/40')).keys, ['u28', 'u29'], 'under the legacy /riak')
  t.same((await query(1, '/buckets/users/index/tag_bin/a')).keys, ['u07'], 'one header, two values')
  t.same((await query(1, '/buckets/users/index/tag_bin/b')).keys, ['u07'])
  t.same((await query(1, '/buckets/users/index/city_bin/nowhere')).keys, [], 'no match: an empty list')
})

t.test('return_terms, term_regex, $key and $bucket', async (t) => {
  const r = await query(1, '/buckets/users/index/city_bin/h/m?return_terms=true')
  t.same(r.results?.slice(0, 2), [{ hull: 'u02' }, { hull: 'u05' }], 'results as {term: key}, sorted by term then key')
  t.equal(r.results?.length, 20, 'hull and leeds')
  t.same(r.results?.[19], { leeds: 'u27' })
  t.same((await query(1, '/buckets/users/index/city_bin/york?return_terms=true')).keys?.length, 10, 'an exact match returns keys only, as Riak')
  const re = await query(2, '/buckets/users/index/city_bin/a/z?term_regex=^y&return_terms=true')
  t.ok(re.results?.length === 10 && re.results.every((p) => Object.keys(p)[0] === 'york'), 'term_regex keeps matching terms only')
  t.same((await query(3, '/buckets/users/index/$key/u10/u13')).keys, users(10, 13), '$key range')
  t.same((await query(3, '/buckets/users/index/$key/u10/u11?return_terms=true')).results, [{ u10: 'u10' }, { u11: 'u11' }], '$key: the term is the key')
  t.same((await query(2, '/buckets/users/index/$bucket/users')).keys, users(0, 29), '$bucket: every key')
})

t.test('pagination: max_results and continuation walk the whole answer once', async (t) => {
  const seen: string[] = []
  let continuation: string | undefined
  let pages = 0
  do {
    const page = await query(1 + (pages % 3), `/buckets/users/index/age_int/3/25?max_results=7${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ''}`)
    t.ok((page.keys?.length ?? 0) <= 7, 'at most max_results')
    seen.push(...(page.keys ?? []))
    continuation = page.continuation
    pages++
  } while (continuation && pages < 10)
  t.same(seen, users(3, 25), 'every key in order, none twice')
  t.equal(pages, 4, '23 results in pages of 7: 4 pages, the last without a continuation')
  const keyPages = await query(2, '/buckets/users/index/$key/u00/u99?max_results=25')
  t.equal(keyPages.keys?.length, 25)
  const rest = await query(3, `/buckets/users/index/$key/u00/u99?max_results=25&continuation=${encodeURIComponent(keyPages.continuation!)}`)
  t.same(rest.keys, users(25, 29), '$key pages too')
  t.equal(rest.continuation, undefined)
})

t.test('stream=true answers multipart/mixed with the continuation in a part of its own', async (t) => {
  const r = await http(1, '/buckets/users/index/age_int/0/9?stream=true&max_results=4')
  t.equal(r.status, 200)
  const ct = String(r.headers['content-type'])
  t.match(ct, /^multipart\/mixed; boundary=/)
  const boundary = ct.split('boundary=')[1]!
  const parts = r.body.split(`--${boundary}`).map((p) => p.split('\r\n\r\n')[1]?.trim()).filter((p): p is string => !!p && p !== '--')
  const bodies = parts.map((p) => JSON.parse(p) as Body)
  t.same(bodies[0]?.keys, users(0, 3))
  t.ok(bodies[bodies.length - 1]?.continuation, 'the continuation last')
})

t.test('an update moves the object in the index; a delete removes it', async (t) => {
  const got = await http(1, '/buckets/users/keys/u04')
  await put(2, 'users', 'u04', 'moved', { age_int: '99', city_bin: 'york' }, String(got.headers['x-riak-vclock']))
  t.same((await query(3, '/buckets/users/index/age_int/4')).keys, [], 'the old term no longer finds it')
  t.same((await query(3, '/buckets/users/index/age_int/99')).keys, ['u04'], 'the new one does')
  t.ok((await query(1, '/buckets/users/index/city_bin/york')).keys?.includes('u04'))
  t.notOk((await query(1, '/buckets/users/index/city_bin/hull')).keys?.includes('u04'))
  const del = await http(2, '/buckets/users/keys/u04?w=all', { method: 'DELETE' })
  t.equal(del.status, 204)
  t.same((await query(1, '/buckets/users/index/age_int/99')).keys, [], 'deleted: gone from the index')
  t.notOk((await query(1, '/buckets/users/index/$bucket/users')).keys?.includes('u04'), 'and from $bucket')
})

t.test('bad queries are 400 with INVALID_ARGUMENT', async (t) => {
  for (const path of [
    '/buckets/users/index/age_int/ten',
    '/buckets/users/index/age/1',
    '/buckets/users/index/age_int/9/1',
    '/buckets/users/index/age_int/1/9?term_regex=1',
    '/buckets/users/index/age_int/1/9?max_results=0',
    '/buckets/users/index/age_int/1/9?continuation=forged',
    '/buckets/users/index/city_bin/a/z?term_regex=(a%2B)%2B',
  ]) {
    const r = await http(1, path)
    t.equal(r.status, 400, path)
    t.equal((JSON.parse(r.body) as Body).code, 'INVALID_ARGUMENT', path)
  }
})

interface IndexResp {
  keys?: Uint8Array[]
  results?: Array<{ key: Uint8Array; value?: Uint8Array }>
  continuation?: Uint8Array
  done?: boolean
}

async function pbIndex(req: object): Promise<IndexResp[]> {
  pb.send(MSG.IndexReq, 'RpbIndexReq', req)
  const out: IndexResp[] = []
  for (;;) {
    const f = await pb.next()
    if (!f) throw new Error('closed')
    if (f.code !== MSG.IndexResp) throw new Error(`code ${f.code}: ${f.code === 0 ? errorOf(f) : ''}`)
    const m = decodePb<IndexResp>('RpbIndexResp', f.body)
    out.push(m)
    if (!(req as { stream?: boolean }).stream || m.done) return out
  }
}

t.test('PB: a put with indexes, RpbIndexReq eq, range, return_terms, pages, streamed', async (t) => {
  const r = await pb.call<RpbPutResp>(MSG.PutReq, 'RpbPutReq', { bucket: b('pbidx'), key: b('p1'), content: { value: b('x'), indexes: [{ key: b('colour_bin'), value: b('blue') }, { key: b('n_int'), value: b('5') }] }, return_body: true, w: RIAKPB_ALL }, 'RpbPutResp')
  t.same(r.msg.content?.[0]?.indexes?.map((p) => [str(p.key), str(p.value)]), [['colour_bin', 'blue'], ['n_int', '5']], 'indexes come back with the content')
  await pb.call(MSG.PutReq, 'RpbPutReq', { bucket: b('pbidx'), key: b('p2'), content: { value: b('y'), indexes: [{ key: b('colour_bin'), value: b('blue') }, { key: b('n_int'), value: b('6') }] }, w: RIAKPB_ALL })
  const [eq] = await pbIndex({ bucket: b('pbidx'), index: b('colour_bin'), qtype: 0, key: b('blue') })
  t.same(eq?.keys?.map(str), ['p1', 'p2'], 'eq')
  const [range] = await pbIndex({ bucket: b('pbidx'), index: b('n_int'), qtype: 1, range_min: b('0'), range_max: b('10'), return_terms: true })
  t.same(range?.results?.map((p) => [str(p.key), str(p.value)]), [['5', 'p1'], ['6', 'p2']], 'range with terms')
  const [page1] = await pbIndex({ bucket: b('pbidx'), index: b('n_int'), qtype: 1, range_min: b('0'), range_max: b('10'), max_results: 1 })
  t.same(page1?.keys?.map(str), ['p1'])
  const [page2] = await pbIndex({ bucket: b('pbidx'), index: b('n_int'), qtype: 1, range_min: b('0'), range_max: b('10'), max_results: 1, continuation: page1?.continuation })
  t.same(page2?.keys?.map(str), ['p2'], 'the continuation gives the next page')
  t.equal(page2?.continuation, undefined, 'and nothing follows it')
  const streamed = await pbIndex({ bucket: b('pbidx'), index: b('$key'), qtype: 1, range_min: b('a'), range_max: b('z'), stream: true })
  t.same(streamed.flatMap((m) => (m.keys ?? []).map(str)), ['p1', 'p2'], 'streamed $key')
  t.equal(streamed[streamed.length - 1]?.done, true, 'ends with done')
})

t.test('client library: put with indexes, kv.index exact, range with terms, pages', async (t) => {
  const kv = await connect({ seeds: [cluster.host(3)] })
  t.teardown(() => kv.close())
  for (let i = 1; i <= 5; i++) await kv.put('lib', `c${i}`, `v${i}`, { indexes: [['rank_int', String(i * 10)], ['kind_bin', i % 2 ? 'odd' : 'even']], w: 'all' })
  t.same((await kv.index('lib', 'kind_bin', 'odd')).results, [{ key: 'c1' }, { key: 'c3' }, { key: 'c5' }], 'exact')
  t.same((await kv.index('lib', 'rank_int', 15, 35, { returnTerms: true })).results, [{ key: 'c2', term: '20' }, { key: 'c3', term: '30' }], 'range with terms')
  const first = await kv.index('lib', 'rank_int', 0, 100, { maxResults: 3 })
  t.same(first.results.map((r) => r.key), ['c1', 'c2', 'c3'])
  const rest = await kv.index('lib', 'rank_int', 0, 100, { maxResults: 3, continuation: first.continuation })
  t.same(rest.results.map((r) => r.key), ['c4', 'c5'], 'the next page')
  t.equal(rest.continuation, undefined)
  await t.rejects(kv.index('lib', 'rank_int', 'x'), { code: 'INVALID_ARGUMENT' }, 'a bad value is a typed error')
})
