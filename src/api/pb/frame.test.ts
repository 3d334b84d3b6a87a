import t from 'tap'
import { SpineError } from '../../shared/errors.js'
import { encodePbFrame, PbFrameDecoder } from './frame.js'

function thrown(fn: () => unknown): SpineError | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof SpineError ? e : undefined
  }
  return undefined
}

t.test('the length counts the code byte and the body', async (t) => {
  const f = encodePbFrame(9, Buffer.from('abc'))
  t.same([...f], [0, 0, 0, 4, 9, 0x61, 0x62, 0x63])
  t.same([...encodePbFrame(1)], [0, 0, 0, 1, 1], 'a message with no body is the code alone')
})

t.test('frames split anywhere, or many in one chunk, decode the same', async (t) => {
  const frames = [encodePbFrame(1), encodePbFrame(9, Buffer.alloc(300, 7)), encodePbFrame(11, Buffer.from('xyz'))]
  const all = Buffer.concat(frames)
  const whole = new PbFrameDecoder(1024).push(all)
  t.same(whole.map((f) => [f.code, f.body.length]), [[1, 0], [9, 300], [11, 3]])
  for (const step of [1, 2, 3, 5, 64]) {
    const dec = new PbFrameDecoder(1024)
    const got = []
    for (let i = 0; i < all.length; i += step) got.push(...dec.push(all.subarray(i, i + step)))
    t.same(got.map((f) => [f.code, [...f.body]]), whole.map((f) => [f.code, [...f.body]]), `split every ${step} bytes`)
    t.equal(dec.bufferedBytes, 0)
  }
})

t.test('an oversized or empty length fails the decoder for good, before the body is buffered', async (t) => {
  const big = new PbFrameDecoder(100)
  t.equal(thrown(() => big.push(Buffer.from([0, 0, 0, 101])))?.code, 'FRAME_TOO_LARGE')
  t.equal(thrown(() => big.push(encodePbFrame(1)))?.code, 'FRAME_TOO_LARGE', 'stays failed')
  t.same(new PbFrameDecoder(100).push(encodePbFrame(1, Buffer.alloc(99))).length, 1, 'exactly the limit is accepted')
  t.equal(thrown(() => new PbFrameDecoder(100).push(Buffer.from([0, 0, 0, 0])))?.code, 'MALFORMED_FRAME')
})

t.test('a partial header or body waits for more', async (t) => {
  const dec = new PbFrameDecoder(100)
  t.same(dec.push(Buffer.from([0, 0])), [])
  t.same(dec.push(Buffer.from([0, 3, 9])), [])
  const [f] = dec.push(Buffer.from([1, 2]))
  t.equal(f?.code, 9)
  t.same([...(f?.body ?? [])], [1, 2])
})
