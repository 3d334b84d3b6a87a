/**
 * The Protocol Buffers listener (Riak's port 8087). Each connection reads frames, answers them one
 * at a time and in order (as Riak's riak_api does: replies carry no request id, so order is the
 * only way a client can match them), and pauses the socket while PB.maxQueuedPerConnection
 * requests wait. A bad body or an unknown code is answered with an ErrorResp and the connection
 * goes on; a length that cannot be a frame loses the stream's boundaries, so that one is answered
 * and the connection closed. Nothing a client sends reaches past a SpineError.
 */
import type { Socket } from 'node:net'
import { SpineError, toSpineError } from '../../shared/errors.js'
import { KV, NET, PB } from '../../config.js'
import type { Logger } from '../../shared/log.js'
import { Listener } from '../../net/listener.js'
import { PerClientConnections } from '../../net/perClient.js'
import { InFlightLimit } from '../inFlight.js'
import { MSG } from './codes.js'
import { encodePb } from './codec.js'
import { ERRCODE_GENERAL, errorText } from './errorResp.js'
import { encodePbFrame, PbFrameDecoder, type PbFrame } from './frame.js'
import { handlePb, newSession, type PbDeps, type Send } from './handler.js'

export interface PbServerOptions extends PbDeps {
  host: string
  /** 0 picks a free port; read it from `port` after listen(). */
  port: number
  log: Logger
  maxConnections?: number
  maxFrameBytes?: number
  /** Requests from this port being coordinated at once, across connections (default KV.maxInFlightOps). */
  maxInFlight?: number
  /** Connections one client address may hold (default NET.maxConnectionsPerClient). */
  maxConnectionsPerClient?: number
}

export class PbServer {
  private readonly listener: Listener
  private readonly sockets = new Set<Socket>()
  private readonly limit: InFlightLimit
  private readonly perClient: PerClientConnections
  private readonly log: Logger
  private closing = false

  constructor(private readonly opts: PbServerOptions) {
    this.log = opts.log.child({ port: 'pb' })
    this.limit = new InFlightLimit(opts.maxInFlight ?? KV.maxInFlightOps, 'PB operations')
    this.perClient = new PerClientConnections(opts.maxConnectionsPerClient ?? NET.maxConnectionsPerClient)
    this.listener = new Listener(opts, this.log, { error: 'PB listener error', listening: 'PB listening' }, (socket) => this.accept(socket))
  }

  /** Resolves once bound; rejects with the bind error (EADDRINUSE, ...). */
  listen(): Promise<void> {
    return this.listener.listen()
  }

  get port(): number {
    return this.listener.port
  }

  get connectionCount(): number {
    return this.sockets.size
  }

  async close(): Promise<void> {
    this.closing = true
    for (const s of this.sockets) s.destroy()
    await this.listener.close()
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {})
    if (this.closing || this.sockets.size >= (this.opts.maxConnections ?? PB.maxConnections)) {
      if (!this.closing) this.log.warn({ remote: socket.remoteAddress, max: this.opts.maxConnections ?? PB.maxConnections }, 'PB connection refused: at the connection limit')
      socket.destroy()
      return
    }
    if (!this.perClient.admit(socket)) {
      this.log.warn({ remote: socket.remoteAddress, max: this.perClient.max }, 'PB connection refused: the client is at its connection limit')
      socket.destroy()
      return
    }
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.setNoDelay(true)
    new PbConnection(socket, this.opts, this.opts.maxFrameBytes ?? PB.maxFrameBytes, this.limit, this.log).start()
  }
}

/** One client's connection: its frames, queue and session. */
class PbConnection {
  private readonly decoder: PbFrameDecoder
  private readonly queue: PbFrame[] = []
  private readonly session = newSession()
  private busy = false
  private closed = false
  /** The stream's frame boundaries are lost: nothing more is read, the connection is ending. */
  private broken = false

  constructor(
    private readonly socket: Socket,
    private readonly deps: PbDeps,
    maxFrameBytes: number,
    private readonly limit: InFlightLimit,
    private readonly log: Logger,
  ) {
    this.decoder = new PbFrameDecoder(maxFrameBytes)
  }

  start(): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('close', () => {
      this.closed = true
      this.queue.length = 0
    })
  }

  private onData(chunk: Buffer): void {
    if (this.broken) return
    let frames: PbFrame[]
    try {
      frames = this.decoder.push(chunk)
    } catch (e) {
      // Say why, then close; requests already read are dropped, as their replies could not follow the error.
      this.broken = true
      this.queue.length = 0
      this.socket.pause()
      this.socket.end(this.errorFrame(e))
      return
    }
    this.queue.push(...frames)
    if (this.queue.length >= PB.maxQueuedPerConnection) this.socket.pause()
    void this.drain()
  }

  private async drain(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      for (let frame = this.queue.shift(); frame !== undefined && !this.closed; frame = this.queue.shift()) {
        if (!this.broken && this.queue.length < PB.maxQueuedPerConnection) this.socket.resume()
        await this.serve(frame)
      }
    } finally {
      this.busy = false
    }
  }

  private async serve(frame: PbFrame): Promise<void> {
    try {
      await this.limit.run(() => handlePb(this.deps, this.session, frame, this.send))
    } catch (e) {
      const err = toSpineError(e)
      if (err.code === 'INTERNAL') this.log.error({ err: err.message, pbCode: frame.code }, 'PB request failed')
      // A client gone mid-reply has nobody to tell.
      await this.write(this.errorFrame(err)).catch(() => undefined)
    }
  }

  private readonly send: Send = (code, name, value) => this.write(encodePbFrame(code, name === undefined ? undefined : encodePb(name, value ?? {})))

  /** Resolves once the socket has room again, so a long stream is paced by the client's reading. */
  private write(frame: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new SpineError('CONNECTION_CLOSED', 'the PB client went away'))
    if (this.socket.write(frame)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        if (this.closed) reject(new SpineError('CONNECTION_CLOSED', 'the PB client went away'))
        else resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  private errorFrame(e: unknown): Buffer {
    return encodePbFrame(MSG.ErrorResp, encodePb('RpbErrorResp', { errmsg: Buffer.from(errorText(e), 'utf8'), errcode: ERRCODE_GENERAL }))
  }
}
