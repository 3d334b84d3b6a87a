/**
 * Request/response multiplexing over one FramedConnection. Each message is [kind, id, body];
 * many requests share the connection and replies may come back in any order.
 */
import { SpineError, toSpineError, type WireError } from '../shared/errors.js'
import { NET } from '../config.js'
import type { Clock, TimerHandle } from '../core/env.js'
import type { Logger } from '../shared/log.js'
import type { CloseListener, FramedConnection } from './connection.js'

export const KIND_REQUEST = 0
export const KIND_OK = 1
export const KIND_ERROR = 2

const MAX_ID = 0xffff_ffff

export type RpcHandler = (body: unknown) => Promise<unknown>

export interface RpcOptions {
  maxInFlight?: number
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (err: SpineError) => void
  timer: TimerHandle
}

type Message =
  | { kind: typeof KIND_REQUEST; id: number; body: unknown }
  | { kind: typeof KIND_OK; id: number; body: unknown }
  | { kind: typeof KIND_ERROR; id: number; body: WireError }

export class RpcChannel {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /** Incoming requests whose handler has not finished. */
  private serving = 0
  private readonly maxInFlight: number

  constructor(
    readonly conn: FramedConnection,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly handler?: RpcHandler,
    opts: RpcOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? NET.maxInFlightPerConnection
    conn.onFrame((frame) => this.onFrame(frame))
    conn.onClose((reason) => this.failPending(reason))
  }

  get closed(): boolean {
    return this.conn.closed
  }

  /** Outgoing requests awaiting a reply. */
  get inFlight(): number {
    return this.pending.size
  }

  onClose(cb: CloseListener): void {
    this.conn.onClose(cb)
  }

  close(reason?: SpineError): void {
    this.conn.close(reason)
  }

  /** Send a request; rejects TIMEOUT, CONNECTION_CLOSED, OVERLOADED, or the error the peer replied. */
  request(body: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.pending.size >= this.maxInFlight) {
        reject(new SpineError('OVERLOADED', 'too many requests in flight on this connection', { limit: this.maxInFlight }))
        return
      }
      const id = this.allocateId()
      try {
        this.conn.send([KIND_REQUEST, id, body])
      } catch (e) {
        reject(toSpineError(e))
        return
      }
      const timer = this.clock.setTimer(timeoutMs, () => this.expire(id, timeoutMs))
      this.pending.set(id, { resolve, reject, timer })
    })
  }

  private allocateId(): number {
    // Skipping ids still pending matters only after 2^32 requests, but then it prevents a mix-up.
    do {
      const id = this.nextId
      this.nextId = id === MAX_ID ? 1 : id + 1
      if (!this.pending.has(id)) return id
    } while (true)
  }

  private expire(id: number, timeoutMs: number): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    p.reject(new SpineError('TIMEOUT', `no reply within ${timeoutMs} ms`, { timeoutMs }))
  }

  private failPending(reason: SpineError): void {
    const entries = [...this.pending.values()]
    this.pending.clear()
    for (const p of entries) {
      this.clock.clearTimer(p.timer)
      p.reject(
        new SpineError('CONNECTION_CLOSED', `connection closed before the reply arrived: ${reason.message}`, {
          reason: reason.code,
        }),
      )
    }
  }

  private onFrame(frame: unknown): void {
    const msg = parseMessage(frame)
    if (!msg) {
      this.conn.close(new SpineError('MALFORMED_FRAME', 'frame is not a [kind, id, body] message'), 'warn')
      return
    }
    if (msg.kind === KIND_REQUEST) this.serve(msg.id, msg.body)
    else if (msg.kind === KIND_OK) this.settle(msg.id, (p) => p.resolve(msg.body))
    else {
      const err = SpineError.fromWire(msg.body)
      this.settle(msg.id, (p) => p.reject(err))
    }
  }

  /** A reply for an id no longer pending is dropped: that request already timed out. */
  private settle(id: number, finish: (p: Pending) => void): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    this.clock.clearTimer(p.timer)
    finish(p)
  }

  private serve(id: number, body: unknown): void {
    const handler = this.handler
    if (!handler) {
      this.replyError(id, new SpineError('UNKNOWN_OPERATION', 'this connection does not serve requests'))
      return
    }
    if (this.serving >= this.maxInFlight) {
      this.replyError(id, new SpineError('OVERLOADED', 'too many requests in flight on this connection', { limit: this.maxInFlight }))
      return
    }
    this.serving++
    void runHandler(handler, body)
      .then(
        (result) => this.reply(id, result),
        (e: unknown) => this.replyError(id, this.asReplyError(e)),
      )
      .finally(() => this.serving--)
  }

  private asReplyError(e: unknown): SpineError {
    if (e instanceof SpineError) return e
    const err = toSpineError(e)
    this.log.error({ err: err.message, stack: e instanceof Error ? e.stack : undefined }, 'request handler failed')
    return err
  }

  private reply(id: number, result: unknown): void {
    if (this.conn.closed) return
    try {
      this.conn.send([KIND_OK, id, result])
    } catch (e) {
      // Typically FRAME_TOO_LARGE: the caller still deserves an answer, so send the failure instead.
      this.replyError(id, toSpineError(e))
    }
  }

  private replyError(id: number, err: SpineError): void {
    if (this.conn.closed) return
    try {
      this.conn.send([KIND_ERROR, id, err.toWire()])
    } catch (e) {
      this.log.warn({ code: err.code, err: toSpineError(e).message }, 'could not send an error reply')
    }
  }
}

function runHandler(handler: RpcHandler, body: unknown): Promise<unknown> {
  try {
    return Promise.resolve(handler(body))
  } catch (e) {
    return Promise.reject(e)
  }
}

function parseMessage(frame: unknown): Message | null {
  if (!Array.isArray(frame) || frame.length !== 3) return null
  const [kind, id, body] = frame as [unknown, unknown, unknown]
  if (kind !== KIND_REQUEST && kind !== KIND_OK && kind !== KIND_ERROR) return null
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) return null
  if (kind === KIND_ERROR) return isWireError(body) ? { kind, id, body } : null
  return { kind, id, body }
}

function isWireError(v: unknown): v is WireError {
  if (typeof v !== 'object' || v === null) return false
  const w = v as Record<string, unknown>
  const dataOk = w.data === undefined || w.data === null || (typeof w.data === 'object' && !Array.isArray(w.data))
  return typeof w.code === 'string' && typeof w.message === 'string' && dataOk
}
