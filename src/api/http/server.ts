/**
 * The HTTP port (fastify): Riak's HTTP resources (src/api/http/riak/) and the Patient routes. Every error is JSON
 * `{code, message, data}` with the status ERROR_CODES gives the code; the handlers only throw
 * SpineErrors, and framework errors (body too large, bad URL, bad Content-Length) are mapped here.
 */
import type { Socket } from 'node:net'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { ERROR_CODES, SpineError, toSpineError } from '../../shared/errors.js'
import { PerClientConnections } from '../../net/perClient.js'
import { KV, LIMITS, NET, PATIENT } from '../../config.js'
import { patientError } from '../../patient/errors.js'
import type { KvEnv } from '../../kv/env.js'
import type { MethodTable } from './methodTable.js'
import { CounterWindow } from './riak/counterWindow.js'
import { registerRiakRoutes } from './riak/routes.js'
import { isFhirPath, registerPatientRoutes, sendOutcome, sendStoreErrorAsOutcome } from './patientRoutes.js'
import type { PatientStore } from '../../patient/patientStore.js'
import { registerPdsHeaders } from './pdsHeaders.js'
import { ReplayMemory, type ReplayLimits } from './replayMemory.js'

export interface HttpApiDeps {
  env: KvEnv
  /** The Patient routes' records and search. */
  patients: PatientStore
  /** The body of GET /stats. */
  stats(): Record<string, unknown>
  /** Coordinations in flight from this port before new ones get OVERLOADED (default KV.maxInFlightOps). */
  maxInFlight?: number
  /** Connections one client address may hold (default NET.maxConnectionsPerClient). */
  maxConnectionsPerClient?: number
  /** The X-Request-ID answer memory's bounds (default PATIENT.requestIdMemory*). */
  requestIdMemory?: ReplayLimits
}

export interface HttpApi {
  app: FastifyInstance
  listen(host: string, port: number): Promise<void>
  close(): Promise<void>
}


export function sendError(reply: FastifyReply, e: SpineError, status: number = ERROR_CODES[e.code].status): FastifyReply {
  // Overload passes: say when to come back (RFC 9110 §10.2.3), as the Patient routes do.
  if (e.code === 'OVERLOADED') reply.header('retry-after', String(PATIENT.retryAfterSeconds))
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(e.toWire()) + '\n')
}

/**
 * A request Node's parser refused before fastify saw it: headers over NET.maxHttpHeaderBytes (431)
 * or bytes that are not HTTP (400), answered as our JSON errors, and the connection closed.
 */
function clientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const e = tooLarge
    ? new SpineError('INVALID_ARGUMENT', `request headers are larger than ${NET.maxHttpHeaderBytes} bytes`, { max: NET.maxHttpHeaderBytes })
    : new SpineError('INVALID_ARGUMENT', 'the request is not valid HTTP', { parser: err.code ?? null })
  const body = JSON.stringify(e.toWire()) + '\n'
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}

/** Fastify's own errors as registry codes. */
function fromFramework(err: FastifyError, url: string): SpineError {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const max = isFhirPath(url) ? PATIENT.maxBodyBytes : LIMITS.maxValueBytes
    return new SpineError('VALUE_TOO_LARGE', `request body is larger than ${max} bytes`, { max })
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new SpineError('INVALID_ARGUMENT', err.message, { framework: err.code })
  }
  return toSpineError(err)
}

export function createHttpApi(deps: HttpApiDeps): HttpApi {
  const log = deps.env.log.child({ port: 'http' })
  const app = Fastify({
    logger: false,
    // The body of a KV write is the value itself, so the value limit is the body limit: an
    // oversized Content-Length is refused with 413 before any of the body is read.
    bodyLimit: LIMITS.maxValueBytes,
    exposeHeadRoutes: false,
    // Keys may be up to LIMITS.maxKeyBytes (3× that percent-encoded): let checkBKey judge their
    // length (KEY_TOO_LONG) rather than the router (404). Node's 16 KiB header limit bounds the URL.
    routerOptions: { maxParamLength: 16 * 1024 },
    frameworkErrors: (err, _req, reply) => {
      void sendError(reply, new SpineError('INVALID_ARGUMENT', err.message, { framework: err.code }))
    },
    // Named rather than left to Node's default, so the limit is one an operator can find.
    http: { maxHeaderSize: NET.maxHttpHeaderBytes },
    clientErrorHandler: clientError,
  })
  app.server.maxConnections = NET.maxClientConnections
  const perClient = new PerClientConnections(deps.maxConnectionsPerClient ?? NET.maxConnectionsPerClient)
  app.server.on('connection', (socket: Socket) => {
    if (!perClient.admit(socket)) {
      log.warn({ remote: socket.remoteAddress, max: perClient.max }, 'HTTP connection refused: the client is at its connection limit')
      socket.destroy()
    }
  })
  // A client that sends `Expect: 100-continue` with a Content-Length over the limit gets the 413
  // instead of "100 Continue", so it never sends the body; every other request goes to fastify.
  app.server.on('checkContinue', (req, res) => {
    const length = Number(req.headers['content-length'])
    if (Number.isFinite(length) && length > LIMITS.maxValueBytes) {
      const e = new SpineError('VALUE_TOO_LARGE', `request body is larger than ${LIMITS.maxValueBytes} bytes`, { size: length, max: LIMITS.maxValueBytes })
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
      res.end(JSON.stringify(e.toWire()) + '\n')
      return
    }
    res.writeContinue()
    app.server.emit('request', req, res)
  })

  // Every body is bytes: the value of a KV write. No parsing, whatever the Content-Type.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  app.setErrorHandler((err: FastifyError | SpineError, req, reply) => {
    const e = err instanceof SpineError ? err : fromFramework(err, req.url)
    if (e.code === 'INTERNAL') log.error({ err: e.message, method: req.method, url: req.url }, 'HTTP request failed')
    return isFhirPath(req.url) ? sendStoreErrorAsOutcome(reply, e) : sendError(reply, e)
  })
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new SpineError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}; see docs/api.md "HTTP API"`, { route: true })),
  )

  const route = (url: string, table: MethodTable, opts: { bodyLimit?: number } = {}): void => {
    const allow = Object.keys(table).join(', ')
    app.all(url, opts, async (req, reply) => {
      const h = table[req.method] ?? (req.method === 'HEAD' ? table.GET : undefined)
      if (!h) {
        reply.header('allow', allow)
        if (isFhirPath(url)) return sendOutcome(reply, [patientError('UNSUPPORTED_OPERATION', `${req.method} is not allowed on ${url}; allowed: ${allow}`)])
        return sendError(reply, new SpineError('UNKNOWN_OPERATION', `${req.method} is not allowed on ${url}; allowed: ${allow}`, { method: req.method, allow }), 405)
      }
      return h(req, reply)
    })
  }

  const memory = new ReplayMemory(
    deps.requestIdMemory ?? { maxEntries: PATIENT.requestIdMemoryEntries, maxBytes: PATIENT.requestIdMemoryBytes, ttlMs: PATIENT.requestIdMemoryMs },
    () => deps.env.clock.now(),
  )
  registerPdsHeaders(app, memory)

  const window = new CounterWindow(deps.env.clock, deps.env.stats)
  registerRiakRoutes(route, { env: deps.env, maxInFlight: deps.maxInFlight ?? KV.maxInFlightOps, window, stats: deps.stats })
  registerPatientRoutes(route, deps.patients, deps.maxInFlight ?? KV.maxInFlightOps)

  return {
    app,
    async listen(host, port) {
      await app.listen({ host, port })
      window.start()
    },
    async close() {
      window.stop()
      await app.close()
    },
  }
}
