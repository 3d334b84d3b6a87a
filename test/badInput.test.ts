/**
 * Bad input against real nodes: each gets a typed error or a closed connection with a reason,
 * nothing stored is touched, and no node exits.
 */
import { connect as netConnect } from 'node:net'
import t, { type Test } from 'tap'
import { connect, SpineError, type SpineClient } from '../src/client/index.js'
import { LIMITS, NET } from '../src/config.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'
import { codeOf } from './harness/codeOf.js'

let cluster: TestCluster
let client: SpineClient

t.before(async () => {
  cluster = await startCluster(3)
  client = await connect({ seeds: [cluster.host(1)], routing: 'seed', maxRetries: 0 })
  await client.put('safe', 'k', 'original')
})

t.teardown(async () => {
  await client.close()
  await cluster.stop()
})


/** Send raw bytes to a client port; resolves when the node closes the connection. */
function rawSend(port: number, bytes: Buffer): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => s.write(bytes))
    const timer = setTimeout(() => {
      s.destroy()
      resolve('open')
    }, 3_000)
    s.on('error', () => undefined)
    s.on('close', () => {
      clearTimeout(timer)
      resolve('closed')
    })
  })
}

async function stillIntact(t: Test): Promise<void> {
  const r = await client.get('safe', 'k', { r: 'all' })
  t.equal(r.value?.toString(), 'original', 'stored data untouched and every node still answers')
}

t.test('quorum values above N or malformed', async (t) => {
  t.equal(await codeOf(client.get('safe', 'k', { r: 4 })), 'INVALID_QUORUM')
  t.equal(await codeOf(client.put('safe', 'k', 'x', { w: 0 })), 'INVALID_QUORUM')
  t.equal(await codeOf(client.put('safe', 'k', 'x', { pw: 'most' as never })), 'INVALID_QUORUM')
  await stillIntact(t)
})

t.test('empty and over-long keys, buckets and types', async (t) => {
  t.equal(await codeOf(client.put('safe', '', 'x')), 'KEY_TOO_LONG')
  t.equal(await codeOf(client.put('safe', 'k'.repeat(LIMITS.maxKeyBytes + 1), 'x')), 'KEY_TOO_LONG')
  t.equal(await codeOf(client.get('b'.repeat(LIMITS.maxBucketBytes + 1), 'k')), 'KEY_TOO_LONG')
  t.equal(await codeOf(client.get('safe', 'k', { type: 't'.repeat(LIMITS.maxBucketTypeBytes + 1) })), 'KEY_TOO_LONG')
  await stillIntact(t)
})

t.test('a value over the size limit', async (t) => {
  t.equal(await codeOf(client.put('safe', 'k', Buffer.alloc(LIMITS.maxValueBytes + 1))), 'VALUE_TOO_LARGE')
  await stillIntact(t)
})

t.test('a context that is not one the store produced', async (t) => {
  t.equal(await codeOf(client.put('safe', 'k', 'x', { context: Buffer.from('not a context') })), 'INVALID_CONTEXT')
  await stillIntact(t)
})

t.test('malformed and oversized frames close that connection only', async (t) => {
  const huge = Buffer.alloc(4)
  huge.writeUInt32BE(NET.maxFrameBytes + 1)
  t.equal(await rawSend(cluster.clientPort(1), huge), 'closed', 'oversized frame header closes the connection')
  const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([0xc1, 0xc1, 0xc1])])
  t.equal(await rawSend(cluster.clientPort(2), garbage), 'closed', 'undecodable frame closes the connection')
  const clusterPort = cluster.basePort + 10 * 3
  t.equal(await rawSend(clusterPort, huge), 'closed', 'the cluster port closes on an oversized frame too')
  await stillIntact(t)
})

t.test('unknown operations and malformed requests get typed errors', async (t) => {
  const raw = await connect({ seeds: [cluster.host(2)], routing: 'seed', maxRetries: 0 })
  // Reach the wire directly through the client's private channel API by sending odd requests.
  const send = (body: unknown): Promise<string> =>
    codeOf((raw as unknown as { call(a: { host: string; port: number }, b: unknown): Promise<unknown> }).call({ host: '127.0.0.1', port: cluster.clientPort(2) }, body))
  t.equal(await send({ op: 'launch' }), 'UNKNOWN_OPERATION')
  t.equal(await send({ op: 'get', bucket: 7, key: 'k' }), 'INVALID_ARGUMENT')
  t.equal(await send({ op: 'put', bucket: 'safe', key: 'k', value: 'not bytes' }), 'INVALID_ARGUMENT')
  t.equal(await send('just a string'), 'INVALID_ARGUMENT')
  await raw.close()
  await stillIntact(t)
})

t.test('CLI: bad arguments exit 1 with one line', async (t) => {
  const unknown = await cli(['kv', 'get', 'b', 'k', '--bogus', '--host', cluster.host(1)])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /unknown option/)
  const badQ = await cli(['kv', 'get', 'safe', 'k', '--r', 'lots', '--host', cluster.host(1)])
  t.equal(badQ.code, 1)
  t.match(badQ.stderr, /^spinekv: INVALID_ARGUMENT: --r must be/)
  t.equal(badQ.stderr.trim().split('\n').length, 1)
  const tooBig = await cli(['kv', 'get', 'safe', 'k', '--r', '9', '--host', cluster.host(1)])
  t.equal(tooBig.code, 1)
  t.match(tooBig.stderr, /INVALID_QUORUM/)
  const unreachable = await cli(['kv', 'get', 'safe', 'k', '--host', '127.0.0.1:1'])
  t.equal(unreachable.code, 1)
  t.match(unreachable.stderr, /^spinekv: NO_SEED_ANSWERED/)
  const ok = await cli(['kv', 'get', 'safe', 'k', '--host', cluster.host(3)])
  t.equal(ok.code, 0)
  t.equal(ok.stdout, 'original\n')
  const status = await cli(['dev', 'status', '--dir', cluster.dir, '--json'])
  const nodes = JSON.parse(status.stdout) as Array<{ name: string; up: boolean }>
  t.same(nodes.map((n) => [n.name, n.up]), [['n1', true], ['n2', true], ['n3', true]], 'no node exited')
})
