import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { unsentFrameTooLarge } from '../net/connection.js'
import { cutByBytes, sendInParts, type BatchReport } from './batches.js'

t.test('parts end at the count or the bytes, whichever comes first; an item above the bytes goes alone', async (t) => {
  const sizes = [3, 3, 3, 10, 1, 1, 1, 1, 1]
  const parts = cutByBytes(sizes, (n) => n, 4, 7)
  t.same(parts, [[3, 3], [3], [10], [1, 1, 1, 1], [1]])
})

/** A node that stores every item except those equal to 'bad', and whose frames hold `fits` items. */
function node(fits: number) {
  const requests: number[] = []
  const send = async (part: readonly string[]): Promise<BatchReport> => {
    if (part.length > fits) throw unsentFrameTooLarge(part.length * 100, fits * 100)
    requests.push(part.length)
    const errors = part.flatMap((x, index) => (x === 'bad' ? [{ index, code: 'INVALID_ARGUMENT', message: 'bad item' }] : []))
    return { stored: part.length - errors.length, errors }
  }
  return { requests, send }
}

t.test('a part whose frame could not be sent is halved until it fits; indexes are the caller\'s', async (t) => {
  const items = ['a', 'b', 'bad', 'c', 'd', 'e', 'bad', 'f', 'g', 'h']
  const n = node(3)
  const r = await sendInParts([items.slice(0, 6), items.slice(6)], n.send)
  t.equal(r.stored, 8)
  t.same(r.errors.map((e) => e.index), [2, 6], 'failures by their index in the whole call')
  t.same(n.requests, [3, 3, 2, 2], 'every request within the frame, none sent twice')
})

t.test('an error the node replied is never a reason to send again', async (t) => {
  let calls = 0
  const replied = new SpineError('FRAME_TOO_LARGE', 'the reply was too large', { size: 1, max: 0 })
  await t.rejects(sendInParts([['a', 'b', 'c']], async () => {
    calls++
    throw replied
  }), replied)
  t.equal(calls, 1, 'sent once: the node may have stored them')
  await t.rejects(sendInParts([['a']], node(0).send), { code: 'FRAME_TOO_LARGE' }, 'one item too large for a frame fails as a single put would')
})
