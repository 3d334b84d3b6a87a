/**
 * The Transport simulated nodes run on, with the TCP transport's contract: bodies are copied
 * through msgpack (no shared objects between nodes), a request times out on the node's own
 * clock with TIMEOUT, a request to a node that is down is refused with UNREACHABLE one round trip
 * later (the RST of a refused connect), requests a node was serving when it crashed fail with
 * CONNECTION_CLOSED (the kernel closes a dead process's sockets), and a request to self runs
 * asynchronously without touching the network.
 *
 * Each transport is one incarnation of a node: a crash kills it for good, and the restarted node
 * gets a new one. A killed transport never settles what it had in flight; nobody is left to care.
 */
import { Packr } from 'msgpackr'
import { SpineError, toSpineError, type WireError } from '../shared/errors.js'
import type { NodeName, Payload, RequestHandler, Transport } from '../net/transport.js'
import type { NodeClock } from './simClock.js'
import type { SimNetwork } from './simNetwork.js'
import { timeoutError, withTimeout } from '../net/timeout.js'

/** The frame codec's settings (src/net/frame.ts), so values arrive as they would over TCP. */
const packr = new Packr({ useRecords: false, copyBuffers: true })

type WireReply = { ok: Payload } | { err: WireError }

/** Sees every request a node served successfully (the dot tracker reads the coordinated writes). */
export type ServeProbe = (node: NodeName, body: Payload, reply: Payload) => void

/** A handler failure that is not a typed refusal: a bug in node code (the TCP server logs these as errors). */
export type InternalErrorSink = (node: NodeName, err: SpineError, body: Payload) => void

function errorReply(err: SpineError): WireReply {
  return { err: err.toWire() }
}


/** Which incarnation of each node is up, and the wire between them. */
export class SimHub {
  probe: ServeProbe = () => {}
  /** Requests to lose on purpose before they leave (a write that skips a replica); the caller times out. */
  skip: (from: NodeName, to: NodeName, body: Payload) => boolean = () => false
  onInternalError: InternalErrorSink = () => {}
  private readonly live = new Map<NodeName, SimTransport>()

  constructor(readonly net: SimNetwork) {}

  up(t: SimTransport): void {
    this.live.set(t.self, t)
  }

  down(name: NodeName): void {
    this.live.delete(name)
  }

  current(name: NodeName): SimTransport | undefined {
    return this.live.get(name)
  }

  /** A request reached `to`'s machine; `target` is the incarnation that was up when it was sent. */
  arrive(requester: SimTransport, to: NodeName, target: SimTransport | undefined, id: number, bytes: Buffer): void {
    const now = this.live.get(to)
    if (!now) {
      this.reply(to, requester, id, errorReply(new SpineError('UNREACHABLE', `node ${to}: connection refused`, { node: to })))
    } else if (target && target !== now) {
      // Sent over the connection of a process that has since died and restarted.
      this.reply(to, requester, id, errorReply(new SpineError('CONNECTION_CLOSED', `node ${to} restarted`, { node: to })))
    } else {
      now.receiveRequest(requester, id, bytes)
    }
  }

  reply(from: NodeName, requester: SimTransport, id: number, reply: WireReply): void {
    const bytes = packr.pack(reply)
    this.net.send(from, requester.self, () => requester.receiveReply(id, bytes))
  }
}

interface Pending {
  resolve: (v: Payload) => void
  reject: (e: SpineError) => void
  timer: ReturnType<NodeClock['setTimer']>
}

export class SimTransport implements Transport {
  private handler: RequestHandler | null = null
  private readonly pending = new Map<number, Pending>()
  /** Requests this incarnation is serving: their callers learn of a crash. */
  private readonly serving = new Map<number, { requester: SimTransport; id: number }>()
  private nextId = 1
  private nextServeId = 1
  private dead = false
  private closed = false

  constructor(
    readonly self: NodeName,
    private readonly hub: SimHub,
    private readonly clock: NodeClock,
  ) {}

  serve(handler: RequestHandler): void {
    this.handler = handler
  }

  request(to: NodeName, body: Payload, timeoutMs: number): Promise<Payload> {
    if (this.closed) return Promise.reject(new SpineError('SHUTTING_DOWN', 'the transport is closed'))
    if (to === this.self) return withTimeout(this.clock, this.requestSelf(body), timeoutMs)
    return new Promise((resolve, reject) => {
      const id = this.nextId++
      const timer = this.clock.setTimer(timeoutMs, () => {
        if (this.pending.delete(id)) reject(timeoutError(timeoutMs))
      })
      this.pending.set(id, { resolve, reject, timer })
      if (this.hub.skip(this.self, to, body)) return
      const bytes = packr.pack(body)
      const target = this.hub.current(to)
      this.hub.net.send(this.self, to, () => this.hub.arrive(this, to, target, id, bytes))
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const p of this.pending.values()) p.reject(new SpineError('SHUTTING_DOWN', 'the transport is closed'))
    this.pending.clear()
  }

  /** The process died: nothing of it runs again, and the peers it was serving see the connection close. */
  kill(): void {
    this.dead = true
    this.closed = true
    this.pending.clear()
    for (const { requester, id } of this.serving.values()) {
      this.hub.reply(this.self, requester, id, errorReply(new SpineError('CONNECTION_CLOSED', `node ${this.self} crashed`, { node: this.self })))
    }
    this.serving.clear()
  }

  receiveReply(id: number, bytes: Buffer): void {
    if (this.dead) return
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    this.clock.clearTimer(p.timer)
    const reply = packr.unpack(bytes) as WireReply
    if ('ok' in reply) p.resolve(reply.ok)
    else p.reject(SpineError.fromWire(reply.err))
  }

  receiveRequest(requester: SimTransport, id: number, bytes: Buffer): void {
    const serveId = this.nextServeId++
    this.serving.set(serveId, { requester, id })
    void this.invoke(requester.self, packr.unpack(bytes)).then((reply) => {
      if (this.dead || !this.serving.delete(serveId)) return
      this.hub.reply(this.self, requester, id, reply)
    })
  }

  private async requestSelf(body: Payload): Promise<Payload> {
    // Deliberately async, as in TcpTransport: the caller has its promise before the handler runs.
    await Promise.resolve()
    const reply = await this.invoke(this.self, body)
    if ('ok' in reply) return reply.ok
    throw SpineError.fromWire(reply.err)
  }

  private async invoke(from: NodeName, body: Payload): Promise<WireReply> {
    try {
      if (!this.handler) throw new SpineError('UNKNOWN_OPERATION', 'this node is not serving requests yet')
      const reply = await this.handler(from, body)
      this.hub.probe(this.self, body, reply)
      return { ok: reply }
    } catch (e) {
      const err = toSpineError(e)
      if (err.code === 'INTERNAL') this.hub.onInternalError(this.self, err, body)
      return errorReply(err)
    }
  }

}
