import t from 'tap'
import { wireText } from './wireText.js'

t.test('wire values as text, never throwing', async (t) => {
  t.equal(wireText('most'), 'most')
  t.equal(wireText(3), '3')
  t.equal(wireText(undefined), 'undefined')
  t.equal(wireText(null), 'null')
  t.equal(wireText(5n), '5n')
  t.equal(wireText({ toString: 1 }), '{"toString":1}')
  t.equal(wireText(Object.create(null)), '{}')
  t.equal(wireText({ a: 1n }), '[object Object]')
  t.equal(wireText('x'.repeat(100)).length, 65, 'cut to 64 characters and an ellipsis')
})
