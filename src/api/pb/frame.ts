/**
 * Riak's PB framing: a 4-byte big-endian length that counts the 1-byte message code and the
 * protobuf body after it. The decoder is the only place that trusts a length from the wire, so
 * it bounds it before it buffers anything.
 */
import { SpineError } from '../../shared/errors.js'

export const LENGTH_BYTES = 4

export interface PbFrame {
  code: number
  body: Buffer
}

/** One frame in one buffer: length, code, body. */
export function encodePbFrame(code: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const frame = Buffer.allocUnsafe(LENGTH_BYTES + 1 + body.byteLength)
  frame.writeUInt32BE(1 + body.byteLength, 0)
  frame[LENGTH_BYTES] = code
  frame.set(body, LENGTH_BYTES + 1)
  return frame
}

/**
 * Bytes in, whole frames out. A length of 0 (no code byte) or above the limit is a fault the
 * connection cannot recover from (the stream's boundaries are lost), so push throws and the
 * decoder stays failed; the server answers with an ErrorResp and closes.
 */
export class PbFrameDecoder {
  private chunks: Buffer[] = []
  private buffered = 0
  private failure: SpineError | null = null

  constructor(private readonly maxFrameBytes: number) {}

  get bufferedBytes(): number {
    return this.buffered
  }

  push(chunk: Buffer): PbFrame[] {
    if (this.failure) throw this.failure
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    const frames: PbFrame[] = []
    for (;;) {
      if (this.buffered < LENGTH_BYTES) return frames
      const length = this.peekLength()
      if (length === 0 || length > this.maxFrameBytes) {
        this.failure =
          length === 0
            ? new SpineError('MALFORMED_FRAME', 'a PB frame of length 0 has no message code', { size: 0 })
            : new SpineError('FRAME_TOO_LARGE', `a PB frame of ${length} bytes is larger than ${this.maxFrameBytes}`, { size: length, max: this.maxFrameBytes })
        throw this.failure
      }
      if (this.buffered < LENGTH_BYTES + length) return frames
      const whole = this.take(LENGTH_BYTES + length)
      frames.push({ code: whole[LENGTH_BYTES]!, body: whole.subarray(LENGTH_BYTES + 1) })
    }
  }

  private peekLength(): number {
    const first = this.chunks[0]!
    if (first.length >= LENGTH_BYTES) return first.readUInt32BE(0)
    return this.take(LENGTH_BYTES, true).readUInt32BE(0)
  }

  /** The next n bytes as one buffer (a view when they lie in one chunk); with peek, left in place. */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0]!
    let out: Buffer
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (!peek) {
        if (first.length === n) this.chunks.shift()
        else this.chunks[0] = first.subarray(n)
      }
    } else {
      // Spread over chunks: join them once; what is left stays as one chunk.
      const all = Buffer.concat(this.chunks, this.buffered)
      out = all.subarray(0, n)
      const rest = peek ? all : all.subarray(n)
      this.chunks = rest.length > 0 ? [rest] : []
    }
    if (!peek) this.buffered -= n
    return out
  }
}
