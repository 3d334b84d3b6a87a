/**
 * Three real node processes on loopback: quorum reads and writes, siblings, deletes, a node
 * killed with SIGKILL and brought back on its old data, and read repair.
 */
import t from 'tap'
import { connect, SpineError, type SpineClient } from '../src/client/index.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'
import { codeOf } from './harness/codeOf.js'
import { KV } from '../src/config.js'

let cluster: TestCluster
const clients: SpineClient[] = []

async function clientOf(i: number): Promise<SpineClient> {
  const c = await connect({ seeds: [cluster.host(i)], routing: 'seed', maxRetries: 0, timeoutMs: 3_000 })
  clients.push(c)
  return c
}


async function waitFor(what: string, fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.before(async () => {
  cluster = await startCluster(3)
})

t.teardown(async () => {
  await Promise.allSettled(clients.map((c) => c.close()))
  await cluster.stop()
})

t.test('a put on node 1 is read on node 3', async (t) => {
  const c1 = await clientOf(1)
  const c3 = await clientOf(3)
  await c1.put('patients', '9434765919', JSON.stringify({ family: 'Smith' }), { contentType: 'application/json' })
  const r = await c3.get('patients', '9434765919')
  t.equal(r.found, true)
  t.same(JSON.parse(r.value!.toString()), { family: 'Smith' })
  t.equal(r.siblings.length, 1)
})

t.test('two blind puts from two clients make two siblings; a put with the merged context resolves them', async (t) => {
  const a = await clientOf(1)
  const b = await clientOf(2)
  await a.put('sib', 'k', 'from-a')
  await b.put('sib', 'k', 'from-b')
  const r = await a.get('sib', 'k')
  t.same(r.siblings.map((s) => s.value.toString()).sort(), ['from-a', 'from-b'])
  t.equal(r.value, undefined, 'no single value without a resolver')
  const resolved = await b.get('sib', 'k', { resolver: (s) => s.find((x) => x.value.toString() === 'from-b')! })
  t.equal(resolved.value?.toString(), 'from-b')
  await b.put('sib', 'k', 'merged', { context: r.context })
  const after = await clientOf(3).then((c) => c.get('sib', 'k', { r: 'all' }))
  t.same(after.siblings.map((s) => s.value.toString()), ['merged'])
})

t.test('a deleted key reads as not found and stays gone after the reap delay', async (t) => {
  const c = await clientOf(2)
  await c.put('del', 'gone', 'x')
  await c.delete('del', 'gone')
  t.equal((await c.get('del', 'gone')).found, false)
  const cliGet = await cli(['kv', 'get', 'del', 'gone', '--host', cluster.host(1)])
  t.equal(cliGet.code, 3, 'CLI exits 3 for not found')
  // Default reap delay is 3 s: afterwards no primary holds even the tombstone.
  await waitFor('tombstone reaped', async () => (await c.replicas('del', 'gone')).every((r) => !r.found), 10_000)
  t.equal((await c.get('del', 'gone', { r: 'all' })).found, false)
})

t.test('kill -9 one node: R=2 and W=2 work, R=3 and PR=3 fail typed; restart heals', async (t) => {
  const c1 = await clientOf(1)
  await c1.put('kill', 'before', 'v0', { w: 'all' })
  const stop = await cli(['dev', 'stop', '--dir', cluster.dir, '--node', 'n3', '--kill'])
  t.equal(stop.code, 0, stop.stderr)

  t.equal((await c1.get('kill', 'before', { r: 2 })).value?.toString(), 'v0')
  // Strict quorum (primaries only) throughout: after FAILURE.downAfterMs the detector would hand
  // n3's slot to a fallback; sloppy quorum and handoff have their own test (handoffCluster).
  const strict = { sloppyQuorum: false }
  t.equal(await codeOf(c1.put('kill', 'during', 'v1', { w: 2, ...strict })), 'ok')
  const r3 = await c1.get('kill', 'before', { r: 3, ...strict }).catch((e: unknown) => e)
  t.ok(r3 instanceof SpineError && r3.code === 'R_UNSATISFIED', 'r=3 is R_UNSATISFIED')
  t.match((r3 as SpineError).data, { required: 3, errors: 1 })
  t.equal(await codeOf(c1.get('kill', 'before', { pr: 3 })), 'PR_UNSATISFIED')
  t.equal(await codeOf(c1.put('kill', 'w3', 'v', { w: 3, ...strict })), 'W_UNSATISFIED')
  t.equal(await codeOf(c1.put('kill', 'pw3', 'v', { pw: 3 })), 'PW_UNSATISFIED')
  const cliPr3 = await cli(['kv', 'get', 'kill', 'before', '--pr', '3', '--host', cluster.host(1)])
  t.equal(cliPr3.code, 1)
  t.match(cliPr3.stderr, /^spinekv: PR_UNSATISFIED: .*\n$/)

  const start = await cli(['dev', 'start', '--dir', cluster.dir, '--node', 'n3'])
  t.equal(start.code, 0, start.stderr)
  const n3copy = async (key: string): Promise<boolean> => {
    const reps = await c1.replicas('kill', key)
    return reps.find((r) => r.node === 'n3')?.found === true
  }
  await waitFor('n3 reachable again', async () => (await codeOf(c1.get('kill', 'before', { r: 3 }))) === 'ok')
  t.equal(await n3copy('before'), true, 'restarted node kept its old data')
  t.equal(await n3copy('during'), false, 'the key written while n3 was down is missing there')
  const read = await c1.get('kill', 'during', { r: 'all' })
  t.equal(read.value?.toString(), 'v1')
  await waitFor('read repair of n3', () => n3copy('during'))
  t.pass('read repair copied the key to n3')
})

t.test('putMany: every valid item stored on all N replicas, each bad one refused in its place', async (t) => {
  const c1 = await clientOf(1)
  const items = [
    { bucket: 'bulk', key: 'a', value: 'one' },
    { bucket: 'bulk', key: '', value: 'empty key' },
    { bucket: 'bulk', key: 'b', value: Buffer.from([1, 2, 3]), meta: { source: 'import' } },
    { bucket: 'bulk', key: 'c', value: 'bad context', context: Buffer.from([0xc1]) },
    { bucket: 'bulk', key: 'd', value: 'four', type: 'default', contentType: 'text/csv' },
  ]
  const r = await c1.putMany(items, { w: 'all' })
  t.equal(r.stored, 3)
  t.same(r.errors.map((e) => [e.index, e.code]), [[1, 'KEY_TOO_LONG'], [3, 'INVALID_CONTEXT']])
  const c3 = await clientOf(3)
  t.equal((await c3.get('bulk', 'a')).value?.toString(), 'one')
  t.same([...(await c3.get('bulk', 'b')).value!], [1, 2, 3])
  t.equal((await c3.get('bulk', 'd')).siblings[0]!.contentType, 'text/csv')
  t.equal((await c3.get('bulk', 'c')).found, false, 'the refused item wrote nothing')
  const copies = await c3.replicas('bulk', 'b')
  t.equal(copies.filter((x) => x.found).length, 3, 'w=all: every primary holds the write')
})

t.test('putMany refuses a batch over KV.maxBatchItems whole, and a non-list', async (t) => {
  const c1 = await clientOf(1)
  const many = Array.from({ length: KV.maxBatchItems + 1 }, (_, i) => ({ bucket: 'bulk', key: `over${i}`, value: 'x' }))
  t.equal(await codeOf(c1.putMany(many)), 'INVALID_ARGUMENT')
  t.equal((await c1.get('bulk', 'over0')).found, false, 'nothing of it was written')
  t.equal(await codeOf(c1.admin('putMany', { items: 'not a list' })), 'INVALID_ARGUMENT')
})
