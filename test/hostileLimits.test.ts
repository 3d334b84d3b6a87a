/**
 * The hostile-input limits issue 18 added: NET.maxConnectionsPerClient on every port (client and
 * cluster ports' FrameServer, Riak PB, HTTP) and NET.maxHttpHeaderBytes on the HTTP port.
 */
import { connect as netConnect, type Socket } from 'node:net'
import t from 'tap'
import { createHttpApi, type HttpApi } from '../src/api/http/server.js'
import { PbServer } from '../src/api/pb/server.js'
import { NET } from '../src/config.js'
import { encodeFrame, FrameDecoder } from '../src/net/frame.js'
import { FrameServer } from '../src/net/server.js'
import { SystemClock } from '../src/node/realEnv.js'
import { silentLogger } from '../src/shared/log.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'

/** A connected socket, and a promise that settles when the other end closes it. */
function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => resolve({ socket, closed }))
    const closed = new Promise<void>((r) => socket.on('close', () => r()))
    socket.on('error', () => undefined)
    setTimeout(() => reject(new Error('connect timed out')), 3_000).unref()
  })
}

function closedWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])
}

/** A ping on a FrameServer connection: true when answered. */
function pinged(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const dec = new FrameDecoder(NET.maxFrameBytes)
    const timer = setTimeout(() => resolve(false), 2_000)
    socket.on('data', (chunk: Buffer) => {
      if (dec.push(chunk).length > 0) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    socket.write(encodeFrame([0, 1, { op: 'ping' }]))
  })
}

t.test('FrameServer (client and cluster ports): a client address holds at most maxConnectionsPerClient', async (t) => {
  t.ok(NET.maxConnectionsPerClient > 0 && NET.maxConnectionsPerClient <= NET.maxClientConnections, 'named in config, below the per-node limit')
  const server = new FrameServer({ host: '127.0.0.1', port: 0, clock: new SystemClock(), log: silentLogger(), handler: async () => ({ pong: true }), maxConnections: 100, maxConnectionsPerClient: 2 })
  await server.listen()
  t.teardown(() => server.close())
  const a = await open(server.port)
  const b = await open(server.port)
  const c = await open(server.port)
  t.ok(await closedWithin(c.closed, 2_000), 'the third connection from one address is closed at once')
  t.ok(await pinged(a.socket), 'the first two still serve')
  t.ok(await pinged(b.socket), 'both of them')
  a.socket.destroy()
  await a.closed
  await new Promise((r) => setTimeout(r, 50))
  const d = await open(server.port)
  t.ok(await pinged(d.socket), 'a connection closed frees its slot')
  b.socket.destroy()
  d.socket.destroy()
})

let cluster: InProcessCluster
t.before(async () => {
  cluster = await inProcessCluster(3)
})
t.teardown(() => cluster.stop())

t.test('PB port: a client address holds at most maxConnectionsPerClient', async (t) => {
  const server = new PbServer({ env: cluster.nodes[0]!.env, serverVersion: 'test', host: '127.0.0.1', port: 0, log: silentLogger(), maxConnectionsPerClient: 1 })
  await server.listen()
  t.teardown(() => server.close())
  const a = await open(server.port)
  const b = await open(server.port)
  t.ok(await closedWithin(b.closed, 2_000), 'the second connection is closed at once')
  t.notOk(await closedWithin(a.closed, 200), 'the first stays open')
  a.socket.destroy()
})

t.test('HTTP port: connections per client, and headers over maxHttpHeaderBytes answered 431 with a code', async (t) => {
  const node = cluster.nodes[0]!
  const api: HttpApi = createHttpApi({ env: node.env, patients: node.patients, stats: () => ({}), maxConnectionsPerClient: 1 })
  await api.listen('127.0.0.1', 0)
  t.teardown(() => api.close())
  const address = api.app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0

  const a = await open(port)
  const b = await open(port)
  t.ok(await closedWithin(b.closed, 2_000), 'a second connection from one address is closed at once')
  const reply = new Promise<string>((resolve) => {
    let text = ''
    a.socket.on('data', (c: Buffer) => {
      text += c.toString('latin1')
      if (text.includes('\r\n\r\n') && /\}\s*$/.test(text)) resolve(text)
    })
    a.closed.then(() => resolve(text))
  })
  a.socket.write(`GET /ping HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(NET.maxHttpHeaderBytes + 1)}\r\n\r\n`)
  const text = await reply
  t.match(text, /^HTTP\/1\.1 431 /, 'headers over the limit: 431')
  t.match(text, /"code":"INVALID_ARGUMENT"/, 'with a JSON error naming its code')
  t.match(text, new RegExp(`larger than ${NET.maxHttpHeaderBytes} bytes`))
  a.socket.destroy()

  await new Promise((r) => setTimeout(r, 50))
  const res = await fetch(`http://127.0.0.1:${port}/ping`, { headers: { 'x-ok': 'a'.repeat(1024) } })
  t.equal(res.status, 200, 'headers within the limit are served')
})
