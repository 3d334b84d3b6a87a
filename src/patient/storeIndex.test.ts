/**
 * The patient index local to each vnode's copies: keys, entries and scan bounds as bytes, and the
 * vnode write hook kept in step with the stored object through every path that changes a copy
 * (coordinate, sibling merge, replace, tombstone, reap, handoff's deleteIfUnchanged). After each step
 * the node's index partition must hold exactly the entries recomputed from its object partitions,
 * for every key of every vnode.
 */
import t, { type Test } from 'tap'
import type { Clock } from '../core/env.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import type { SiblingContent } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { META_PARTITION } from '../node/dotCounter.js'
import { silentLogger } from '../shared/log.js'
import { INDEX_PARTITION, isObjectPartition } from '../node/partitionSpace.js'
import { Vnode } from '../node/vnode.js'
import { MemoryBackend } from '../storage/memory.js'
import { encodeAlias } from './alias.js'
import { PATIENT_LIMITS } from './limits.js'
import { examplePatient } from './examples.js'
import { indexScans, indexTerms, termInRange, type IndexScan } from './indexTerms.js'
import { nhsNumberFromPrefix } from './nhsNumber.js'
import type { Patient } from './record.js'
import { parseSearchQuery } from './searchQuery.js'
import {
  ALIAS_CONTENT_TYPE,
  PATIENT_CONTENT_TYPE,
  encodePatient,
  indexEntryKey,
  isPatientKey,
  objectTerms,
  parseIndexEntry,
  parseStoredPatient,
  patientBKey,
  patientIndexHook,
  scanBounds,
} from './storeIndex.js'

function nhs(prefix: number): string {
  const n = nhsNumberFromPrefix(prefix)
  if (n === undefined) throw new Error(`prefix ${prefix} has no check digit`)
  return n
}

const NHS_A = nhs(999_000_001)
const NHS_B = nhs(999_000_002)
const NHS_C = nhs(999_000_003)

function patient(id: string, family: string, changes: Partial<Patient> = {}): Patient {
  const p = examplePatient()
  p.id = id
  p.meta.versionId = '1'
  p.name = [{ use: 'usual', given: ['Jane'], family }]
  return { ...p, ...changes }
}

function withCode(p: Patient, code: 'U' | 'R' | 'REDACTED'): Patient {
  return { ...p, meta: { ...p.meta, security: [{ code }] } }
}

function content(value: string | Buffer, contentType = PATIENT_CONTENT_TYPE, deleted = false): SiblingContent {
  return { value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value, contentType, meta: {}, deleted, lastModified: 1 }
}

const recordContent = (p: Patient): SiblingContent => content(JSON.stringify(p))

function manualClock(): Clock {
  let now = 1_000_000
  return {
    now: () => (now += 1),
    setTimer: () => {
      throw new Error('no timers here')
    },
    clearTimer: () => undefined,
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

// ---------------------------------------------------------------------------------------------
// keys and entries

t.test('isPatientKey: only keys of bucket type pds, bucket Patient', async (t) => {
  t.ok(isPatientKey(encodeBKey(patientBKey(NHS_A))), 'a patient key')
  t.ok(isPatientKey(encodeBKey(patientBKey(''))), 'the bucket with an empty key is still the bucket')
  t.ok(isPatientKey(encodeBKey(patientBKey('not-a-number'))), 'the bucket decides, not the key')
  const others: BKey[] = [
    { type: 'default', bucket: 'Patient', key: NHS_A },
    { type: 'pds', bucket: 'Patients', key: NHS_A },
    { type: 'pds', bucket: 'Patien', key: `t${NHS_A}` },
    { type: 'pds', bucket: 'patient', key: NHS_A },
    { type: 'pdsx', bucket: 'Patient', key: NHS_A },
    { type: 'pd', bucket: 'sPatient', key: NHS_A },
  ]
  for (const bk of others) t.notOk(isPatientKey(encodeBKey(bk)), `${bk.type}/${bk.bucket} is not the patient bucket`)
  t.notOk(isPatientKey(new Uint8Array(0)), 'an empty key')
  t.notOk(isPatientKey(encodeBKey(patientBKey(NHS_A)).subarray(0, 5)), 'a truncated prefix')
  // A key that is a view into a larger buffer (as folds and decoders hand them out).
  const whole = Buffer.concat([Buffer.from('junk-before'), encodeBKey(patientBKey(NHS_A))])
  t.ok(isPatientKey(whole.subarray(11)), 'a key at an offset inside a larger buffer')
  const other = Buffer.concat([encodeBKey(patientBKey(NHS_A)), encodeBKey({ type: 'default', bucket: 'b', key: 'k' })])
  t.notOk(isPatientKey(other.subarray(other.length - encodeBKey({ type: 'default', bucket: 'b', key: 'k' }).length)), 'offset view of another bucket')
})

t.test('indexEntryKey / parseIndexEntry round trip, including non-ASCII terms', async (t) => {
  const keys = [encodeBKey(patientBKey(NHS_A)), encodeBKey(patientBKey('ключ')), Buffer.of(0, 0, 0, 1, 0)]
  const vnodes = [0, 1, 63, 255, 256, 4095, 0xffff_ffff]
  const terms = [
    'family_dob:SMITH|1970-01-01',
    'family_dob:KOCIŃSKI|1970-01-01',
    'family_dob:ΠΑΠΑΔΟΠΟΥΛΟΣ|1981-02-03',
    'dob_family:1990-12-31|陈',
    'family_dob:𠀀𠀁|2001',
    'postcode_dob:LS16AE|1970-01',
    'soundex_dob:S530|1970-01-01',
    '',
  ]
  for (const term of terms) {
    for (const key of keys) {
      for (const vnode of vnodes) {
        const entry = indexEntryKey(term, vnode, key)
        t.equal(entry.length, Buffer.byteLength(term, 'utf8') + 1 + 4 + key.length, 'term bytes, a zero, the vnode, the key')
        const parsed = parseIndexEntry(entry)
        t.equal(parsed.term, term, `term ${JSON.stringify(term)} comes back`)
        t.equal(parsed.vnode, vnode, `vnode ${vnode} comes back`)
        t.equal(hex(parsed.objectKey), hex(key), 'object key comes back byte for byte (zeros in it included)')
        // The same from a view at an offset into a larger buffer.
        const big = Buffer.concat([Buffer.from('xyz'), entry])
        const again = parseIndexEntry(big.subarray(3))
        t.equal(again.term, term)
        t.equal(again.vnode, vnode)
        t.equal(hex(again.objectKey), hex(key))
      }
    }
  }
  // Entries of one term sort together, whatever their vnode and key, before the next term's.
  const sorted = [indexEntryKey('family_dob:SMITH|1970', 0xffff_ffff, keys[0]!), indexEntryKey('family_dob:SMITH|1970-01', 0, Buffer.of(0))]
  t.ok(Buffer.compare(sorted[0]!, sorted[1]!) < 0, 'a term sorts before a longer one, whatever the vnode')
})

// ---------------------------------------------------------------------------------------------
// scan bounds

function query(params: Record<string, string | string[]>): ReturnType<typeof indexScans> {
  const r = parseSearchQuery(params)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return indexScans(r.value)
}

/** Scan the index partition as localSearch does: one fold between the scan's bounds. */
async function scanTerms(backend: MemoryBackend, scan: IndexScan): Promise<string[]> {
  const { after, before } = scanBounds(scan)
  const out: string[] = []
  for await (const [entry] of backend.fold(INDEX_PARTITION, { after, before })) out.push(parseIndexEntry(entry).term)
  return out
}

/** True if an entry lies strictly between a scan's bounds. */
function inside(entry: Buffer, bounds: { after: Buffer; before: Buffer }): boolean {
  return Buffer.compare(entry, bounds.after) > 0 && Buffer.compare(entry, bounds.before) < 0
}

t.test('scanBounds: an entry of the end term is inside, whatever its vnode and key; anything greater is past', async (t) => {
  const key = encodeBKey(patientBKey(NHS_A))
  const scan: IndexScan = { index: 'family_dob', start: 'SMITH|1970', end: 'SMITH|1970-12-31', births: [{ first: '1970-01-01', last: '1970-12-31' }] }
  const bounds = scanBounds(scan)
  t.equal(bounds.after.toString('utf8'), 'family_dob:SMITH|1970')
  t.ok(bounds.before.toString('utf8').startsWith('family_dob:SMITH|1970-12-31'), 'the upper bound starts with the end term')
  for (const vnode of [0, 7, 0xffff_ffff]) {
    for (const k of [key, Buffer.of(0xff, 0xff, 0xff)]) {
      t.ok(inside(indexEntryKey('family_dob:SMITH|1970-12-31', vnode, k), bounds), `term == end is inside (vnode ${vnode})`)
      t.ok(inside(indexEntryKey('family_dob:SMITH|1970', vnode, k), bounds), `term == start is inside (vnode ${vnode})`)
    }
  }
  t.ok(inside(indexEntryKey('family_dob:SMITH|1970-06-01', 3, key), bounds), 'a term between is inside')
  t.notOk(inside(indexEntryKey('family_dob:SMITH|1970-12-31x', 3, key), bounds), 'end followed by anything is past')
  t.notOk(inside(indexEntryKey('family_dob:SMITH|1970-12-31 ', 3, key), bounds), 'end followed by a space is past')
  t.notOk(inside(indexEntryKey('family_dob:SMITH|1971', 3, key), bounds), 'a greater term is past')
  t.notOk(inside(indexEntryKey('family_dob:SMITH|1969-12-31', 3, key), bounds), 'a smaller term is before')
  t.notOk(inside(indexEntryKey('family_dob:SMITHS|1970-01-01', 3, key), bounds), 'a longer name sorts before the scan (S < |)')
  t.notOk(inside(indexEntryKey('postcode_dob:LS16AE|1970-01-01', 3, key), bounds), 'another index is past')
  t.notOk(inside(indexEntryKey('dob_family:1970-01-01|SMITH', 3, key), bounds), 'another index is before')

  // The same through a real ordered fold: what the scan returns is exactly termInRange's set.
  const backend = new MemoryBackend()
  await backend.open()
  const all = [
    'family_dob:SMIT|1970-01-01',
    'family_dob:SMITH|1969-12-31',
    'family_dob:SMITH|1970',
    'family_dob:SMITH|1970-01',
    'family_dob:SMITH|1970-01-01',
    'family_dob:SMITH|1970-12-31',
    'family_dob:SMITH|1971-01-01',
    'family_dob:SMITHE|1970-05-05',
    'family_dob:SMYTH|1970-05-05',
    'postcode_dob:LS16AE|1970-05-05',
  ]
  for (const term of all) for (const vnode of [1, 2]) await backend.put(INDEX_PARTITION, indexEntryKey(term, vnode, key), new Uint8Array(0))
  const found = await scanTerms(backend, scan)
  t.same([...new Set(found)].sort(), all.filter((x) => termInRange(x, scan)).sort(), 'fold between the bounds gives the terms in the scan')
  t.same(found, ['family_dob:SMITH|1970', 'family_dob:SMITH|1970', 'family_dob:SMITH|1970-01', 'family_dob:SMITH|1970-01', 'family_dob:SMITH|1970-01-01', 'family_dob:SMITH|1970-01-01', 'family_dob:SMITH|1970-12-31', 'family_dob:SMITH|1970-12-31'], 'each once per vnode, in byte order')
})

t.test('wildcard scans end with \\uffff and take every longer name, in byte order as in string order', async (t) => {
  const wildcardRange = query({ family: 'Sm*', birthdate: ['ge1960-01-01', 'le1980-12-31'] })
  t.same(wildcardRange, [{ index: 'family_dob', start: 'SM', end: 'SM\uffff', births: [{ first: '1960-01-01', last: '1980-12-31' }] }])
  const wildcardDay = query({ family: 'Sm*', birthdate: '1970-01-01' })
  t.ok(wildcardDay.length > 0 && wildcardDay.every((s) => s.end.endsWith('\uffff')), 'a wildcard on one day scans dob_family prefixes up to \\uffff')
  const key = encodeBKey(patientBKey(NHS_A))
  for (const scan of [...wildcardRange, ...wildcardDay]) {
    const { before } = scanBounds(scan)
    const prefix = Buffer.from(`${scan.index}:${scan.end.slice(0, -1)}`, 'utf8')
    t.equal(Buffer.compare(before.subarray(0, prefix.length), prefix), 0, 'the upper bound starts with the prefix')
    const highest = indexEntryKey(`${scan.index}:${scan.end.slice(0, -1)}\u{10FFFF}\u{10FFFF}|9999-12-31`, 0xffff_ffff, Buffer.alloc(16, 0xff))
    t.ok(Buffer.compare(highest, before) < 0, 'and lies above the prefix followed by the highest code point, U+10FFFF')
  }
  const [scan] = wildcardRange as [IndexScan]
  const bounds = scanBounds(scan)
  for (const family of ['SM', 'SMITH', 'SMYTHE', 'SMZZZZZZZZZZZZZZZZZZZZZZZZZ', 'SMÖRGÅS', 'SMΩ', 'SM陈', 'SM\ufffe', 'SM𠀀', 'SM𐐀']) {
    const term = `family_dob:${family}|1970-01-01`
    t.ok(termInRange(term, scan), `${family} is in the wildcard scan by string order`)
    t.ok(inside(indexEntryKey(term, 5, key), bounds), `${family}: its entry is inside the wildcard scan's bounds`)
  }
  for (const family of ['SN', 'SNA', 'T', 'S', 'SL']) {
    t.notOk(inside(indexEntryKey(`family_dob:${family}|1970-01-01`, 5, key), bounds), `${family} is outside SM*`)
  }

  const backend = new MemoryBackend()
  await backend.open()
  const all = ['family_dob:S|1970-01-01', 'family_dob:SL|1970-01-01', 'family_dob:SM|1970-01-01', 'family_dob:SMITH|1970-01-01', 'family_dob:SM𠀀|1970-01-01', 'family_dob:SN|1970-01-01']
  for (const term of all) await backend.put(INDEX_PARTITION, indexEntryKey(term, 4, key), new Uint8Array(0))
  t.same((await scanTerms(backend, scan)).sort(), ['family_dob:SM|1970-01-01', 'family_dob:SMITH|1970-01-01', 'family_dob:SM𠀀|1970-01-01'].sort(), 'the fold finds every SM name and nothing else')
})

// ---------------------------------------------------------------------------------------------
// the hook through a real vnode

interface Rig {
  backend: MemoryBackend
  vnode: Vnode
  partition: number
}

async function rig(partition: number, node: string): Promise<Rig> {
  const backend = new MemoryBackend()
  await backend.open()
  return { backend, vnode: new Vnode(partition, node, backend, manualClock(), silentLogger(), undefined, [patientIndexHook()]), partition }
}

/** Every entry the node's index partition should hold, recomputed from the objects of every vnode on the backend. */
async function expectedEntries(backend: MemoryBackend): Promise<string[]> {
  const out: string[] = []
  for (const p of await backend.partitions()) {
    if (!isObjectPartition(p)) continue
    for await (const [key, value] of backend.fold(p)) {
      if (!isPatientKey(key)) continue
      for (const term of objectTerms(decodeObject(value))) out.push(hex(indexEntryKey(term, p, key)))
    }
  }
  return out.sort()
}

async function actualEntries(backend: MemoryBackend): Promise<string[]> {
  const out: string[] = []
  for await (const [entry, value] of backend.fold(INDEX_PARTITION)) {
    if (value.length !== 0) throw new Error('index entries carry no value')
    out.push(hex(entry))
  }
  return out.sort()
}

async function checkIndex(t: Test, r: Rig, what: string): Promise<void> {
  t.same(await actualEntries(r.backend), await expectedEntries(r.backend), `${what}: the index holds exactly the stored objects' terms`)
  const parts = await r.backend.partitions()
  t.ok(
    parts.every((p) => isObjectPartition(p) || p === INDEX_PARTITION || p === META_PARTITION),
    `${what}: nothing written outside the object, index and metadata partitions`,
  )
}

/** The terms the index holds for one key of this rig's vnode. */
async function termsOf(r: Rig, nhsNumber: string, vnode = r.partition): Promise<string[]> {
  const key = hex(encodeBKey(patientBKey(nhsNumber)))
  const out: string[] = []
  for await (const [entry] of r.backend.fold(INDEX_PARTITION)) {
    const parsed = parseIndexEntry(entry)
    if (hex(parsed.objectKey) === key && parsed.vnode === vnode) out.push(parsed.term)
  }
  return out.sort()
}

t.test('the index follows every change of a copy: create, sibling merge, replace, tombstone, reap', async (t) => {
  const r = await rig(5, 'n1')
  const key = encodeBKey(patientBKey(NHS_A))
  const a1 = patient(NHS_A, 'Smith')
  const other = await r.vnode.coordinate(encodeBKey(patientBKey(NHS_C)), { context: [], content: recordContent(patient(NHS_C, 'Bystander')), allowMult: true, sync: false })
  t.ok(other.length > 0)

  const v1 = decodeObject(await r.vnode.coordinate(key, { context: [], content: recordContent(a1), allowMult: true, sync: false }))
  await checkIndex(t, r, 'after the create')
  t.same(await termsOf(r, NHS_A), indexTerms(a1), 'the record\'s own terms')

  // A concurrent version coordinated elsewhere (same partition on another node), merged in as replication would.
  const elsewhere = await rig(5, 'n2')
  const a2 = patient(NHS_A, 'Brown', { birthDate: '1971-02-03' })
  const concurrent = decodeObject(await elsewhere.vnode.coordinate(key, { context: [], content: recordContent(a2), allowMult: true, sync: false }))
  await checkIndex(t, elsewhere, 'the other vnode after its own write')
  await r.vnode.merge(key, concurrent, true, false)
  const merged = await r.vnode.get(key)
  t.equal(merged?.siblings.length, 2, 'two siblings after the merge')
  await checkIndex(t, r, 'after the sibling merge')
  t.same(await termsOf(r, NHS_A), [...new Set([...indexTerms(a1), ...indexTerms(a2)])].sort(), 'the union of both siblings\' terms')
  t.ok((await termsOf(r, NHS_A)).includes('family_dob:BROWN|1971-02-03'))
  t.ok((await termsOf(r, NHS_A)).includes('family_dob:SMITH|1970-01-01'))

  // Merging the same copy again changes nothing.
  await r.vnode.merge(key, concurrent, true, false)
  await checkIndex(t, r, 'after a repeated merge')

  // A replacement made from the merged context drops both siblings and their terms.
  const a3 = patient(NHS_A, 'Taylor', { birthDate: '1972-03-04' })
  a3.address = [{ use: 'home', postalCode: 'M1 1AE' }]
  const v3 = decodeObject(await r.vnode.coordinate(key, { context: merged!.clock, content: recordContent(a3), allowMult: true, sync: false }))
  t.equal(v3.siblings.length, 1)
  await checkIndex(t, r, 'after the replacement')
  t.same(await termsOf(r, NHS_A), indexTerms(a3), 'only the replacement\'s terms')
  t.notOk((await termsOf(r, NHS_A)).some((x) => x.includes('SMITH') || x.includes('BROWN') || x.includes('LS16AE')), 'no stale term is left')

  // A write from a stale context (v1's) makes a sibling again: its terms come back with it.
  await r.vnode.coordinate(key, { context: v1.clock, content: recordContent(a1), allowMult: true, sync: false })
  await checkIndex(t, r, 'after a write from a stale context')
  t.same(await termsOf(r, NHS_A), [...new Set([...indexTerms(a1), ...indexTerms(a3)])].sort())

  // Delete: a tombstone has no terms.
  const live = (await r.vnode.get(key))!
  const tomb = decodeObject(await r.vnode.coordinate(key, { context: live.clock, content: content('', PATIENT_CONTENT_TYPE, true), allowMult: true, sync: false }))
  await checkIndex(t, r, 'after the tombstone')
  t.same(await termsOf(r, NHS_A), [], 'a tombstone leaves no entries')

  // The concurrent copy arriving late is covered by the tombstone: still nothing.
  await r.vnode.merge(key, concurrent, true, false)
  await checkIndex(t, r, 'after a late copy the tombstone covers')
  t.same(await termsOf(r, NHS_A), [])

  t.ok(await r.vnode.reap(key, tomb.clock), 'reaped')
  t.equal(await r.vnode.get(key), undefined)
  await checkIndex(t, r, 'after the reap')
  t.same(await termsOf(r, NHS_A), [])
  t.same(await termsOf(r, NHS_C), indexTerms(patient(NHS_C, 'Bystander')), 'the other key kept its entries throughout')

  // A write after the reap indexes again.
  await r.vnode.coordinate(key, { context: [], content: recordContent(a2), allowMult: true, sync: false })
  await checkIndex(t, r, 'after a write following the reap')
  t.same(await termsOf(r, NHS_A), indexTerms(a2))
})

t.test('handoff\'s deleteIfUnchanged removes the entries; a changed copy keeps them', async (t) => {
  const r = await rig(11, 'fallback')
  const key = encodeBKey(patientBKey(NHS_B))
  const b1 = patient(NHS_B, 'Okafor', { birthDate: '1988-08-08' })
  const sent = await r.vnode.coordinate(key, { context: [], content: recordContent(b1), allowMult: true, sync: false })
  await r.vnode.coordinate(encodeBKey(patientBKey(NHS_C)), { context: [], content: recordContent(patient(NHS_C, 'Stays')), allowMult: true, sync: false })
  await checkIndex(t, r, 'before handoff')
  t.same(await termsOf(r, NHS_B), indexTerms(b1))

  // A write lands on the fallback after the batch was sent: the delete must not happen.
  const b2 = patient(NHS_B, 'Okafor-Smith', { birthDate: '1988-08-08' })
  const changed = await r.vnode.coordinate(key, { context: decodeObject(sent).clock, content: recordContent(b2), allowMult: true, sync: false })
  t.notOk(await r.vnode.deleteIfUnchanged(key, sent), 'stale bytes: not deleted')
  await checkIndex(t, r, 'after a refused deleteIfUnchanged')
  t.same(await termsOf(r, NHS_B), indexTerms(b2))

  t.ok(await r.vnode.deleteIfUnchanged(key, changed), 'unchanged: deleted')
  t.equal(await r.vnode.get(key), undefined)
  await checkIndex(t, r, 'after deleteIfUnchanged')
  t.same(await termsOf(r, NHS_B), [], 'no entries left for the handed-off key')
  t.same(await termsOf(r, NHS_C), indexTerms(patient(NHS_C, 'Stays')), 'the other key is untouched')
})

t.test('non-patient keys and unreadable values in the patient bucket add no entries and do not throw', async (t) => {
  const r = await rig(2, 'n1')
  const record = JSON.stringify(patient(NHS_A, 'Smith'))
  const write = (bk: BKey, c: SiblingContent) => r.vnode.coordinate(encodeBKey(bk), { context: [], content: c, allowMult: true, sync: false })

  await write({ type: 'default', bucket: 'Patient', key: NHS_A }, content(record))
  await write({ type: 'pds', bucket: 'Other', key: NHS_A }, content(record))
  await write({ type: 'default', bucket: 'b', key: 'k' }, content('plain', 'text/plain'))
  t.same(await actualEntries(r.backend), [], 'a patient record outside pds/Patient is not indexed')

  const cases: [string, SiblingContent][] = [
    ['not JSON', content('this is { not json')],
    ['invalid UTF-8', content(Buffer.of(0xff, 0xfe, 0x00, 0x80))],
    ['empty', content('')],
    ['JSON null', content('null')],
    ['a JSON number', content('42')],
    ['a JSON array', content('[1,2,3]')],
    ['JSON of another resource', content(JSON.stringify({ resourceType: 'Observation', id: NHS_A }))],
    ['a malformed Patient', content(JSON.stringify({ resourceType: 'Patient', id: NHS_A, meta: {}, name: 'Smith', birthDate: '1970-01-01' }))],
    ['a Patient without meta', content(JSON.stringify({ resourceType: 'Patient', id: NHS_A, name: [{ use: 'usual', family: 'Smith' }], birthDate: '1970-01-01' }))],
    ['an alias', content(encodeAlias({ id: NHS_A, supersededBy: NHS_B }), ALIAS_CONTENT_TYPE)],
    ['a record stored under the alias content type', content(record, ALIAS_CONTENT_TYPE)],
  ]
  let prefix = 999_100_000
  for (const [what, c] of cases) {
    let id: string | undefined
    while (id === undefined) id = nhsNumberFromPrefix(prefix++)
    const key = encodeBKey(patientBKey(id))
    await t.resolves(r.vnode.coordinate(key, { context: [], content: c, allowMult: true, sync: false }), `${what}: the write stands`)
    t.same(await termsOf(r, id), [], `${what}: no entries`)
    // Replacing it with a real record indexes the record; replacing that with junk again removes them.
    const real = patient(id, 'Real')
    const v = await r.vnode.get(key)
    await r.vnode.coordinate(key, { context: v!.clock, content: recordContent(real), allowMult: true, sync: false })
    t.same(await termsOf(r, id), indexTerms(real), `${what}: a record written over it is indexed`)
    const v2 = await r.vnode.get(key)
    await t.resolves(r.vnode.coordinate(key, { context: v2!.clock, content: c, allowMult: true, sync: false }), `${what}: written over a record`)
    t.same(await termsOf(r, id), [], `${what}: the record's entries are gone`)
    await checkIndex(t, r, what)
  }
  t.same(await actualEntries(r.backend), [], 'nothing indexed at the end')
})

t.test('a restricted record has no postcode terms; a redacted one none', async (t) => {
  const r = await rig(7, 'n1')
  const base = patient(NHS_A, 'Smith')
  base.address = [
    { use: 'home', postalCode: 'LS1 6AE' },
    { use: 'old', postalCode: 'LS6 3AA' },
  ]
  const key = encodeBKey(patientBKey(NHS_A))

  const unrestricted = withCode(base, 'U')
  let v = decodeObject(await r.vnode.coordinate(key, { context: [], content: recordContent(unrestricted), allowMult: true, sync: false }))
  t.same(
    (await termsOf(r, NHS_A)).filter((x) => x.startsWith('postcode_dob:')),
    ['postcode_dob:LS16AE|1970-01-01', 'postcode_dob:LS63AA|1970-01-01'],
    'unrestricted: both postcodes indexed',
  )

  const restricted = withCode(base, 'R')
  v = decodeObject(await r.vnode.coordinate(key, { context: v.clock, content: recordContent(restricted), allowMult: true, sync: false }))
  await checkIndex(t, r, 'restricted')
  const rTerms = await termsOf(r, NHS_A)
  t.same(rTerms.filter((x) => x.startsWith('postcode_dob:')), [], 'restricted: no postcode terms')
  t.ok(rTerms.includes('family_dob:SMITH|1970-01-01'), 'restricted: still found by name and birth date')
  t.ok(rTerms.includes('soundex_dob:S530|1970-01-01'), 'restricted: and by Soundex')

  const redacted = withCode(base, 'REDACTED')
  v = decodeObject(await r.vnode.coordinate(key, { context: v.clock, content: recordContent(redacted), allowMult: true, sync: false }))
  await checkIndex(t, r, 'redacted')
  t.same(await termsOf(r, NHS_A), [], 'redacted: no terms at all')

  // Back to unrestricted: everything returns.
  await r.vnode.coordinate(key, { context: v.clock, content: recordContent(unrestricted), allowMult: true, sync: false })
  await checkIndex(t, r, 'unrestricted again')
  t.same(await termsOf(r, NHS_A), indexTerms(unrestricted))

  // A redacted sibling beside a live one: the object is found by the live one's terms only.
  const elsewhere = await rig(7, 'n2')
  const concurrent = decodeObject(await elsewhere.vnode.coordinate(key, { context: [], content: recordContent(withCode(patient(NHS_A, 'Hidden'), 'REDACTED')), allowMult: true, sync: false }))
  t.same(await actualEntries(elsewhere.backend), [], 'a vnode holding only a redacted record has no entries')
  await r.vnode.merge(key, concurrent, true, false)
  await checkIndex(t, r, 'a redacted sibling merged in')
  t.notOk((await termsOf(r, NHS_A)).some((x) => x.includes('HIDDEN')), 'the redacted sibling adds nothing')
})

t.test('vnodes sharing a node\'s index: entries name their vnode, and one copy\'s change leaves the other\'s entries', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const make = (partition: number): Rig => ({ backend, partition, vnode: new Vnode(partition, 'n1', backend, manualClock(), silentLogger(), undefined, [patientIndexHook()]) })
  const a = make(5)
  const b = make(6)
  const key = encodeBKey(patientBKey(NHS_A))
  const rec = patient(NHS_A, 'Shared', { birthDate: '1999-09-09' })
  const copy = decodeObject(await a.vnode.coordinate(key, { context: [], content: recordContent(rec), allowMult: true, sync: false }))
  await b.vnode.merge(key, copy, true, false)
  await checkIndex(t, a, 'one record in two vnodes of a node')
  t.same(await termsOf(a, NHS_A), indexTerms(rec), 'vnode 5 has its entries')
  t.same(await termsOf(b, NHS_A), indexTerms(rec), 'vnode 6 has its own')
  t.equal((await actualEntries(backend)).length, 2 * indexTerms(rec).length, 'one entry per term per vnode')

  const changed = patient(NHS_A, 'Changed', { birthDate: '1999-09-09' })
  await a.vnode.coordinate(key, { context: copy.clock, content: recordContent(changed), allowMult: true, sync: false })
  await checkIndex(t, a, 'after vnode 5 alone changed its copy')
  t.same(await termsOf(a, NHS_A), indexTerms(changed), 'vnode 5 has the new terms')
  t.same(await termsOf(b, NHS_A), indexTerms(rec), 'vnode 6 keeps the old copy\'s terms until it gets the change')

  const raw = await backend.get(6, key)
  t.ok(await b.vnode.deleteIfUnchanged(key, raw!), 'vnode 6 hands its copy off')
  await checkIndex(t, a, 'after vnode 6 handed off')
  t.same(await termsOf(b, NHS_A), [], 'vnode 6 has no entries left')
  t.same(await termsOf(a, NHS_A), indexTerms(changed), 'vnode 5 keeps its entries')
})

t.test('encodePatient: the bytes it made read back as the record without a parse; the same bytes from elsewhere parse equal', async (t) => {
  const p = examplePatient()
  const bytes = encodePatient(p)
  t.equal(parseStoredPatient(bytes, PATIENT_CONTENT_TYPE), p, 'the very record this process encoded')
  const copy = Buffer.from(bytes)
  const parsed = parseStoredPatient(copy, PATIENT_CONTENT_TYPE)
  t.not(parsed, p, 'a copy (as a replica receives it) is parsed')
  t.same(parsed, p, 'to the same record')
  t.same(JSON.parse(bytes.toString('utf8')), p, 'the stored form is the record as JSON')
})

t.test('a value larger than PATIENT.maxRecordBytes is not a record: not indexed, not searched', async (t) => {
  const p = examplePatient()
  const padded = Buffer.from(JSON.stringify({ ...p, pad: 'x'.repeat(PATIENT_LIMITS.maxRecordBytes) }), 'utf8')
  t.equal(parseStoredPatient(padded, PATIENT_CONTENT_TYPE), undefined, 'a raw KV write of a huge "Patient" is ignored')
  t.ok(parseStoredPatient(Buffer.from(JSON.stringify(p), 'utf8'), PATIENT_CONTENT_TYPE), 'a record of the usual size is one')
})
