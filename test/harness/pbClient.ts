/**
 * A raw Riak PB connection for tests: frames out, frames in, nothing of the server's code on the
 * reading side but the message descriptor, so a test sees exactly the bytes a Riak client would.
 */
import { connect, type Socket } from 'node:net'
import { encodePb, decodePb } from '../../src/api/pb/codec.js'
import { encodePbFrame } from '../../src/api/pb/frame.js'
import type { MessageName } from '../../src/api/pb/riakMessages.js'

export interface RawFrame {
  code: number
  body: Buffer
}

export class PbTestClient {
  private buf = Buffer.alloc(0)
  private readonly frames: RawFrame[] = []
  private waiters: Array<() => void> = []
  closed = false

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk])
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const len = this.buf.readUInt32BE(0)
        this.frames.push({ code: this.buf[4]!, body: Buffer.from(this.buf.subarray(5, 4 + len)) })
        this.buf = this.buf.subarray(4 + len)
      }
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => undefined)
  }

  static open(port: number, host = '127.0.0.1'): Promise<PbTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new PbTestClient(s)))
      s.once('error', reject)
    })
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  send(code: number, name?: MessageName, value?: object): void {
    this.sendRaw(encodePbFrame(code, name ? encodePb(name, value ?? {}) : undefined))
  }

  /** The next frame, or undefined when the connection closed first. */
  async next(timeoutMs = 10_000): Promise<RawFrame | undefined> {
    const deadline = Date.now() + timeoutMs
    while (this.frames.length === 0) {
      if (this.closed) return undefined
      if (Date.now() > deadline) throw new Error('no PB frame within the timeout')
      await new Promise<void>((r) => {
        this.waiters.push(r)
        setTimeout(r, 50)
      })
    }
    return this.frames.shift()
  }

  /** One request, one reply decoded as `name` (an ErrorResp throws with its text). */
  async call<T>(code: number, name: MessageName | undefined, value: object | undefined, replyName?: MessageName): Promise<{ code: number; msg: T }> {
    this.send(code, name, value)
    const f = await this.next()
    if (!f) throw new Error('connection closed')
    if (f.code === 0) throw new PbError(decodePb<{ errmsg: Uint8Array }>('RpbErrorResp', f.body).errmsg.toString())
    return { code: f.code, msg: (replyName ? decodePb<T>(replyName, f.body) : {}) as T }
  }

  close(): void {
    this.socket.destroy()
  }
}

export class PbError extends Error {}

export function errorOf(f: RawFrame | undefined): string {
  if (!f || f.code !== 0) throw new Error(`expected an ErrorResp, got ${f ? `code ${f.code}` : 'a closed connection'}`)
  return decodePb<{ errmsg: Uint8Array }>('RpbErrorResp', f.body).errmsg.toString()
}
