import { connect, type Socket } from 'node:net'
import t from 'tap'
import { SpineError } from '../shared/errors.js'
import type { Logger } from '../shared/log.js'
import { SystemClock } from '../node/realEnv.js'
import { FramedConnection } from './connection.js'
import { encodeFrame } from './frame.js'
import { RpcChannel, type RpcHandler } from './rpc.js'
import { FrameServer, type ConnInfo, type ServerHandler } from './server.js'
import { captureLogger, type LogEntry } from '../../test/harness/captureLogger.js'
import { rejection } from '../../test/harness/codeOf.js'



const clock = new SystemClock()

async function startServer(
  handler: ServerHandler,
  extra: { maxConnections?: number; maxFrameBytes?: number } = {},
): Promise<{ server: FrameServer; log: ReturnType<typeof captureLogger> }> {
  const log = captureLogger()
  const server = new FrameServer({ host: '127.0.0.1', port: 0, clock, log, handler, maxConnections: extra.maxConnections ?? 100, maxFrameBytes: extra.maxFrameBytes })
  await server.listen()
  return { server, log }
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

async function client(port: number, opts: { maxInFlight?: number; handler?: RpcHandler } = {}): Promise<RpcChannel> {
  const socket = await rawSocket(port)
  const log = captureLogger()
  return new RpcChannel(new FramedConnection(socket, log), clock, log, opts.handler, { maxInFlight: opts.maxInFlight })
}

function closedSoon(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {})
    if (socket.destroyed) resolve()
    else socket.once('close', () => resolve())
  })
}


const echo: ServerHandler = async (_conn, body) => ({ echo: body })

t.test('request and reply, with binary values', async (t) => {
  const { server } = await startServer(echo)
  const ch = await client(server.port)
  t.teardown(() => server.close())
  t.same(await ch.request({ op: 'ping', blob: Buffer.from([1, 2, 3]) }, 1000), { echo: { op: 'ping', blob: Buffer.from([1, 2, 3]) } })
  t.equal(ch.inFlight, 0)
})

t.test('1000 concurrent requests share one connection and one write', async (t) => {
  const { server } = await startServer(async (_c, body) => {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)))
    return body
  })
  t.teardown(() => server.close())
  const socket = await rawSocket(server.port)
  let writes = 0
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean
  socket.write = ((chunk: Buffer) => {
    writes++
    return write(chunk)
  }) as typeof socket.write
  const ch = new RpcChannel(new FramedConnection(socket, captureLogger()), clock, captureLogger())
  const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => ch.request({ i }, 5000)))
  t.same(replies, Array.from({ length: 1000 }, (_, i) => ({ i })))
  t.equal(writes, 1, 'all requests queued in one tick went out in one socket write')
  t.equal(server.connectionCount, 1)
})

t.test('handler errors come back as SpineErrors and the connection stays up', async (t) => {
  const { server, log } = await startServer(async (_c, body) => {
    if (body === 'spine') throw new SpineError('NOT_FOUND', 'no such key', { key: 'k1', n: 3 })
    if (body === 'bug') throw new TypeError('x is not a function')
    if (body === 'sync') return (() => { throw new SpineError('INVALID_ARGUMENT', 'sync throw') })()
    return 'fine'
  })
  t.teardown(() => server.close())
  const ch = await client(server.port)
  const e1 = await rejection(ch.request('spine', 1000))
  t.equal(e1.code, 'NOT_FOUND')
  t.equal(e1.message, 'no such key')
  t.same(e1.data, { key: 'k1', n: 3 })
  const e2 = await rejection(ch.request('bug', 1000))
  t.equal(e2.code, 'INTERNAL')
  t.match(e2.message, /x is not a function/)
  t.ok(log.entries.some((e) => e.level === 'error'), 'an unexpected fault is logged')
  t.equal((await rejection(ch.request('sync', 1000))).code, 'INVALID_ARGUMENT')
  t.equal(await ch.request('other', 1000), 'fine')
  t.notOk(ch.closed)
})

t.test('a handler that never answers: TIMEOUT, and a late reply is ignored', async (t) => {
  let release: (v: unknown) => void = () => {}
  const { server } = await startServer((_c, body) => (body === 'hang' ? new Promise((r) => (release = r)) : Promise.resolve(body)))
  t.teardown(() => server.close())
  const ch = await client(server.port)
  const started = Date.now()
  const err = await rejection(ch.request('hang', 50))
  t.equal(err.code, 'TIMEOUT')
  t.same(err.data, { timeoutMs: 50 })
  t.ok(Date.now() - started < 4000, 'settled by its own timer, not by the 5 s alternative')
  release('late')
  t.equal(await ch.request('next', 1000), 'next', 'late reply to the expired id did not disturb the channel')
  t.equal(ch.inFlight, 0)
})

t.test('in-flight limit rejects OVERLOADED', async (t) => {
  const { server } = await startServer(() => new Promise(() => {}))
  t.teardown(() => server.close())
  const ch = await client(server.port, { maxInFlight: 2 })
  const a = ch.request(1, 200)
  const b = ch.request(2, 200)
  t.equal((await rejection(ch.request(3, 200))).code, 'OVERLOADED')
  t.equal((await rejection(a)).code, 'TIMEOUT')
  t.equal((await rejection(b)).code, 'TIMEOUT')
})

t.test('server in-flight limit replies OVERLOADED', async (t) => {
  const log = captureLogger()
  const server = new FrameServer({ host: '127.0.0.1', port: 0, clock, log, handler: () => new Promise(() => {}), maxConnections: 10, maxInFlightPerConnection: 1 })
  await server.listen()
  t.teardown(() => server.close())
  const ch = await client(server.port)
  const a = ch.request(1, 200)
  t.equal((await rejection(ch.request(2, 1000))).code, 'OVERLOADED')
  t.equal((await rejection(a)).code, 'TIMEOUT')
})

t.test('pending requests reject CONNECTION_CLOSED when the connection drops', async (t) => {
  const { server } = await startServer(() => new Promise(() => {}))
  const ch = await client(server.port)
  const pending = [ch.request(1, 5000), ch.request(2, 5000)]
  await new Promise((r) => setTimeout(r, 20))
  await server.close()
  for (const p of pending) t.equal((await rejection(p)).code, 'CONNECTION_CLOSED')
  t.ok(ch.closed)
  t.equal((await rejection(ch.request(3, 100))).code, 'CONNECTION_CLOSED')
})

t.test('hostile bytes close only the offending connection', async (t) => {
  const { server, log } = await startServer(echo, { maxFrameBytes: 1024 })
  t.teardown(() => server.close())
  const good = await client(server.port)
  t.same(await good.request('before', 1000), { echo: 'before' })

  const cases: Array<[string, Buffer, string]> = [
    ['oversized length header', Buffer.from([0x7f, 0xff, 0xff, 0xff]), 'FRAME_TOO_LARGE'],
    ['garbage body', Buffer.from([0, 0, 0, 2, 0xc1, 0xc1]), 'MALFORMED_FRAME'],
    ['msgpack that is not a message', encodeFrame({ not: 'an rpc message' }), 'MALFORMED_FRAME'],
    ['message with a bad kind', encodeFrame([9, 1, null]), 'MALFORMED_FRAME'],
    ['error reply without a WireError', encodeFrame([2, 1, 'nope']), 'MALFORMED_FRAME'],
  ]
  for (const [name, bytes, code] of cases) {
    const s = await rawSocket(server.port)
    const closed = closedSoon(s)
    s.write(bytes)
    await closed
    t.ok(log.entries.some((e) => e.level === 'warn' && (e.obj as { code?: string }).code === code), `${name}: ${code} logged at warn`)
  }
  t.same(await good.request('after', 1000), { echo: 'after' }, 'other connections keep being served')
  t.equal(server.connectionCount, 1)
})

t.test('replies too large for a frame come back as FRAME_TOO_LARGE', async (t) => {
  const { server } = await startServer(async () => Buffer.alloc(4096), { maxFrameBytes: 1024 })
  t.teardown(() => server.close())
  const ch = await client(server.port)
  const err = await rejection(ch.request('big please', 1000))
  t.equal(err.code, 'FRAME_TOO_LARGE')
  t.notOk(ch.closed)
})

t.test('a request larger than the frame limit is refused locally', async (t) => {
  const { server } = await startServer(echo)
  t.teardown(() => server.close())
  const socket = await rawSocket(server.port)
  const log = captureLogger()
  const ch = new RpcChannel(new FramedConnection(socket, log, { maxFrameBytes: 100 }), clock, log)
  t.equal((await rejection(ch.request(Buffer.alloc(200), 1000))).code, 'FRAME_TOO_LARGE')
  t.same(await ch.request('small', 1000), { echo: 'small' })
})

t.test('queued bytes over the limit close the connection', async (t) => {
  const { server } = await startServer(() => new Promise(() => {}))
  t.teardown(() => server.close())
  const socket = await rawSocket(server.port)
  const log = captureLogger()
  const conn = new FramedConnection(socket, log, { maxQueuedBytes: 10_000 })
  const ch = new RpcChannel(conn, clock, log)
  const first = ch.request(Buffer.alloc(6000), 5000)
  const err = await rejection(ch.request(Buffer.alloc(6000), 5000))
  t.equal(err.code, 'OVERLOADED')
  t.equal((await rejection(first)).code, 'CONNECTION_CLOSED')
  t.ok(conn.closed)
  t.ok(log.entries.some((e) => e.level === 'warn' && (e.obj as { code?: string }).code === 'OVERLOADED'))
})

t.test('connections beyond the cap are destroyed with a log line', async (t) => {
  const { server, log } = await startServer(echo, { maxConnections: 2 })
  t.teardown(() => server.close())
  const a = await client(server.port)
  const b = await client(server.port)
  t.same(await a.request(1, 1000), { echo: 1 })
  t.same(await b.request(2, 1000), { echo: 2 })
  const c = await client(server.port)
  t.equal((await rejection(c.request(3, 1000))).code, 'CONNECTION_CLOSED')
  t.ok(log.entries.some((e) => e.level === 'warn' && /connection limit/.test(e.msg ?? '')))
  t.equal(server.connectionCount, 2)
})

t.test('connection info reaches the handler; peerName is mutable per connection', async (t) => {
  const seen: ConnInfo[] = []
  const { server } = await startServer(async (conn, body) => {
    if (typeof body === 'string') conn.peerName = body
    seen.push(conn)
    return conn.peerName ?? null
  })
  t.teardown(() => server.close())
  const a = await client(server.port)
  const b = await client(server.port)
  t.equal(await a.request('alpha', 1000), 'alpha')
  t.equal(await b.request(0, 1000), null)
  t.equal(await a.request(0, 1000), 'alpha')
  t.match(seen[0]?.remoteAddress, /^127\.0\.0\.1:\d+$/)
  t.not(seen[0]?.id, seen[1]?.id)
})

t.test('listen rejects when the port is taken', async (t) => {
  const { server } = await startServer(echo)
  t.teardown(() => server.close())
  const other = new FrameServer({ host: '127.0.0.1', port: server.port, clock, log: captureLogger(), handler: echo, maxConnections: 1 })
  await t.rejects(other.listen(), { code: 'EADDRINUSE' })
  await other.close()
})
