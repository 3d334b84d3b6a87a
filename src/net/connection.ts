/**
 * A socket that carries frames. Owns the failure policy for one TCP connection: any protocol
 * fault or stuck peer destroys just that connection, is logged, and is reported to onClose
 * listeners; nothing is ever thrown out of a socket event handler.
 */
import type { Socket } from 'node:net'
import { SpineError, toSpineError } from '../shared/errors.js'
import { NET } from '../config.js'
import type { Logger } from '../shared/log.js'
import { FrameDecoder, HEADER_BYTES, encodeFrame } from './frame.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type FrameListener = (frame: unknown) => void
export type CloseListener = (reason: SpineError) => void

/** Errors send() threw before queuing anything: that frame never left this process. */
const unsent = new WeakSet<SpineError>()

/**
 * Whether this error is a frame this process refused to send (FRAME_TOO_LARGE from send()), so
 * the request is known not to have reached the peer and may be split and sent again. An error the
 * peer replied is a new object (SpineError.fromWire), never in the set, even with the same code.
 */
export function neverSent(e: unknown): boolean {
  return e instanceof SpineError && unsent.has(e)
}

/** The FRAME_TOO_LARGE of a frame refused before it was queued (neverSent is true of it). */
export function unsentFrameTooLarge(size: number, max: number): SpineError {
  const e = new SpineError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${max}`, { size, max })
  unsent.add(e)
  return e
}

export interface ConnectionOptions {
  maxFrameBytes?: number
  maxQueuedBytes?: number
}

export class FramedConnection {
  /** "host:port" of the other end, captured up front because a destroyed socket forgets it. */
  readonly remoteAddress: string
  private readonly decoder: FrameDecoder
  private readonly maxFrameBytes: number
  private readonly maxQueuedBytes: number
  private readonly log: Logger
  private queue: Buffer[] = []
  private queuedBytes = 0
  private flushScheduled = false
  private reason: SpineError | null = null
  private readonly frameListeners: FrameListener[] = []
  private readonly closeListeners: CloseListener[] = []

  constructor(
    private readonly socket: Socket,
    log: Logger,
    opts: ConnectionOptions = {},
  ) {
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.log = log.child({ remote: this.remoteAddress })
    this.maxFrameBytes = opts.maxFrameBytes ?? NET.maxFrameBytes
    this.maxQueuedBytes = opts.maxQueuedBytes ?? NET.maxQueuedBytesPerConnection
    this.decoder = new FrameDecoder(this.maxFrameBytes)
    // Frames are already batched per tick; Nagle would only add latency on top.
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err))
    socket.on('close', () => this.fail(new SpineError('CONNECTION_CLOSED', 'the peer closed the connection'), 'debug'))
  }

  get closed(): boolean {
    return this.reason !== null
  }

  /** Why the connection closed, or null while it is open. */
  get closeReason(): SpineError | null {
    return this.reason
  }

  onFrame(cb: FrameListener): void {
    this.frameListeners.push(cb)
  }

  /** Called once, with the reason, when the connection closes for any cause. */
  onClose(cb: CloseListener): void {
    if (this.reason) queueMicrotask(() => this.notifyClose(cb, this.reason as SpineError))
    else this.closeListeners.push(cb)
  }

  /**
   * Queue one frame; every frame queued before the next turn of the event loop goes out in a
   * single socket write. Throws FRAME_TOO_LARGE (connection stays up) when the peer would refuse
   * the frame, CONNECTION_CLOSED when closed, and OVERLOADED after closing a stuck connection.
   */
  send(payload: unknown): void {
    if (this.reason) throw this.closedError()
    const frame = encodeFrame(payload)
    const size = frame.length - HEADER_BYTES
    if (size > this.maxFrameBytes) throw unsentFrameTooLarge(size, this.maxFrameBytes)
    this.checkQueue(frame.length)
    this.queue.push(frame)
    this.queuedBytes += frame.length
    this.scheduleFlush()
  }

  /** Destroy the connection; queued frames are dropped. */
  close(reason = new SpineError('CONNECTION_CLOSED', 'closed locally'), level: LogLevel = 'debug'): void {
    this.fail(reason, level)
  }

  private checkQueue(adding: number): void {
    const queued = this.queuedBytes + this.socket.writableLength + adding
    if (queued <= this.maxQueuedBytes) return
    const reason = new SpineError('OVERLOADED', `${queued} bytes queued for a peer that is not reading`, {
      queuedBytes: queued,
      max: this.maxQueuedBytes,
    })
    this.fail(reason, 'warn')
    throw reason
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.reason || this.queue.length === 0) return
    const batch = this.queue.length === 1 ? (this.queue[0] as Buffer) : Buffer.concat(this.queue, this.queuedBytes)
    this.queue = []
    this.queuedBytes = 0
    this.socket.write(batch)
  }

  private onData(chunk: Buffer): void {
    let frames: unknown[]
    try {
      frames = this.decoder.push(chunk)
    } catch (e) {
      this.fail(toSpineError(e), 'warn')
      return
    }
    for (const frame of frames) {
      if (this.reason) return
      this.deliver(frame)
    }
  }

  private deliver(frame: unknown): void {
    for (const cb of this.frameListeners) {
      try {
        cb(frame)
      } catch (e) {
        // A listener bug must not take the process down; this connection's state is suspect, so drop it.
        this.fail(toSpineError(e), 'error')
        return
      }
    }
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    const reason = new SpineError('CONNECTION_CLOSED', `socket error: ${err.message}`, { cause: err.code ?? 'unknown' })
    // Resets and refusals are routine when peers restart; not worth a warning.
    this.fail(reason, 'info')
  }

  private fail(reason: SpineError, level: LogLevel): void {
    if (this.reason) return
    this.reason = reason
    this.queue = []
    this.queuedBytes = 0
    this.log[level]({ code: reason.code, err: reason.message, data: reason.data }, 'connection closed')
    this.socket.destroy()
    const listeners = this.closeListeners.splice(0)
    for (const cb of listeners) this.notifyClose(cb, reason)
  }

  private notifyClose(cb: CloseListener, reason: SpineError): void {
    try {
      cb(reason)
    } catch (e) {
      this.log.error({ err: toSpineError(e).message }, 'connection close listener threw')
    }
  }

  private closedError(): SpineError {
    const cause = this.reason
    return new SpineError('CONNECTION_CLOSED', `connection is closed: ${cause?.message ?? 'unknown'}`, {
      reason: cause?.code ?? 'CONNECTION_CLOSED',
    })
  }
}
