import { connect, createServer, type Socket } from 'node:net'
import t from 'tap'
import { SpineError } from '../shared/errors.js'
import type { Logger } from '../shared/log.js'
import { SystemClock } from '../node/realEnv.js'
import { encodeFrame } from './frame.js'
import { TcpTransport, type PeerAddress } from './tcp.js'
import type { RequestHandler } from './transport.js'
import { captureLogger, type LogEntry } from '../../test/harness/captureLogger.js'
import { rejection } from '../../test/harness/codeOf.js'



const clock = new SystemClock()
const HOST = '127.0.0.1'

function transport(self: string, port = 0, peers = new Map<string, PeerAddress>()): TcpTransport & { logs: ReturnType<typeof captureLogger> } {
  const log = captureLogger()
  const tr = new TcpTransport({ self, host: HOST, port, peers, clock, log, connectTimeoutMs: 500 })
  return Object.assign(tr, { logs: log })
}

/** Two listening transports that know each other. */
async function pair(t: { teardown: (fn: () => unknown) => void }): Promise<[ReturnType<typeof transport>, ReturnType<typeof transport>]> {
  const a = transport('a')
  const b = transport('b')
  await a.listen()
  await b.listen()
  a.setPeer('b', { host: HOST, port: b.port })
  b.setPeer('a', { host: HOST, port: a.port })
  t.teardown(async () => {
    await a.close()
    await b.close()
  })
  return [a, b]
}

const whoAmI =
  (self: string): RequestHandler =>
  async (from, body) => ({ self, from, body })


function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port })
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {})
    socket.once('close', () => resolve())
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test('request and reply both ways, with the sender named as from', async (t) => {
  const [a, b] = await pair(t)
  a.serve(whoAmI('a'))
  b.serve(whoAmI('b'))
  t.same(await a.request('b', { op: 'get', key: Buffer.from('k') }, 1000), { self: 'b', from: 'a', body: { op: 'get', key: Buffer.from('k') } })
  t.same(await b.request('a', 'hi', 1000), { self: 'a', from: 'b', body: 'hi' })
  t.equal(a.inboundConnections, 1)
  t.equal(b.inboundConnections, 1)
})

t.test('a request to self skips the network and returns the same object', async (t) => {
  const a = transport('a')
  // The clock's timers are unref'd; the listener is what keeps this test process alive.
  await a.listen()
  t.teardown(() => a.close())
  const result = { big: 'object' }
  let seenFrom = ''
  a.serve(async (from) => {
    seenFrom = from
    return result
  })
  let ran = false
  const p = a.request('a', 'x', 1000).then((r) => {
    ran = true
    return r
  })
  t.notOk(ran, 'handler result not delivered synchronously')
  t.equal(await p, result, 'no copy')
  t.equal(seenFrom, 'a')
  a.serve(() => new Promise(() => {}))
  t.equal((await rejection(a.request('a', 'x', 30))).code, 'TIMEOUT')
})

t.test('1000 concurrent requests are answered over a single connection', async (t) => {
  const [a, b] = await pair(t)
  b.serve(async (_from, body) => {
    await sleep(Math.floor(Math.random() * 10))
    return body
  })
  const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => a.request('b', i, 5000)))
  t.same(replies, Array.from({ length: 1000 }, (_, i) => i))
  t.equal(b.inboundConnections, 1, 'only one TCP connection was opened')
  await Promise.all(Array.from({ length: 100 }, (_, i) => a.request('b', i, 5000)))
  t.equal(b.inboundConnections, 1, 'later requests reuse it')
})

t.test('handler errors arrive with the same code and data', async (t) => {
  const [a, b] = await pair(t)
  b.serve(async () => {
    throw new SpineError('NOT_OWNER', 'partition 7 moved', { partition: 7, owner: 'c' })
  })
  const err = await rejection(a.request('b', 'x', 1000))
  t.equal(err.code, 'NOT_OWNER')
  t.equal(err.message, 'partition 7 moved')
  t.same(err.data, { partition: 7, owner: 'c' })
})

t.test('a handler that never resolves times out', async (t) => {
  const [a, b] = await pair(t)
  b.serve(() => new Promise(() => {}))
  const started = Date.now()
  const err = await rejection(a.request('b', 'x', 50))
  t.equal(err.code, 'TIMEOUT')
  t.same(err.data, { timeoutMs: 50 })
  t.ok(Date.now() - started < 4000, 'settled by its own timer, not by the 5 s alternative')
})

t.test('unknown node rejects UNREACHABLE', async (t) => {
  const a = transport('a')
  t.teardown(() => a.close())
  t.equal((await rejection(a.request('nobody', 'x', 1000))).code, 'UNREACHABLE')
})

t.test('a stopped peer rejects UNREACHABLE quickly, then fails fast during the backoff', async (t) => {
  const [a, b] = await pair(t)
  b.serve(whoAmI('b'))
  const port = b.port
  await b.close()
  a.setPeer('b', { host: HOST, port })
  const started = Date.now()
  const err = await rejection(a.request('b', 'x', 5000))
  t.equal(err.code, 'UNREACHABLE')
  t.same(err.data, { node: 'b', address: `${HOST}:${port}`, cause: 'ECONNREFUSED' })
  t.ok(Date.now() - started < 4000, 'well before the 5 s request timeout')
  const again = await rejection(a.request('b', 'x', 5000))
  t.equal(again.code, 'UNREACHABLE')
  t.type(again.data.retryInMs, 'number', 'no second connect inside the backoff window')
})

/** A port that accepts TCP connections and never says a word: a hung peer. */
async function silentPeer(t: { teardown: (fn: () => unknown) => void }): Promise<number> {
  const sockets: Socket[] = []
  const server = createServer((s) => sockets.push(s))
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const addr = server.address()
  return addr !== null && typeof addr === 'object' ? addr.port : 0
}

t.test('a peer that never completes the handshake: UNREACHABLE after connectTimeoutMs', async (t) => {
  const port = await silentPeer(t)
  const a = new TcpTransport({ self: 'a', host: HOST, port: 0, peers: new Map([['x', { host: HOST, port }]]), clock, log: captureLogger(), connectTimeoutMs: 100 })
  t.teardown(() => a.close())
  const started = Date.now()
  const err = await rejection(a.request('x', 'hi', 5000))
  const took = Date.now() - started
  t.equal(err.code, 'UNREACHABLE')
  t.same(err.data, { node: 'x', address: `${HOST}:${port}` })
  t.ok(took >= 90 && took < 4000, `took ${took} ms: after connectTimeoutMs, before the 5 s request timeout`)
})

t.test('a short request timeout wins over a slow connect', async (t) => {
  const port = await silentPeer(t)
  const a = new TcpTransport({ self: 'a', host: HOST, port: 0, peers: new Map([['x', { host: HOST, port }]]), clock, log: captureLogger(), connectTimeoutMs: 2000 })
  t.teardown(() => a.close())
  const started = Date.now()
  const err = await rejection(a.request('x', 'hi', 50))
  t.equal(err.code, 'TIMEOUT')
  t.same(err.data, { timeoutMs: 50 })
  t.ok(Date.now() - started < 4000, 'settled by its own timer, not by the 5 s alternative')
})

t.test('hostile bytes on the cluster port close only that connection', async (t) => {
  const [a, b] = await pair(t)
  b.serve(whoAmI('b'))
  t.same(await a.request('b', 1, 1000), { self: 'b', from: 'a', body: 1 })
  for (const bytes of [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1])]) {
    const s = await rawSocket(b.port)
    const done = closed(s)
    s.write(bytes)
    await done
  }
  t.ok(b.logs.entries.some((e) => e.level === 'warn' && (e.obj as { code?: string }).code === 'FRAME_TOO_LARGE'))
  t.ok(b.logs.entries.some((e) => e.level === 'warn' && (e.obj as { code?: string }).code === 'MALFORMED_FRAME'))
  t.same(await a.request('b', 2, 1000), { self: 'b', from: 'a', body: 2 }, 'still serving')
})

t.test('a connection that skips the hello is refused requests', async (t) => {
  const [, b] = await pair(t)
  b.serve(whoAmI('b'))
  const s = await rawSocket(b.port)
  t.teardown(() => s.destroy())
  const reply = new Promise<Buffer>((resolve) => s.once('data', resolve))
  s.write(encodeFrame([0, 1, 'no hello']))
  const frame = await reply
  t.match(frame.toString('latin1'), /INVALID_ARGUMENT/)
})

t.test('peer restart: requests succeed again after the backoff', async (t) => {
  const a = transport('a')
  const b1 = transport('b')
  await a.listen()
  await b1.listen()
  const port = b1.port
  a.setPeer('b', { host: HOST, port })
  b1.serve(whoAmI('b1'))
  t.same(await a.request('b', 'x', 1000), { self: 'b1', from: 'a', body: 'x' })

  await b1.close()
  const down = await rejection(a.request('b', 'x', 1000))
  t.ok(['CONNECTION_CLOSED', 'UNREACHABLE'].includes(down.code), `while down: ${down.code}`)

  const b2 = transport('b', port)
  await b2.listen()
  b2.serve(whoAmI('b2'))
  t.teardown(async () => {
    await a.close()
    await b2.close()
  })
  const started = Date.now()
  let result: unknown
  while (Date.now() - started < 3000) {
    try {
      result = await a.request('b', 'y', 1000)
      break
    } catch (e) {
      if (!(e instanceof SpineError) || !['CONNECTION_CLOSED', 'UNREACHABLE'].includes(e.code)) throw e
      await sleep(25)
    }
  }
  t.same(result, { self: 'b2', from: 'a', body: 'y' })
  t.ok(Date.now() - started < 3000, 'recovered inside the retry loop')
})

t.test('close rejects new requests and in-flight ones', async (t) => {
  const [a, b] = await pair(t)
  // Close only once the request is really in flight at b (a fixed sleep raced the handshake on a loaded machine).
  let arrived!: () => void
  const atPeer = new Promise<void>((r) => (arrived = r))
  b.serve(() => {
    arrived()
    return new Promise(() => {})
  })
  const pending = a.request('b', 'x', 5000)
  await atPeer
  await a.close()
  t.equal((await rejection(pending)).code, 'CONNECTION_CLOSED')
  t.equal((await rejection(a.request('b', 'x', 1000))).code, 'SHUTTING_DOWN')
})

t.test('setPeer to a new address moves the connection', async (t) => {
  const [a, b] = await pair(t)
  b.serve(whoAmI('b'))
  t.same(await a.request('b', 1, 1000), { self: 'b', from: 'a', body: 1 })
  const moved = transport('b')
  await moved.listen()
  moved.serve(whoAmI('b moved'))
  t.teardown(() => moved.close())
  a.setPeer('b', { host: HOST, port: moved.port })
  t.same(await a.request('b', 2, 1000), { self: 'b moved', from: 'a', body: 2 })
})

t.test('a node answering the hello under another name is not used', async (t) => {
  const [a, b] = await pair(t)
  b.serve(whoAmI('b'))
  const c = transport('c')
  await c.listen()
  let reached = false
  c.serve(async () => {
    reached = true
    return 'wrong node'
  })
  t.teardown(() => c.close())
  a.setPeer('b', { host: HOST, port: c.port })
  const err = await rejection(a.request('b', 'x', 1000))
  t.equal(err.code, 'UNREACHABLE')
  t.equal(err.data.cause, 'WRONG_NODE')
  t.notOk(reached, 'no request reached the wrong node')
  t.ok(a.logs.entries.some((e) => e.level === 'warn' && /another name/.test(e.msg ?? '')))
})

t.test('an invalid peer port rejects UNREACHABLE instead of throwing', async (t) => {
  const a = transport('a')
  await a.listen()
  t.teardown(() => a.close())
  a.setPeer('z', { host: HOST, port: 70000 })
  const err = await rejection(a.request('z', 'x', 1000))
  t.equal(err.code, 'UNREACHABLE')
  t.equal(err.data.cause, 'BAD_ADDRESS')
})
