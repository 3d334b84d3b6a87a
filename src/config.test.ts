/**
 * How the limits in config.ts must relate, so that every stream between nodes (and every batched
 * client request) can always make progress: each message a batch is cut into fits one frame, and
 * the largest single item fits alone. Raise a batch bound past the frame, or the object limit past
 * a batch's room, and this fails — before a transfer stalls in production (issue 15: handoff
 * batches of 100 objects of 1 MiB against a 16 MiB frame never went).
 */
import t from 'tap'
import { AAE, CLIENT, HANDOFF, INDEX, KV, LIMITS, NET, PATIENT } from './config.js'
import { encodeBKey } from './core/hash.js'
import { LISTING_ENTRY_BYTES } from './node/antiEntropy/treeStore.js'
import { CONFIDENTIALITY_SYSTEM, ODS_SYSTEM } from './patient/record.js'
import { prepareCreate } from './patient/versioning.js'

/** msgpack's cost around a message's items: the RPC envelope [kind, id, body], the op and its scalar fields. */
const ENVELOPE = 1024
/** What msgpack adds per item beside the bytes a batch counts: array/map headers, bin headers, field names, flags. */
const PER_ITEM = 64
const F = NET.maxFrameBytes

/** The longest storage key: type, bucket and key at their limits, each with its 2-byte length. */
const maxKeyBytes = encodeBKey({ type: 't'.repeat(LIMITS.maxBucketTypeBytes), bucket: 'b'.repeat(LIMITS.maxBucketBytes), key: 'k'.repeat(LIMITS.maxKeyBytes) }).byteLength
/** The largest item a batch of stored objects can carry: the longest key and the largest object. */
const maxObjectItem = maxKeyBytes + LIMITS.maxObjectBytes

/** The worst message of a batch cut at `maxItems` items or `maxBytes` counted bytes (an item above maxBytes goes alone). */
function worstMessage(maxItems: number, maxBytes: number, largestItem: number): number {
  return Math.max(maxBytes + maxItems * PER_ITEM, largestItem + PER_ITEM) + ENVELOPE
}

t.test('values, objects and frames: each limit below the next', async (t) => {
  t.ok(LIMITS.maxValueBytes <= LIMITS.maxObjectBytes, 'a value fits an object')
  t.ok(maxObjectItem + PER_ITEM + ENVELOPE <= F, `the largest object with its key (${maxObjectItem}) travels alone in one frame (${F})`)
  // A connection is closed as stuck above this: the largest frame must queue behind another.
  t.ok(NET.maxQueuedBytesPerConnection >= 2 * F, 'two frames of the largest size can be queued for one peer')
})

t.test('a handoff batch (hinted and ownership transfers) always fits a frame', async (t) => {
  const worst = worstMessage(HANDOFF.batchSize, HANDOFF.batchBytes, maxObjectItem)
  t.ok(worst <= F, `worst handoff message ${worst} bytes within the ${F}-byte frame`)
  t.ok(HANDOFF.batchBytes + HANDOFF.batchSize * PER_ITEM + ENVELOPE <= F, 'HANDOFF.batchBytes leaves room for the envelope')
  t.ok(LIMITS.maxValueBytes <= HANDOFF.batchBytes, 'objects of one value travel several to a batch, not one per message')
  t.ok(HANDOFF.batchSize <= HANDOFF.maxBatchItems, 'the receiver accepts the batches senders make')
  t.ok(HANDOFF.retryDelayMs > 0 && HANDOFF.retryDelayMs <= HANDOFF.maxRetryDelayMs, 'a failed transfer waits before it is tried again')
})

t.test('a batched replica message (bulk load) always fits a frame, whatever its objects', async (t) => {
  const worst = worstMessage(KV.maxReplicaBatchItems, KV.maxReplicaBatchBytes, maxObjectItem)
  t.ok(worst <= F, `worst vputMany ${worst} bytes within the ${F}-byte frame`)
  // A quarter of the frame left for keys, clocks, field names and framing, as before.
  t.ok(Math.max(KV.maxReplicaBatchBytes, LIMITS.maxObjectBytes) <= F * 0.75)
  t.ok(LIMITS.maxValueBytes <= KV.maxReplicaBatchBytes)
  t.ok(KV.maxReplicaBatchItems <= KV.maxBatchItems)
})

t.test('an anti-entropy listing always fits a frame', async (t) => {
  t.ok(AAE.maxListingBytes + ENVELOPE <= F, `AAE.maxListingBytes (${AAE.maxListingBytes}, entries' headers counted) within the frame`)
  t.ok(maxKeyBytes + LISTING_ENTRY_BYTES <= AAE.maxListingBytes, 'the longest key fits a listing')
  // Without the byte bound the count alone would not do: this is why maxListingBytes exists.
  t.ok(AAE.maxKeysPerListing * (maxKeyBytes + LISTING_ENTRY_BYTES) > AAE.maxListingBytes, 'the byte bound is the one that binds for long keys')
  const segsReply = AAE.branches * AAE.segmentsPerBranch * 4 + ENVELOPE
  t.ok(segsReply <= F, `a segment reply of every branch (${segsReply} bytes) fits a frame`)
  t.ok(AAE.maxSegmentsPerExchange <= AAE.branches * AAE.segmentsPerBranch)
})

t.test('a search reply always fits a frame', async (t) => {
  t.ok(PATIENT.maxBodyBytes <= PATIENT.maxRecordBytes, 'no body the HTTP API accepts is refused as a record')
  // Each node returns at most maxResults + 1 matches; the coordinator returns at most maxResults.
  const worst = (PATIENT.maxSearchResults + 1) * (PATIENT.maxRecordBytes + PER_ITEM) + ENVELOPE
  t.ok(worst <= F, `worst node reply ${worst} bytes within the ${F}-byte frame`)
  t.ok(PATIENT.defaultSearchResults <= PATIENT.maxSearchResults)
})

t.test('a node\'s share of a 2i page always fits a frame', async (t) => {
  // maxResults + 1 pairs, each a term and a key at their limits (a $key term is a key).
  const pair = Math.max(LIMITS.maxIndexTermBytes, LIMITS.maxKeyBytes) + LIMITS.maxKeyBytes + PER_ITEM
  t.ok((INDEX.maxResults + 1) * pair + ENVELOPE <= F, `${INDEX.maxResults + 1} results of ${pair} bytes`)
})

t.test('a record with every field at its limit is within PATIENT.maxRecordBytes', async (t) => {
  // Three UTF-8 bytes per character (and a quote, escaped, two): the largest text a field may hold.
  const text = (n: number) => '€"'.repeat(Math.ceil(n / 2)).slice(0, n - 1) + '€'
  const period = { start: '2000-01-01', end: '2001-01-01' }
  const id = (i: number) => `${i}`.padStart(PATIENT.maxElementIdLength, 'x')
  const parts = (n: number, len: number) => Array.from({ length: n }, () => text(len))
  const body = {
    resourceType: 'Patient',
    id: '9434765919',
    meta: { versionId: '1', security: [{ system: CONFIDENTIALITY_SYSTEM, code: 'U', display: text(PATIENT.maxTextLength) }] },
    name: Array.from({ length: PATIENT.maxNames }, (_, i) => ({
      id: id(i),
      // Was 'official': PDS's HumanName.yaml allows usual, temp, nickname, old and maiden only.
      use: 'old',
      period,
      given: parts(PATIENT.maxGivenNames, PATIENT.maxNamePartLength),
      family: text(PATIENT.maxFamilyLength),
      prefix: parts(PATIENT.maxNameAffixes, PATIENT.maxNamePartLength),
      suffix: parts(PATIENT.maxNameAffixes, PATIENT.maxNamePartLength),
    })),
    gender: 'female',
    birthDate: '1970-01-01',
    address: Array.from({ length: PATIENT.maxAddresses }, (_, i) => ({ id: id(100 + i), use: 'home', period, line: parts(PATIENT.maxAddressLines, PATIENT.maxAddressLineLength), postalCode: 'LS1 6AE' })),
    telecom: Array.from({ length: PATIENT.maxTelecoms }, (_, i) => ({ id: id(200 + i), system: 'other', value: text(PATIENT.maxTelecomValueLength), use: 'home', period })),
    generalPractitioner: [{ id: id(300), type: 'Organization', identifier: { system: ODS_SYSTEM, value: 'Y12345', period } }],
  }
  const r = prepareCreate(body, new Date('2026-01-01T00:00:00Z'))
  if (!r.ok) return t.fail(`the maximal record must validate: ${JSON.stringify(r.errors.slice(0, 3))}`)
  const bytes = Buffer.byteLength(JSON.stringify(r.value), 'utf8')
  t.ok(bytes <= PATIENT.maxRecordBytes, `a maximal record is ${bytes} bytes, within ${PATIENT.maxRecordBytes}`)
})

t.test('a batched client request fits a frame, and a whole load request goes out as one batched put', async (t) => {
  const item = LIMITS.maxValueBytes + maxKeyBytes
  const worst = worstMessage(KV.maxBatchItems, CLIENT.maxBatchBytes, item)
  t.ok(worst <= F, `worst putMany request ${worst} bytes within the ${F}-byte frame`)
  t.ok(PATIENT.maxLoadBatch <= KV.maxBatchItems)
})
