import t from 'tap'
import { canonicalJson } from './canonicalJson.js'

t.test('key order does not matter; array order does', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: null }] }), '{"a":[2,{"c":null,"d":3}],"b":1}')
  t.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }))
  t.not(canonicalJson([1, 2]), canonicalJson([2, 1]))
})

t.test('as JSON.stringify for undefined members and scalars', async (t) => {
  t.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}')
  t.equal(canonicalJson([undefined]), '[null]')
  t.equal(canonicalJson(undefined), 'null')
  t.equal(canonicalJson('x"y'), '"x\\"y"')
  t.equal(canonicalJson({ 'é': 1, e: 2 }), '{"e":2,"é":1}')
  const value = { z: [1, 'two', { y: true }], a: { c: 3, b: [] } }
  t.same(JSON.parse(canonicalJson(value)), value, 'round-trips')
})
