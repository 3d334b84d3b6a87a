import t from 'tap'
import { createHash } from 'node:crypto'
import { claim, spreadPossible } from './claim.js'
import { decodeBKey, encodeBKey, isPowerOfTwo, partitionOf, type BKey } from './hash.js'
import { createRing, ownerCounts, partitionsOwnedBy, preflist, preflistFrom } from './ring.js'
import { mulberry32 } from '../../test/harness/prng.js'

const membersOf = (m: number): string[] => Array.from({ length: m }, (_, i) => `node${i}`)
const QS = [8, 16, 32, 64, 128, 256]
const NS = [1, 2, 3, 4, 5]

const rnd = mulberry32(7)
const KEYS: BKey[] = Array.from({ length: 2000 }, (_, i) => ({
  type: 'default',
  bucket: `bucket${i % 7}`,
  key: `${i}-${Math.floor(rnd() * 1e9).toString(36)}`,
}))

t.test('createRing: members sorted and unique, owners from claim, counts balanced', async (t) => {
  for (let m = 1; m <= 16; m++) {
    const members = membersOf(m)
    const bad: string[] = []
    for (const q of QS) {
      for (const n of NS) {
        const ring = createRing([...members].reverse().concat(members[0]!), q, n)
        if (ring.q !== q) bad.push(`q=${q} n=${n}: ring.q=${ring.q}`)
        if (ring.members.join() !== [...members].sort().join()) bad.push(`q=${q} n=${n}: members ${ring.members.join()}`)
        if (ring.owners.join() !== claim(members, q, n).join()) bad.push(`q=${q} n=${n}: owners differ from claim`)
        const counts = ownerCounts(ring)
        if (counts.size !== m) bad.push(`q=${q} n=${n}: ownerCounts has ${counts.size} entries`)
        let total = 0
        const owned = new Set<number>()
        for (const node of ring.members) {
          const c = counts.get(node) ?? -1
          total += c
          if (c !== Math.floor(q / m) && c !== Math.ceil(q / m)) bad.push(`q=${q} n=${n}: ${node} owns ${c}`)
          const ps = partitionsOwnedBy(ring, node)
          if (ps.length !== c) bad.push(`q=${q} n=${n}: partitionsOwnedBy(${node}) has ${ps.length}, count ${c}`)
          for (const p of ps) {
            if (ring.owners[p] !== node || owned.has(p)) bad.push(`q=${q} n=${n}: partition ${p} listed wrongly`)
            owned.add(p)
          }
        }
        if (total !== q || owned.size !== q) bad.push(`q=${q} n=${n}: counts sum ${total}, owned ${owned.size}`)
      }
    }
    t.same(bad, [], `m=${m}`)
  }
  t.same(partitionsOwnedBy(createRing(['a', 'b'], 8, 2), 'zzz'), [], 'a non-member owns nothing')
})

t.test('createRing rejects a Q that is not a power of two within limits', async (t) => {
  for (const q of [0, -8, 3, 6, 12, 100, 1.5, 2.5, NaN, Infinity, 8192, 2 ** 20]) {
    t.throws(() => createRing(['a', 'b', 'c'], q, 3), RangeError, `Q=${q} rejected`)
  }
  for (const q of [1, 2, 4, 64, 4096]) t.equal(createRing(['a', 'b', 'c'], q, 3).owners.length, q, `Q=${q} accepted`)
  t.equal(createRing(['a', 'b', 'c']).q, 64, 'default Q is 64')
  t.throws(() => createRing([], 64, 3), RangeError, 'an empty ring is refused')
  t.equal(isPowerOfTwo(1), true)
  t.equal(isPowerOfTwo(2 ** 30), true)
  t.equal(isPowerOfTwo(96), false)
  t.equal(isPowerOfTwo(-2), false)
  t.equal(isPowerOfTwo(0), false)
})

t.test('preflistFrom: N consecutive partitions (wrapping) with their owners, all primary', async (t) => {
  for (let m = 1; m <= 8; m++) {
    const bad: string[] = []
    for (const q of QS) {
      for (const n of NS) {
        const ring = createRing(membersOf(m), q, n)
        for (let first = 0; first < q; first++) {
          const pl = preflistFrom(ring, first, n)
          if (pl.length !== n) bad.push(`q=${q} n=${n} first=${first}: length ${pl.length}`)
          pl.forEach((e, k) => {
            const p = (first + k) % q
            if (e.partition !== p || e.node !== ring.owners[p] || e.primary !== true) {
              bad.push(`q=${q} n=${n} first=${first} k=${k}: ${JSON.stringify(e)}`)
            }
          })
        }
      }
    }
    t.same(bad, [], `m=${m}`)
  }
  const tiny = createRing(['a', 'b', 'c'], 2, 3)
  t.same(
    preflistFrom(tiny, 1, 3).map((e) => e.partition),
    [1, 0],
    'a preference list never holds a partition twice, even when N > Q',
  )
})

t.test('preflist starts at partitionOf and, when spread is possible, has N distinct nodes', async (t) => {
  let spreadChecks = 0
  const firstsByQ = new Map(QS.map((q) => [q, KEYS.map((bk) => partitionOf(bk, q))]))
  for (let m = 1; m <= 8; m++) {
    const bad: string[] = []
    for (const q of QS) {
      const firsts = firstsByQ.get(q)!
      for (const n of NS) {
        const ring = createRing(membersOf(m), q, n)
        const spread = spreadPossible(m, q, n)
        if (spread) spreadChecks++
        // preflist() hashes the key again; doing that for every ring would dominate the run time,
        // so every 20th key goes through preflist() and the others use the list of their partition.
        const byFirst = Array.from({ length: q }, (_, p) => preflistFrom(ring, p, n))
        KEYS.forEach((bk, i) => {
          const pl = i % 20 === 0 ? preflist(ring, bk, n) : byFirst[firsts[i]!]!
          if (pl.length !== n || pl[0]!.partition !== firsts[i]) bad.push(`q=${q} n=${n} key ${i}: starts at ${pl[0]?.partition}`)
          if (spread && new Set(pl.map((e) => e.node)).size !== n) bad.push(`q=${q} n=${n} key ${i}: nodes ${pl.map((e) => e.node)}`)
        })
      }
    }
    t.same(bad.slice(0, 5), [], `m=${m}: 2000 keys (${bad.length} bad)`)
  }
  t.ok(spreadChecks >= 100, `${spreadChecks} spreadable rings checked`)
  // Larger clusters: every possible preference list, i.e. one from each partition.
  for (let m = 9; m <= 16; m++) {
    const bad: string[] = []
    for (const q of QS) {
      for (const n of NS) {
        if (!spreadPossible(m, q, n)) continue
        const ring = createRing(membersOf(m), q, n)
        for (let first = 0; first < q; first++) {
          if (new Set(preflistFrom(ring, first, n).map((e) => e.node)).size !== n) bad.push(`q=${q} n=${n} first=${first}`)
        }
      }
    }
    t.same(bad, [], `m=${m}: every preference list has distinct nodes`)
  }
  const r3 = createRing(['a', 'b', 'c'], 64, 3)
  t.same(
    preflistFrom(r3, 63, 3).map((e) => e.node),
    ['a', 'a', 'b'],
    'm = N = 3, Q = 64: the wrap window holds a node twice (spread impossible)',
  )
})

t.test('partitionOf: pinned values (a change of hashing moves every key)', async (t) => {
  const pins: Array<[BKey, string, number[]]> = [
    [{ type: 'default', bucket: 'patients', key: '9434765919' }, 'bab9623179c4b134ce89558843a94207a1f1f610', [0, 5, 46, 186, 2987]],
    [{ type: 'default', bucket: 'b', key: 'k' }, '1e40b2fb6207ea64a95140cbcf782d785106af5f', [0, 0, 7, 30, 484]],
    [{ type: '', bucket: '', key: '' }, '7722745105e9e02e8f1aaf17f7b3aac5c56cd805', [0, 3, 29, 119, 1906]],
    [{ type: 't', bucket: 'bücket', key: 'ключ' }, '0fd48683011275946c265faa6b58c574420faef5', [0, 0, 3, 15, 253]],
  ]
  for (const [bk, sha, parts] of pins) {
    t.equal(createHash('sha1').update(encodeBKey(bk)).digest('hex'), sha, `sha1 of ${JSON.stringify(bk)}`)
    t.same(
      [1, 8, 64, 256, 4096].map((q) => partitionOf(bk, q)),
      parts,
      `partitions of ${JSON.stringify(bk)}`,
    )
  }
  t.equal(
    encodeBKey({ type: 'default', bucket: 'b', key: 'k' }).toString('hex'),
    '000764656661756c7400016200016b',
    'storage key layout: u16be length + utf8 per field',
  )
})

t.test('partitionOf is the top log2(Q) bits of SHA-1 over the encoded key, and stable', async (t) => {
  const bad: string[] = []
  for (const bk of KEYS.slice(0, 500)) {
    const top = createHash('sha1').update(encodeBKey(bk)).digest().readUInt32BE(0)
    for (let bits = 0; bits <= 12; bits++) {
      const q = 2 ** bits
      const want = bits === 0 ? 0 : top >>> (32 - bits)
      const got = partitionOf(bk, q)
      if (got !== want || partitionOf({ ...bk }, q) !== got) bad.push(`${bk.key} q=${q}: ${got} want ${want}`)
    }
  }
  t.same(bad, [])
})

t.test('partitionOf spreads 100k keys evenly over 64 partitions (chi-square)', async (t) => {
  const q = 64
  const counts = new Array<number>(q).fill(0)
  const total = 100_000
  for (let i = 0; i < total; i++) counts[partitionOf({ type: 'default', bucket: 'patients', key: String(9_000_000_000 + i) }, q)]!++
  const expected = total / q
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
  // 63 degrees of freedom: mean 63, sd ~11.2; 120 is beyond p = 1e-5.
  t.ok(chi2 < 120, `chi-square ${chi2.toFixed(1)} < 120`)
  t.ok(Math.min(...counts) > expected * 0.9 && Math.max(...counts) < expected * 1.1, `counts within 10% (${Math.min(...counts)}..${Math.max(...counts)})`)
})

t.test('encodeBKey/decodeBKey round-trip and never collide', async (t) => {
  const r = mulberry32(99)
  const alphabet = ['a', 'b', '', 'é', 'ключ', '😀', '\u0000', '/', ':']
  const str = () => Array.from({ length: Math.floor(r() * 6) }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('')
  const seen = new Map<string, string>()
  const bad: string[] = []
  for (let i = 0; i < 3000; i++) {
    const bk = { type: str(), bucket: str(), key: str() }
    const enc = encodeBKey(bk)
    const dec = decodeBKey(enc)
    if (dec.type !== bk.type || dec.bucket !== bk.bucket || dec.key !== bk.key) bad.push(JSON.stringify(bk))
    const id = JSON.stringify([bk.type, bk.bucket, bk.key])
    const hex = enc.toString('hex')
    const prev = seen.get(hex)
    if (prev !== undefined && prev !== id) bad.push(`collision ${prev} vs ${id}`)
    seen.set(hex, id)
  }
  t.same(bad, [], 'random keys round-trip, and different keys encode differently')
  t.ok(seen.size > 1000, `${seen.size} distinct keys tried`)

  const pairs: Array<[BKey, BKey]> = [
    [
      { type: 't', bucket: 'a', key: 'bc' },
      { type: 't', bucket: 'ab', key: 'c' },
    ],
    [
      { type: 'a', bucket: 'bc', key: 'k' },
      { type: 'ab', bucket: 'c', key: 'k' },
    ],
    [
      { type: 'ab', bucket: '', key: 'c' },
      { type: 'a', bucket: 'b', key: 'c' },
    ],
  ]
  for (const [x, y] of pairs) {
    t.not(encodeBKey(x).toString('hex'), encodeBKey(y).toString('hex'), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`)
  }
  t.not(
    [8, 16, 32, 64, 128, 256, 512, 1024, 4096].map((q) => partitionOf(pairs[0]![0], q)).join(),
    [8, 16, 32, 64, 128, 256, 512, 1024, 4096].map((q) => partitionOf(pairs[0]![1], q)).join(),
    '("a","bc") and ("ab","c") hash to different places',
  )

  const enc = encodeBKey({ type: 'default', bucket: 'bucket', key: 'key' })
  const padded = new Uint8Array(enc.length + 10)
  padded.set(enc, 5)
  t.same(decodeBKey(padded.subarray(5, 5 + enc.length)), { type: 'default', bucket: 'bucket', key: 'key' }, 'decodes a view with an offset')
  for (let cut = 0; cut < enc.length; cut++) {
    t.throws(() => decodeBKey(enc.subarray(0, cut)), RangeError, `truncated to ${cut} bytes is refused`)
  }
})
