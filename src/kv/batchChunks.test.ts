import t from 'tap'
import { chunksOf } from './batchChunks.js'

t.test('chunks keep order and respect both bounds; an oversized item travels alone', async (t) => {
  const sizes = [3, 3, 3, 9, 1, 1, 1, 1, 1, 12, 2]
  const chunks = chunksOf(sizes, (s) => s, 4, 8)
  t.same(chunks, [[3, 3], [3], [9], [1, 1, 1, 1], [1], [12], [2]])
  t.same(chunks.flat(), sizes, 'every item once, in order')
  for (const c of chunks) t.ok(c.length <= 4 && (c.length === 1 || c.reduce((a, b) => a + b, 0) <= 8))
  t.same(chunksOf([], (s: number) => s), [], 'nothing to send, no message')
})
