import t from 'tap'
import { decodeObject, encodeObject } from '../core/objectCodec.js'
import type { KvObject } from '../core/object.js'
import { objectTerms, PATIENT_CONTENT_TYPE } from './storeIndex.js'

const sib = (value: string, terms?: string[]): KvObject['siblings'][number] => ({
  dot: { actor: 'a', counter: 1 },
  value: Buffer.from(value),
  contentType: PATIENT_CONTENT_TYPE,
  lastModified: 1,
  meta: {},
  deleted: false,
  ...(terms ? { terms } : {}),
})

t.test('terms stored with a sibling round-trip through the codec', async (t) => {
  const obj: KvObject = { clock: [{ actor: 'a', counter: 1, ts: 1 }], siblings: [sib('{}', ['family_dob:SMITH|1970-01-01'])] }
  t.same(decodeObject(encodeObject(obj)).siblings[0]!.terms, ['family_dob:SMITH|1970-01-01'])
  const empty: KvObject = { clock: obj.clock, siblings: [sib('{}', [])] }
  t.same(decodeObject(encodeObject(empty)).siblings[0]!.terms, [], 'an empty list is kept: a redacted record is not parsed again')
  const none: KvObject = { clock: obj.clock, siblings: [sib('{}')] }
  t.equal(decodeObject(encodeObject(none)).siblings[0]!.terms, undefined)
  t.same(encodeObject(none), encodeObject({ clock: obj.clock, siblings: [{ ...sib('{}') }] }), 'objects without terms keep their bytes')
})

t.test('the index hook takes a sibling\'s own terms instead of parsing its value', async (t) => {
  // The value is not even JSON: only the stored terms can be the source.
  const obj: KvObject = { clock: [], siblings: [sib('not json', ['family_dob:JONES|1980-02-02'])] }
  t.same([...objectTerms(obj)], ['family_dob:JONES|1980-02-02'])
  const legacy: KvObject = { clock: [], siblings: [sib('not json')] }
  t.same([...objectTerms(legacy)], [], 'a sibling without terms is parsed, and a value that is no record has none')
})
