import t from 'tap'
import { Packr } from 'msgpackr'
import type { KvObject } from './object.js'
import { decodeObject, encodeObject } from './objectCodec.js'

const sib = { dot: { actor: 'a', counter: 1 }, value: Buffer.from('v'), contentType: 'text/plain', lastModified: 5, meta: { m: '1' }, deleted: false }
const unpack = (b: Buffer): unknown[] => new Packr({ useRecords: false, mapsAsObjects: true }).unpack(b) as unknown[]

t.test('a sibling without index entries or links encodes as the 7-element form', async (t) => {
  const obj: KvObject = { clock: [{ actor: 'a', counter: 1, ts: 5 }], siblings: [sib] }
  const sibs = unpack(encodeObject(obj))[2] as unknown[][]
  t.equal(sibs[0]!.length, 7)
  t.same(decodeObject(encodeObject(obj)), obj)
  t.same(encodeObject({ ...obj, siblings: [{ ...sib, indexes: [], links: [] }] }), encodeObject(obj), 'empty lists are as none')
})

t.test('index entries and links round-trip; malformed ones are a TypeError', async (t) => {
  const obj: KvObject = { clock: [], siblings: [{ ...sib, indexes: [['f_bin', 'x'], ['n_int', '7']], links: [['b', 'k', 'tag']] }] }
  t.same(decodeObject(encodeObject(obj)), obj)
  const bad = new Packr({ useRecords: false, mapsAsObjects: true }).pack([1, [], [['a', 1, Buffer.from('v'), 't', 5, {}, false, { i: [['only-one']] }]]])
  t.throws(() => decodeObject(bad), TypeError)
})
