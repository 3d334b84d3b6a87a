/**
 * The Transport real nodes use: one framed TCP listener for inbound requests, and one lazily
 * opened, pipelined connection per peer for outbound ones.
 */
import { Socket } from 'node:net'
import { SpineError, toSpineError } from '../shared/errors.js'
import { NET } from '../config.js'
import type { Clock, TimerHandle } from '../core/env.js'
import type { Logger } from '../shared/log.js'
import { FramedConnection } from './connection.js'
import { RpcChannel } from './rpc.js'
import { FrameServer, type ConnInfo } from './server.js'
import type { NodeName, Payload, RequestHandler, Transport } from './transport.js'
import { timeoutError, withTimeout } from './timeout.js'

export interface PeerAddress {
  host: string
  port: number
}

export interface TcpTransportOptions {
  self: NodeName
  host: string
  /** Cluster port; 0 picks a free one (read it from `port` after listen()). */
  port: number
  peers?: Map<NodeName, PeerAddress>
  clock: Clock
  log: Logger
  connectTimeoutMs?: number
  maxFrameBytes?: number
  /** After a failed connect, requests to that peer fail fast for this long instead of reconnecting. */
  reconnectBackoffMs?: number
  maxInboundConnections?: number
}

/** Outbound state for one peer. Replaced wholesale when the peer's address changes. */
interface PeerLink {
  readonly name: NodeName
  readonly address: PeerAddress
  channel?: RpcChannel
  connecting?: Promise<RpcChannel>
  abortConnect?: (why: string) => void
  failedAt?: number
}


export class TcpTransport implements Transport {
  readonly self: NodeName
  private readonly opts: TcpTransportOptions
  private readonly clock: Clock
  private readonly log: Logger
  private readonly peers: Map<NodeName, PeerAddress>
  private readonly links = new Map<NodeName, PeerLink>()
  private handler: RequestHandler | null = null
  private server: FrameServer | null = null
  private closed = false

  constructor(opts: TcpTransportOptions) {
    this.opts = opts
    this.self = opts.self
    this.clock = opts.clock
    this.log = opts.log.child({ component: 'tcp', node: opts.self })
    this.peers = new Map(opts.peers ?? [])
  }

  /** Start accepting peers on the cluster port. */
  async listen(): Promise<void> {
    const server = new FrameServer({
      host: this.opts.host,
      port: this.opts.port,
      clock: this.clock,
      log: this.log,
      handler: (conn, body) => this.handleInbound(conn, body),
      maxConnections: this.opts.maxInboundConnections ?? NET.maxClusterConnections,
      maxFrameBytes: this.maxFrameBytes,
    })
    await server.listen()
    this.server = server
  }

  /** The bound cluster port. */
  get port(): number {
    return this.server?.port ?? this.opts.port
  }

  /** Inbound connections currently open (one per peer that has sent us anything). */
  get inboundConnections(): number {
    return this.server?.connectionCount ?? 0
  }

  /** Add or move a peer; a moved peer's open connection is dropped so the next request dials the new address. */
  setPeer(name: NodeName, address: PeerAddress): void {
    const old = this.peers.get(name)
    this.peers.set(name, { host: address.host, port: address.port })
    if (old && (old.host !== address.host || old.port !== address.port)) this.dropLink(name, 'peer address changed')
  }

  peerNames(): NodeName[] {
    return [...this.peers.keys()]
  }

  /**
   * The name of the node listening at an address (a join knows only its seed's address): one
   * connection and hello, then closed.
   */
  async nameAt(address: PeerAddress): Promise<NodeName> {
    const dial = new Dial(undefined, address, {
      self: this.self,
      clock: this.clock,
      log: this.log,
      timeoutMs: this.opts.connectTimeoutMs ?? NET.connectTimeoutMs,
      maxFrameBytes: this.maxFrameBytes,
    })
    const channel = await dial.result
    channel.close()
    return dial.answered!
  }

  removePeer(name: NodeName): void {
    this.peers.delete(name)
    this.dropLink(name, 'peer removed')
  }

  serve(handler: RequestHandler): void {
    this.handler = handler
  }

  request(to: NodeName, body: Payload, timeoutMs: number): Promise<Payload> {
    if (this.closed) return Promise.reject(new SpineError('SHUTTING_DOWN', 'the transport is closed'))
    if (to === this.self) return withTimeout(this.clock, this.requestSelf(body), timeoutMs)
    const link = this.linkFor(to)
    if (!link) return Promise.reject(new SpineError('UNREACHABLE', `no address known for node ${to}`, { node: to }))
    if (link.channel && !link.channel.closed) return link.channel.request(body, timeoutMs)
    return this.requestAfterConnect(link, body, timeoutMs)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const name of [...this.links.keys()]) this.dropLink(name, 'transport closing')
    await this.server?.close()
  }

  private get maxFrameBytes(): number {
    return this.opts.maxFrameBytes ?? NET.maxFrameBytes
  }

  private async requestSelf(body: Payload): Promise<Payload> {
    // Deliberately async: the caller gets its promise back before the handler runs, as with a peer.
    await Promise.resolve()
    const handler = this.handler
    if (!handler) throw new SpineError('UNKNOWN_OPERATION', 'this node is not serving requests yet')
    return handler(this.self, body)
  }

  private async handleInbound(conn: ConnInfo, body: unknown): Promise<unknown> {
    // Set before any await: frames are handled in order, so whatever follows the hello on this
    // connection already sees the name.
    if (conn.peerName === undefined) {
      const name = helloName(body)
      if (name === undefined) throw new SpineError('INVALID_ARGUMENT', 'the first request on a cluster connection must be a hello')
      conn.peerName = name
      return { hello: this.self }
    }
    const handler = this.handler
    if (!handler) throw new SpineError('UNKNOWN_OPERATION', 'this node is not serving requests yet')
    return handler(conn.peerName, body)
  }

  private linkFor(name: NodeName): PeerLink | undefined {
    const existing = this.links.get(name)
    if (existing) return existing
    const address = this.peers.get(name)
    if (!address) return undefined
    const link: PeerLink = { name, address }
    this.links.set(name, link)
    return link
  }

  private async requestAfterConnect(link: PeerLink, body: Payload, timeoutMs: number): Promise<Payload> {
    const backoff = this.opts.reconnectBackoffMs ?? NET.reconnectBackoffMs
    const sinceFailure = link.failedAt === undefined ? Infinity : this.clock.now() - link.failedAt
    if (!link.connecting && sinceFailure < backoff) {
      throw this.unreachable(link, 'a recent connection attempt failed', { retryInMs: backoff - sinceFailure })
    }
    const started = this.clock.now()
    const channel = await withTimeout(this.clock, link.connecting ?? this.connect(link), timeoutMs)
    const remaining = Math.max(1, timeoutMs - (this.clock.now() - started))
    try {
      return await channel.request(body, remaining)
    } catch (e) {
      // Report the caller's budget, not the remainder left after connecting.
      if (e instanceof SpineError && e.code === 'TIMEOUT') throw timeoutError(timeoutMs)
      throw e
    }
  }

  private connect(link: PeerLink): Promise<RpcChannel> {
    const dial = new Dial(link.name, link.address, {
      self: this.self,
      clock: this.clock,
      log: this.log.child({ peer: link.name }),
      timeoutMs: this.opts.connectTimeoutMs ?? NET.connectTimeoutMs,
      maxFrameBytes: this.maxFrameBytes,
    })
    link.abortConnect = (why) => dial.abort(why)
    const attempt = dial.result.then(
      (channel) => this.linkUp(link, channel),
      (e: unknown) => {
        this.connectFailed(link, e)
        throw e
      },
    )
    link.connecting = attempt
    // Every caller awaits the attempt, but one whose own timeout fired first no longer listens.
    attempt.catch(() => {})
    return attempt
  }

  private linkUp(link: PeerLink, channel: RpcChannel): RpcChannel {
    link.connecting = undefined
    link.abortConnect = undefined
    if (this.closed || this.links.get(link.name) !== link) {
      // Dropped (closed, or the peer moved) in the instant between the hello reply and now.
      channel.close(new SpineError('CONNECTION_CLOSED', 'peer link was dropped'))
      throw this.unreachable(link, 'peer link was dropped while connecting')
    }
    link.channel = channel
    link.failedAt = undefined
    channel.onClose(() => {
      if (link.channel === channel) link.channel = undefined
    })
    return channel
  }

  private connectFailed(link: PeerLink, e: unknown): void {
    link.connecting = undefined
    link.abortConnect = undefined
    link.failedAt = this.clock.now()
    const err = e instanceof SpineError ? e : undefined
    this.log.info({ peer: link.name, address: formatAddress(link.address), err: err?.message, data: err?.data }, 'could not connect to peer')
  }

  private dropLink(name: NodeName, why: string): void {
    const link = this.links.get(name)
    if (!link) return
    this.links.delete(name)
    link.abortConnect?.(why)
    link.channel?.close(new SpineError('CONNECTION_CLOSED', why))
  }

  private unreachable(link: PeerLink, why: string, extra: Record<string, unknown> = {}): SpineError {
    const address = formatAddress(link.address)
    return new SpineError('UNREACHABLE', `node ${link.name} at ${address}: ${why}`, { node: link.name, address, ...extra })
  }

}

interface DialContext {
  self: NodeName
  clock: Clock
  log: Logger
  timeoutMs: number
  maxFrameBytes: number
}

/**
 * One connection attempt: TCP connect, then a hello round trip, both under one deadline. The
 * channel is handed out only after the peer has answered with the name we dialled, so no request
 * can reach a wrong node behind a stale address.
 */
class Dial {
  readonly result: Promise<RpcChannel>
  /** The name the peer gave in its hello. */
  answered: NodeName | undefined
  private settle!: { resolve: (ch: RpcChannel) => void; reject: (e: SpineError) => void }
  private settled = false
  private readonly socket: Socket
  private channel: RpcChannel | undefined
  private readonly timer: TimerHandle

  constructor(
    /** the name we expect; undefined accepts any (nameAt) */
    private readonly node: NodeName | undefined,
    private readonly address: PeerAddress,
    private readonly ctx: DialContext,
  ) {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }))
    this.timer = ctx.clock.setTimer(ctx.timeoutMs, () => this.abort(`no connection within ${ctx.timeoutMs} ms`))
    this.socket = new Socket()
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.abort(err.message, err.code))
    this.socket.once('connect', () => this.connected())
    try {
      this.socket.connect({ host: address.host, port: address.port })
    } catch (e) {
      // A bad address (port out of range) throws synchronously rather than emitting 'error'.
      this.abort(toSpineError(e).message, 'BAD_ADDRESS')
    }
  }

  /** Give up; harmless once the attempt has settled. */
  abort(why: string, cause?: string): void {
    if (this.settled) return
    this.settled = true
    this.ctx.clock.clearTimer(this.timer)
    if (this.channel) this.channel.close(new SpineError('CONNECTION_CLOSED', why))
    else this.socket.destroy()
    const address = formatAddress(this.address)
    const node = this.node ?? '(any)'
    const data = cause === undefined ? { node, address } : { node, address, cause }
    this.settle.reject(new SpineError('UNREACHABLE', `node ${node} at ${address}: ${why}`, data))
  }

  private connected(): void {
    if (this.settled) return
    // From here the FramedConnection owns the socket's errors.
    this.socket.removeAllListeners('error')
    const conn = new FramedConnection(this.socket, this.ctx.log, { maxFrameBytes: this.ctx.maxFrameBytes })
    // Outbound connections carry only our requests; the peer sends its own over its own connection.
    const channel = new RpcChannel(conn, this.ctx.clock, this.ctx.log)
    this.channel = channel
    channel.request({ hello: this.ctx.self }, this.ctx.timeoutMs).then(
      (reply) => this.greeted(channel, reply),
      (e: unknown) => this.abort(`hello failed: ${toSpineError(e).message}`, toSpineError(e).code),
    )
  }

  private greeted(channel: RpcChannel, reply: unknown): void {
    if (this.settled) {
      channel.close()
      return
    }
    const name = helloName(reply)
    this.answered = name
    if (name === undefined || (this.node !== undefined && name !== this.node)) {
      this.ctx.log.warn({ expected: this.node, answered: name ?? null, address: formatAddress(this.address) }, 'peer answered hello with another name')
      this.abort(`the node there calls itself ${name ?? '(nothing)'}`, 'WRONG_NODE')
      return
    }
    this.settled = true
    this.ctx.clock.clearTimer(this.timer)
    this.settle.resolve(channel)
  }
}


function helloName(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const hello = (body as Record<string, unknown>).hello
  return typeof hello === 'string' && hello.length > 0 ? hello : undefined
}

function formatAddress(a: PeerAddress): string {
  return `${a.host}:${a.port}`
}
