/**
 * A TCP listener whose connections speak framed RPC. Serves both the node-to-node cluster port
 * and the client port; what a request means is up to the handler.
 */
import type { Socket } from 'node:net'
import { SpineError } from '../shared/errors.js'
import { NET } from '../config.js'
import type { Clock } from '../core/env.js'
import type { Logger } from '../shared/log.js'
import { FramedConnection } from './connection.js'
import { Listener } from './listener.js'
import { PerClientConnections } from './perClient.js'
import { RpcChannel } from './rpc.js'

export interface ConnInfo {
  /** Unique per server, for logs and bookkeeping. */
  readonly id: number
  /** "host:port" of the other end. */
  readonly remoteAddress: string
  /** Set by the handler once the peer has said who it is (the cluster port's hello). */
  peerName?: string
}

export type ServerHandler = (conn: ConnInfo, body: unknown) => Promise<unknown>

export interface FrameServerOptions {
  host: string
  /** 0 picks a free port; read it from `port` after listen(). */
  port: number
  clock: Clock
  log: Logger
  handler: ServerHandler
  maxConnections: number
  maxFrameBytes?: number
  maxInFlightPerConnection?: number
  /** Connections one client address may hold (default NET.maxConnectionsPerClient). */
  maxConnectionsPerClient?: number
}

export class FrameServer {
  private readonly listener: Listener
  private readonly channels = new Set<RpcChannel>()
  private readonly perClient: PerClientConnections
  private readonly log: Logger
  private nextConnId = 1
  private closing = false

  constructor(private readonly opts: FrameServerOptions) {
    this.log = opts.log
    this.perClient = new PerClientConnections(opts.maxConnectionsPerClient ?? NET.maxConnectionsPerClient)
    this.listener = new Listener(opts, this.log, { error: 'listener error', listening: 'listening' }, (socket) => this.accept(socket))
  }

  /** Resolves once bound; rejects with the bind error (EADDRINUSE, ...). */
  listen(): Promise<void> {
    return this.listener.listen()
  }

  /** The bound port (the real one when constructed with port 0). */
  get port(): number {
    return this.listener.port
  }

  get connectionCount(): number {
    return this.channels.size
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    this.closing = true
    const reason = new SpineError('SHUTTING_DOWN', 'the server is closing')
    for (const ch of [...this.channels]) ch.close(reason)
    await this.listener.close()
  }

  private accept(socket: Socket): void {
    // A connection that dies before we look at it would otherwise emit an unhandled 'error'.
    socket.on('error', () => {})
    if (this.closing) {
      socket.destroy()
      return
    }
    if (this.channels.size >= this.opts.maxConnections) {
      this.log.warn({ remote: `${socket.remoteAddress}:${socket.remotePort}`, max: this.opts.maxConnections }, 'connection refused: at the connection limit')
      socket.destroy()
      return
    }
    if (!this.perClient.admit(socket)) {
      this.log.warn({ remote: `${socket.remoteAddress}:${socket.remotePort}`, max: this.perClient.max }, 'connection refused: the client is at its connection limit')
      socket.destroy()
      return
    }
    this.track(socket)
  }

  private track(socket: Socket): void {
    const conn = new FramedConnection(socket, this.log, { maxFrameBytes: this.opts.maxFrameBytes ?? NET.maxFrameBytes })
    const info: ConnInfo = { id: this.nextConnId++, remoteAddress: conn.remoteAddress }
    const handler = this.opts.handler
    const channel = new RpcChannel(conn, this.opts.clock, this.log, (body) => handler(info, body), {
      maxInFlight: this.opts.maxInFlightPerConnection ?? NET.maxInFlightPerConnection,
    })
    this.channels.add(channel)
    channel.onClose(() => this.channels.delete(channel))
    this.log.debug({ remote: info.remoteAddress, conn: info.id }, 'connection accepted')
  }
}
