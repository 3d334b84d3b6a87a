import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { FrameDecoder, encodeFrame } from './frame.js'

const sample = [
  { op: 'put', key: 'patient/1', value: Buffer.from('hello world'), n: 3 },
  [0, 7, { nested: { list: [1, 2, 3], s: 'é✓' } }],
  'a string',
  42,
  null,
]

function header(size: number): Buffer {
  const h = Buffer.alloc(4)
  h.writeUInt32BE(size, 0)
  return h
}

/** The SpineError fn throws, or undefined. */
function thrown(fn: () => unknown): SpineError | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof SpineError ? e : undefined
  }
  return undefined
}

t.test('round trip of values, Buffers decode as Buffer', async (t) => {
  const dec = new FrameDecoder(1024)
  const out = dec.push(Buffer.concat(sample.map(encodeFrame)))
  t.same(out, sample)
  const first = out[0] as { value: unknown }
  t.ok(Buffer.isBuffer(first.value))
})

t.test('header is the big-endian body length', async (t) => {
  const f = encodeFrame('abc')
  t.equal(f.readUInt32BE(0), f.length - 4)
  t.equal(f.length, 4 + 4) // fixstr header + 3 bytes
})

t.test('a stream split at every byte boundary decodes the same', async (t) => {
  const stream = Buffer.concat(sample.map(encodeFrame))
  for (let cut = 1; cut < stream.length; cut++) {
    const dec = new FrameDecoder(1024)
    const out = [...dec.push(stream.subarray(0, cut)), ...dec.push(stream.subarray(cut))]
    t.same(out, sample, `cut at ${cut}`)
  }
  const dec = new FrameDecoder(1024)
  const out: unknown[] = []
  for (let i = 0; i < stream.length; i++) out.push(...dec.push(stream.subarray(i, i + 1)))
  t.same(out, sample, 'one byte at a time')
  t.equal(dec.pendingBytes, 0)
})

t.test('many frames in one chunk', async (t) => {
  const values = Array.from({ length: 5000 }, (_, i) => ({ i, s: `v${i}` }))
  const dec = new FrameDecoder(1024)
  t.same(dec.push(Buffer.concat(values.map(encodeFrame))), values)
})

t.test('a large frame in many chunks', async (t) => {
  const big = { blob: Buffer.alloc(3 * 1024 * 1024, 7) }
  const frame = encodeFrame(big)
  const dec = new FrameDecoder(4 * 1024 * 1024)
  const out: unknown[] = []
  for (let i = 0; i < frame.length; i += 1000) out.push(...dec.push(frame.subarray(i, i + 1000)))
  t.equal(out.length, 1)
  t.ok(big.blob.equals((out[0] as { blob: Buffer }).blob))
})

t.test('oversized length header is rejected before the body arrives', async (t) => {
  const dec = new FrameDecoder(100)
  t.same(dec.push(header(101).subarray(0, 2)), [], 'half a header is not enough to judge')
  const err = thrown(() => dec.push(header(101).subarray(2)))
  t.equal(err?.code, 'FRAME_TOO_LARGE')
  t.same(err?.data, { size: 101, max: 100 })
  t.equal(thrown(() => dec.push(Buffer.from([1, 2, 3])))?.code, 'FRAME_TOO_LARGE')
  // exactly the max is fine
  const ok = new FrameDecoder(100)
  const body = Buffer.concat([Buffer.from([0xc4, 98]), Buffer.alloc(98)])
  t.equal(ok.push(Buffer.concat([header(100), body])).length, 1)
})

t.test('garbage bytes are MALFORMED_FRAME', async (t) => {
  const cases: Array<[string, Buffer]> = [
    ['reserved byte 0xc1', Buffer.from([0xc1])],
    ['truncated map', Buffer.from([0x82, 0xa1, 0x61])],
    ['trailing garbage', Buffer.concat([encodeFrame({ a: 1 }).subarray(4), Buffer.from([0x01, 0x02])])],
    ['truncated str', Buffer.from([0xd9, 0x20, 0x41])],
  ]
  for (const [name, body] of cases) {
    const dec = new FrameDecoder(1024)
    t.test(name, async (t) => {
      t.equal(thrown(() => dec.push(Buffer.concat([header(body.length), body])))?.code, 'MALFORMED_FRAME')
    })
  }
})

t.test('zero-length frame is MALFORMED_FRAME (msgpack has no empty value)', async (t) => {
  const dec = new FrameDecoder(1024)
  t.equal(thrown(() => dec.push(header(0)))?.code, 'MALFORMED_FRAME')
})

t.test('empty chunks are harmless', async (t) => {
  const dec = new FrameDecoder(1024)
  t.same(dec.push(Buffer.alloc(0)), [])
  t.same(dec.push(encodeFrame(1)), [1])
  t.same(dec.push(Buffer.alloc(0)), [])
})
