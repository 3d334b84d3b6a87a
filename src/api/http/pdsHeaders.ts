/**
 * PDS's request-header contract on every /Patient request, as fastify hooks so it holds for every
 * route and every answer (404s, 405s and body-too-large included): X-Request-ID and
 * X-Correlation-ID mirrored, a missing or malformed X-Request-ID refused before anything else, and a
 * retried request (same X-Request-ID, method and path: the path with its query) answered from the
 * first attempt's result out of a ReplayMemory. Answers of 5xx are not remembered: overload, a quorum
 * not met or a timeout is what a retry is for, so the retry runs again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isFhirPath, sendOutcome } from './patientRoutes.js'
import { mirroredHeaders, requestIdOf } from './requestIds.js'
import type { ReplayMemory, StoredReply, Ticket } from './replayMemory.js'

/** Set on an answer replayed from memory, so a caller (and an operator reading a trace) can tell. */
export const REPLAYED_HEADER = 'x-spinekv-replayed'

/** Headers of the first answer not replayed: the retry's own correlation id is mirrored instead; fastify sets the length. */
const NOT_REPLAYED = new Set(['x-correlation-id', 'content-length', REPLAYED_HEADER])

function remembered(reply: FastifyReply, payload: unknown): StoredReply | undefined {
  if (reply.statusCode >= 500) return undefined
  if (typeof payload !== 'string' && !(payload instanceof Buffer)) return undefined
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined || NOT_REPLAYED.has(name)) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return { status: reply.statusCode, headers, body: payload }
}

export function registerPdsHeaders(app: FastifyInstance, memory: ReplayMemory): void {
  /** The first attempts this node is running, each with its claim on the memory. */
  const tickets = new WeakMap<FastifyRequest, Ticket>()
  const release = (req: FastifyRequest, reply: StoredReply | undefined): void => {
    const ticket = tickets.get(req)
    if (ticket === undefined) return
    tickets.delete(req)
    ticket.finish(reply)
  }

  app.addHook('onRequest', async (req, reply) => {
    if (!isFhirPath(req.url)) return
    reply.headers(mirroredHeaders(req))
    const id = requestIdOf(req)
    if (!id.ok) return sendOutcome(reply, id.errors)
    const key = `${req.method} ${req.url} ${id.value}`
    // Bounded: each turn either answers, claims the key, or waits for the attempt holding it to finish.
    for (;;) {
      const found = memory.lookup(key)
      if (found.kind === 'replay') return reply.code(found.reply.status).headers(found.reply.headers).header(REPLAYED_HEADER, 'true').send(found.reply.body)
      if (found.kind === 'first') {
        tickets.set(req, found.ticket)
        return
      }
      await found.settled
    }
  })
  app.addHook('onSend', async (req, reply, payload) => {
    release(req, remembered(reply, payload))
    return payload
  })
  // Backstops: an attempt that ends without sending releases its waiters, and they run it themselves.
  app.addHook('onResponse', async (req) => release(req, undefined))
  app.addHook('onRequestAbort', async (req) => release(req, undefined))
}
