/**
 * A minimal RESP2 client for the Redis baseline: commands encoded as arrays of bulk strings, replies
 * parsed incrementally (a reply may arrive split over several chunks), many requests pipelined on
 * one connection and answered in order, writes of one event-loop turn gathered into one.
 */
import { connect, type Socket } from 'node:net'

export type RespValue = string | number | Buffer | null | RespValue[] | RespError

export class RespError extends Error {
  /** The error's first word (MOVED, ERR, CLUSTERDOWN...), counted as the operation's error code. */
  readonly code: string
  constructor(message: string) {
    super(message)
    this.code = message.split(' ')[0] || 'ERR'
  }
}

export function encodeCommand(args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a)
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** Parses as many whole replies as the bytes so far hold; keeps the rest for the next chunk. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): RespValue[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const out: RespValue[] = []
    let pos = 0
    for (;;) {
      const r = this.parse(pos)
      if (!r) break
      out.push(r.value)
      pos = r.end
    }
    this.buf = this.buf.subarray(pos)
    return out
  }

  private line(pos: number): { text: string; end: number } | undefined {
    const nl = this.buf.indexOf('\r\n', pos)
    return nl < 0 ? undefined : { text: this.buf.toString('utf8', pos + 1, nl), end: nl + 2 }
  }

  private parse(pos: number): { value: RespValue; end: number } | undefined {
    if (pos >= this.buf.length) return undefined
    const type = String.fromCharCode(this.buf[pos]!)
    const l = this.line(pos)
    if (!l) return undefined
    switch (type) {
      case '+':
        return { value: l.text, end: l.end }
      case '-':
        return { value: new RespError(l.text), end: l.end }
      case ':':
        return { value: Number(l.text), end: l.end }
      case '$': {
        const n = Number(l.text)
        if (n < 0) return { value: null, end: l.end }
        if (this.buf.length < l.end + n + 2) return undefined
        return { value: Buffer.from(this.buf.subarray(l.end, l.end + n)), end: l.end + n + 2 }
      }
      case '*': {
        const n = Number(l.text)
        if (n < 0) return { value: null, end: l.end }
        const items: RespValue[] = []
        let end = l.end
        for (let i = 0; i < n; i++) {
          const r = this.parse(end)
          if (!r) return undefined
          items.push(r.value)
          end = r.end
        }
        return { value: items, end }
      }
      default:
        throw new RespError(`PROTOCOL unexpected reply type ${JSON.stringify(type)}`)
    }
  }
}

export class RespConnection {
  private readonly socket: Socket
  private readonly parser = new RespParser()
  private readonly pending: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = []
  private corked = false
  private failed: Error | undefined

  private constructor(socket: Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      let replies: RespValue[]
      try {
        replies = this.parser.push(chunk)
      } catch (e) {
        return this.fail(e as Error)
      }
      for (const r of replies) {
        const p = this.pending.shift()
        if (!p) return this.fail(new RespError('PROTOCOL reply with no request'))
        if (r instanceof RespError) p.reject(r)
        else p.resolve(r)
      }
    })
    socket.on('error', (e) => this.fail(e))
    socket.on('close', () => this.fail(Object.assign(new Error('connection closed'), { code: 'CONNECTION_CLOSED' })))
  }

  static open(host: string, port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => {
        s.removeListener('error', reject)
        resolve(new RespConnection(s))
      })
      s.once('error', reject)
    })
  }

  send(args: Array<string | Buffer>): Promise<RespValue> {
    if (this.failed) return Promise.reject(this.failed)
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject })
      if (!this.corked) {
        // Gather this turn's commands into one write (one syscall, one TCP segment when they fit).
        this.corked = true
        this.socket.cork()
        process.nextTick(() => {
          this.corked = false
          this.socket.uncork()
        })
      }
      this.socket.write(encodeCommand(args))
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private fail(e: Error): void {
    this.failed ??= e
    for (const p of this.pending.splice(0)) p.reject(e)
  }
}
