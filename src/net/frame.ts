/**
 * Wire framing: a 4-byte big-endian length, then that many bytes of msgpack. Every TCP port
 * (node-to-node and client) speaks this.
 */
import { C1, Packr, RESERVE_START_SPACE, type Options } from 'msgpackr'
import { SpineError } from '../shared/errors.js'

export const HEADER_BYTES = 4

/*
 * copyBuffers: a decoded bin value would otherwise be a view into the socket chunk it arrived in,
 * and a small value kept in memory (a cache, the memory backend) would pin the whole chunk.
 */
// skipValues: an absent option costs nothing on the wire (requests carry many optional fields).
// msgpackr 2.1 reads the option but its Options type does not list it yet.
const packr = new Packr({ useRecords: false, copyBuffers: true, skipValues: [undefined] } as Options)

/** One frame, header included, in a single buffer (msgpackr leaves room for the header, so no copy). */
export function encodeFrame(payload: unknown): Buffer {
  const frame = packr.pack(payload, RESERVE_START_SPACE | HEADER_BYTES)
  frame.writeUInt32BE(frame.length - HEADER_BYTES, 0)
  return frame
}

/** The msgpack body of one frame as a value; any decoding fault is MALFORMED_FRAME. */
export function decodeBody(body: Buffer): unknown {
  // msgpack has no empty value, so a zero-length frame can only come from a broken peer.
  if (body.length === 0) throw new SpineError('MALFORMED_FRAME', 'zero-length frame', { size: 0 })
  let value: unknown
  try {
    value = packr.unpack(body)
  } catch (e) {
    // msgpackr reports trailing bytes ("end of buffer not reached") by throwing, so this covers them too.
    const detail = e instanceof Error ? e.message : String(e)
    throw new SpineError('MALFORMED_FRAME', `frame is not valid msgpack: ${detail}`, { size: body.length })
  }
  // 0xc1 is "never used" in msgpack; msgpackr returns a marker object for it instead of throwing.
  if (value === C1) throw new SpineError('MALFORMED_FRAME', 'frame holds the reserved byte 0xc1', { size: body.length })
  return value
}

/**
 * Turns a byte stream into decoded frames. Chunks are kept as a list and sliced, never appended
 * to one growing buffer, so a frame that arrives in many pieces is copied once and a chunk that
 * holds many frames is not copied at all.
 */
export class FrameDecoder {
  private chunks: Buffer[] = []
  /** Index of the first unconsumed chunk; a head index instead of shift() keeps tiny chunks linear. */
  private head = 0
  private buffered = 0
  /** Body length of the frame whose header has been read, or null while waiting for a header. */
  private bodyBytes: number | null = null
  private failure: SpineError | null = null

  constructor(private readonly maxFrameBytes: number) {}

  /** Feed bytes; returns the frames they completed. After a throw the decoder stays failed. */
  push(chunk: Buffer): unknown[] {
    if (this.failure) throw this.failure
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    try {
      return this.drain()
    } catch (e) {
      this.failure = e instanceof SpineError ? e : new SpineError('MALFORMED_FRAME', String(e))
      this.chunks = []
      this.head = 0
      this.buffered = 0
      throw this.failure
    }
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered
  }

  private drain(): unknown[] {
    const frames: unknown[] = []
    for (;;) {
      if (this.bodyBytes === null) {
        if (this.buffered < HEADER_BYTES) return frames
        this.bodyBytes = this.readHeader()
      }
      if (this.buffered < this.bodyBytes) return frames
      const body = this.take(this.bodyBytes)
      this.bodyBytes = null
      frames.push(decodeBody(body))
    }
  }

  private readHeader(): number {
    const size = this.take(HEADER_BYTES).readUInt32BE(0)
    // Checked before any of the body is buffered: a hostile length must not make us allocate.
    if (size > this.maxFrameBytes) {
      throw new SpineError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes}`, {
        size,
        max: this.maxFrameBytes,
      })
    }
    return size
  }

  /** Removes n bytes (n <= buffered) from the front; a view when they lie in one chunk. */
  private take(n: number): Buffer {
    this.buffered -= n
    const first = this.chunks[this.head]
    if (first !== undefined && first.length >= n) return this.sliceFront(first, n)
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[this.head]
      if (chunk === undefined) throw new Error('FrameDecoder: buffered byte count out of step')
      const part = Math.min(chunk.length, n - filled)
      chunk.copy(out, filled, 0, part)
      filled += part
      this.sliceFront(chunk, part)
    }
    return out
  }

  private sliceFront(chunk: Buffer, n: number): Buffer {
    if (chunk.length === n) this.dropFront()
    else this.chunks[this.head] = chunk.subarray(n)
    return chunk.subarray(0, n)
  }

  private dropFront(): void {
    this.head++
    if (this.head === this.chunks.length) {
      this.chunks = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Compact now and then so consumed slots do not pile up while a huge frame trickles in.
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }
}
