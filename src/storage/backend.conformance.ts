/**
 * The contract every Backend keeps, as one tap suite. memory.test.ts and level.test.ts run it, so
 * the simulator (MemoryBackend) and production (LevelBackend) cannot drift apart.
 */

import type { Test } from 'tap'
import type { Backend, BatchOp } from './backend.js'

export interface BackendUnderTest {
  /** Not yet opened; the suite opens it. */
  backend: Backend
  /** Closes the backend if still open and removes anything it left behind. */
  cleanup: () => Promise<void>
}

export type MakeBackend = () => Promise<BackendUnderTest>

const MAX_PARTITION = 0xffff_ffff

function bytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1')
}

function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex')
}

async function collect(it: AsyncIterable<[Uint8Array, Uint8Array]>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = []
  for await (const [k, v] of it) out.push([Buffer.from(k).toString('latin1'), Buffer.from(v).toString('latin1')])
  return out
}

async function foldKeys(backend: Backend, partition: number, opts?: Parameters<Backend['fold']>[1]): Promise<string[]> {
  return (await collect(backend.fold(partition, opts))).map(([k]) => k)
}

async function putAll(backend: Backend, partition: number, keys: readonly string[]): Promise<void> {
  for (const k of keys) await backend.put(partition, bytes(k), bytes(`v:${k}`))
}

function byteOrder(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(bytes(a), bytes(b)))
}

/**
 * Registers one subtest per property. Each subtest gets a fresh backend from makeBackend.
 * `persistent` turns on the test that data survives close() and open() of the same instance.
 */
export function backendConformance(t: Test, name: string, makeBackend: MakeBackend, persistent: boolean): void {
  const check = (title: string, body: (backend: Backend, tt: Test) => Promise<void>): void => {
    t.test(`${name}: ${title}`, async (tt) => {
      const { backend, cleanup } = await makeBackend()
      tt.teardown(cleanup)
      await backend.open()
      await body(backend, tt)
    })
  }

  roundTrips(check)
  isolationAndBatches(check)
  foldOrder(check)
  partitionBookkeeping(check)
  copiesAndEdgeValues(check)
  lifecycle(check, persistent)
}

type Check = (title: string, body: (backend: Backend, t: Test) => Promise<void>) => void

function roundTrips(check: Check): void {
  check('put, get and del round trip', async (b, t) => {
    await b.put(3, bytes('k'), bytes('v1'))
    t.equal(hex(await b.get(3, bytes('k'))), hex(bytes('v1')))
    await b.put(3, bytes('k'), bytes('v2'))
    t.equal(hex(await b.get(3, bytes('k'))), hex(bytes('v2')), 'overwrite replaces')
    await b.del(3, bytes('k'))
    t.equal(await b.get(3, bytes('k')), undefined, 'gone after del')
  })

  check('missing key and missing partition give undefined', async (b, t) => {
    t.equal(await b.get(0, bytes('nope')), undefined)
    await b.put(0, bytes('a'), bytes('1'))
    t.equal(await b.get(0, bytes('b')), undefined)
    t.equal(await b.get(9, bytes('a')), undefined)
    await b.del(0, bytes('never-written'))
    await b.del(77, bytes('never-written'))
    t.pass('del of a missing key resolves')
  })

  check('write options with sync are accepted', async (b, t) => {
    await b.put(1, bytes('k'), bytes('v'), { sync: true })
    await b.batch([{ type: 'put', partition: 1, key: bytes('j'), value: bytes('w') }], { sync: true })
    await b.del(1, bytes('k'), { sync: true })
    t.same(await foldKeys(b, 1), ['j'])
  })

  check('invalid partitions are refused', async (b, t) => {
    for (const p of [-1, 1.5, MAX_PARTITION + 1, Number.NaN]) {
      await t.rejects(() => b.put(p, bytes('k'), bytes('v')), { code: 'INVALID_ARGUMENT' }, `put ${p}`)
      await t.rejects(() => b.get(p, bytes('k')), { code: 'INVALID_ARGUMENT' }, `get ${p}`)
    }
    await b.put(MAX_PARTITION, bytes('k'), bytes('v'))
    t.equal(hex(await b.get(MAX_PARTITION, bytes('k'))), hex(bytes('v')), 'the largest partition works')
  })
}

function isolationAndBatches(check: Check): void {
  check('partitions are isolated', async (b, t) => {
    await b.put(1, bytes('same'), bytes('one'))
    await b.put(2, bytes('same'), bytes('two'))
    t.equal(hex(await b.get(1, bytes('same'))), hex(bytes('one')))
    t.equal(hex(await b.get(2, bytes('same'))), hex(bytes('two')))
    await b.del(1, bytes('same'))
    t.equal(await b.get(1, bytes('same')), undefined)
    t.equal(hex(await b.get(2, bytes('same'))), hex(bytes('two')), 'del in one partition leaves the other')
    t.same(await collect(b.fold(2)), [['same', 'two']])
  })

  check('batch applies puts and dels together, in order', async (b, t) => {
    await b.put(1, bytes('old'), bytes('x'))
    await b.batch([
      { type: 'put', partition: 1, key: bytes('new'), value: bytes('n') },
      { type: 'del', partition: 1, key: bytes('old') },
      { type: 'put', partition: 2, key: bytes('other'), value: bytes('o') },
      { type: 'put', partition: 1, key: bytes('twice'), value: bytes('first') },
      { type: 'put', partition: 1, key: bytes('twice'), value: bytes('second') },
      { type: 'put', partition: 1, key: bytes('gone'), value: bytes('g') },
      { type: 'del', partition: 1, key: bytes('gone') },
    ])
    t.same(await collect(b.fold(1)), [['new', 'n'], ['twice', 'second']])
    t.same(await collect(b.fold(2)), [['other', 'o']])
    await b.batch([])
    t.pass('empty batch resolves')
  })

  check('a batch with an invalid op applies nothing', async (b, t) => {
    await b.put(1, bytes('keep'), bytes('k'))
    const ops: BatchOp[] = [
      { type: 'put', partition: 1, key: bytes('a'), value: bytes('1') },
      { type: 'del', partition: 1, key: bytes('keep') },
      { type: 'put', partition: -1, key: bytes('b'), value: bytes('2') },
    ]
    await t.rejects(() => b.batch(ops), { code: 'INVALID_ARGUMENT' })
    t.same(await collect(b.fold(1)), [['keep', 'k']])
  })
}

/** Keys chosen so that string order, length order and insertion order all differ from byte order. */
const TRICKY_KEYS = ['b', 'a', 'ab', 'a\x00', 'a\xff', '\xff', '\xff\xff', '\xff\x00', '\x00', '\x00\x00', 'aa\xff', 'aa', '\x7f', '\x80']

function foldOrder(check: Check): void {
  check('fold yields keys in byte order', async (b, t) => {
    await putAll(b, 5, TRICKY_KEYS)
    // Neighbouring partitions must not leak into the fold, in particular via 0x00 / 0xff keys.
    await putAll(b, 4, ['\xff\xff\xff', 'z'])
    await putAll(b, 6, ['\x00', '\x00\x00\x00'])
    t.same(await foldKeys(b, 5), byteOrder(TRICKY_KEYS))
    const entries = await collect(b.fold(5))
    t.ok(entries.every(([k, v]) => v === `v:${k}`), 'each key comes with its own value')
    t.same(await foldKeys(b, 99), [], 'an empty partition folds to nothing')
  })

  check('fold honours after and limit', async (b, t) => {
    await putAll(b, 5, TRICKY_KEYS)
    const all = byteOrder(TRICKY_KEYS)
    t.same(await foldKeys(b, 5, { limit: 3 }), all.slice(0, 3), 'limit')
    t.same(await foldKeys(b, 5, { limit: 0 }), [], 'limit 0')
    t.same(await foldKeys(b, 5, { limit: 1000 }), all, 'limit above size')
    t.same(await foldKeys(b, 5, { after: bytes('a') }), all.slice(all.indexOf('a') + 1), 'after an existing key is exclusive')
    t.same(await foldKeys(b, 5, { after: bytes('a\x01') }), all.filter((k) => Buffer.compare(bytes(k), bytes('a\x01')) > 0), 'after a missing key')
    t.same(await foldKeys(b, 5, { after: bytes('\xff\xff') }), [], 'after the last key')
    t.same(await foldKeys(b, 5, { after: bytes('a'), limit: 2 }), all.slice(all.indexOf('a') + 1, all.indexOf('a') + 3), 'after and limit')
    const below = (k: string): boolean => Buffer.compare(bytes(k), bytes('b')) < 0
    t.same(await foldKeys(b, 5, { before: bytes('b') }), all.filter(below), 'before is exclusive')
    t.same(await foldKeys(b, 5, { after: bytes('a'), before: bytes('b') }), all.filter((k) => below(k) && Buffer.compare(bytes(k), bytes('a')) > 0), 'after and before')
    t.same(await foldKeys(b, 5, { after: bytes('b'), before: bytes('a') }), [], 'an empty range')
    t.same(await foldKeys(b, 5, { before: bytes('\xff\xff'), limit: 2 }), all.slice(0, 2), 'before and limit')
  })

  check('paging with after and limit visits every key once', async (b, t) => {
    await putAll(b, 7, TRICKY_KEYS)
    const seen: string[] = []
    let after: Uint8Array | undefined
    for (;;) {
      const page = await foldKeys(b, 7, after === undefined ? { limit: 4 } : { after, limit: 4 })
      if (page.length === 0) break
      seen.push(...page)
      after = bytes(page[page.length - 1] as string)
    }
    t.same(seen, byteOrder(TRICKY_KEYS))
  })

  check('fold of the largest partition works', async (b, t) => {
    await putAll(b, MAX_PARTITION, ['\xff', 'a'])
    await putAll(b, MAX_PARTITION - 1, ['\xff\xff', 'z'])
    t.same(await foldKeys(b, MAX_PARTITION), ['a', '\xff'])
    t.same(await foldKeys(b, MAX_PARTITION, { after: bytes('a') }), ['\xff'])
  })

  check('fold sees the partition as it was when iteration started', async (b, t) => {
    await putAll(b, 1, ['a', 'b', 'c'])
    const seen: string[] = []
    for await (const [k] of b.fold(1)) {
      const key = Buffer.from(k).toString('latin1')
      seen.push(key)
      if (key === 'a') {
        await b.put(1, bytes('bb'), bytes('new'))
        await b.del(1, bytes('c'))
      }
    }
    t.same(seen, ['a', 'b', 'c'])
    t.same(await foldKeys(b, 1), ['a', 'b', 'bb'])
  })

  check('a fold abandoned early releases cleanly', async (b, t) => {
    await putAll(b, 1, ['a', 'b', 'c'])
    for await (const [k] of b.fold(1)) {
      t.equal(Buffer.from(k).toString('latin1'), 'a')
      break
    }
    t.same(await foldKeys(b, 1), ['a', 'b', 'c'])
  })
}

function partitionBookkeeping(check: Check): void {
  check('isEmpty follows the last put and del', async (b, t) => {
    t.equal(await b.isEmpty(2), true, 'fresh partition')
    await b.put(2, bytes('a'), bytes('1'))
    await b.put(3, bytes('a'), bytes('1'))
    t.equal(await b.isEmpty(2), false)
    t.equal(await b.isEmpty(1), true, 'neighbour below')
    await b.del(2, bytes('a'))
    t.equal(await b.isEmpty(2), true, 'empty again after deleting its only key')
    t.equal(await b.isEmpty(3), false, 'neighbour above untouched')
  })

  check('dropPartition removes only that partition', async (b, t) => {
    for (const p of [9, 10, 11]) await putAll(b, p, TRICKY_KEYS)
    await b.dropPartition(10)
    t.equal(await b.isEmpty(10), true)
    t.same(await foldKeys(b, 10), [])
    t.same(await foldKeys(b, 9), byteOrder(TRICKY_KEYS))
    t.same(await foldKeys(b, 11), byteOrder(TRICKY_KEYS))
    await b.dropPartition(10)
    await b.dropPartition(500)
    t.pass('dropping an empty partition resolves')
    await b.put(10, bytes('again'), bytes('x'))
    t.same(await foldKeys(b, 10), ['again'], 'a dropped partition can be written again')
  })

  check('partitions lists the non-empty ones in order', async (b, t) => {
    t.same(await b.partitions(), [])
    for (const p of [63, 0, MAX_PARTITION, 256, 1, 65_536, 255]) await b.put(p, bytes('\xff'), bytes('v'))
    await b.put(1, bytes('\x00'), bytes('v'))
    t.same(await b.partitions(), [0, 1, 63, 255, 256, 65_536, MAX_PARTITION])
    await b.del(63, bytes('\xff'))
    await b.dropPartition(0)
    await b.dropPartition(MAX_PARTITION)
    t.same(await b.partitions(), [1, 255, 256, 65_536])
  })
}

function copiesAndEdgeValues(check: Check): void {
  check('stored bytes are copies', async (b, t) => {
    const key = bytes('key')
    const value = bytes('value')
    await b.put(1, key, value)
    value.fill(0x21)
    key.fill(0x21)
    t.equal(hex(await b.get(1, bytes('key'))), hex(bytes('value')), 'mutating the put buffers changes nothing')

    const got = await b.get(1, bytes('key'))
    got?.fill(0x22)
    t.equal(hex(await b.get(1, bytes('key'))), hex(bytes('value')), 'mutating a returned value changes nothing')

    for await (const [k, v] of b.fold(1)) {
      k.fill(0x23)
      v.fill(0x23)
    }
    t.same(await collect(b.fold(1)), [['key', 'value']], 'mutating folded entries changes nothing')

    const batchValue = bytes('batched')
    await b.batch([{ type: 'put', partition: 1, key: bytes('b'), value: batchValue }])
    batchValue.fill(0x24)
    t.equal(hex(await b.get(1, bytes('b'))), hex(bytes('batched')), 'mutating batch buffers changes nothing')
  })

  check('subarray keys and values are read at their offsets', async (b, t) => {
    const backing = bytes('xxKEYyyVALUEzz')
    await b.put(1, backing.subarray(2, 5), backing.subarray(7, 12))
    t.equal(hex(await b.get(1, bytes('KEY'))), hex(bytes('VALUE')))
    t.same(await collect(b.fold(1)), [['KEY', 'VALUE']])
  })

  check('empty values are stored, not treated as missing', async (b, t) => {
    await b.put(1, bytes('empty'), new Uint8Array(0))
    const got = await b.get(1, bytes('empty'))
    t.not(got, undefined)
    t.equal(got?.length, 0)
    t.same(await collect(b.fold(1)), [['empty', '']])
    t.equal(await b.isEmpty(1), false)
    t.same(await b.partitions(), [1])
  })

  check('large values round trip', async (b, t) => {
    const big = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff
    await b.put(1, bytes('big'), big)
    t.equal(Buffer.compare(Buffer.from((await b.get(1, bytes('big'))) ?? []), big), 0)
  })
}

function lifecycle(check: Check, persistent: boolean): void {
  if (persistent) {
    check('data survives close and re-open', async (b, t) => {
      await putAll(b, 1, TRICKY_KEYS)
      await b.put(2, bytes('synced'), bytes('s'), { sync: true })
      await b.batch([
        { type: 'put', partition: 3, key: bytes('b'), value: bytes('x') },
        { type: 'del', partition: 1, key: bytes('a') },
      ])
      await b.put(4, bytes('dropped'), bytes('d'))
      await b.dropPartition(4)
      await b.close()
      await b.open()
      t.same(await foldKeys(b, 1), byteOrder(TRICKY_KEYS.filter((k) => k !== 'a')))
      t.equal(hex(await b.get(2, bytes('synced'))), hex(bytes('s')))
      t.equal(hex(await b.get(3, bytes('b'))), hex(bytes('x')))
      t.same(await b.partitions(), [1, 2, 3])
    })
  }

  check('operations after close reject', async (b, t) => {
    await b.put(1, bytes('k'), bytes('v'))
    await b.close()
    const refused = { code: 'SHUTTING_DOWN' }
    await t.rejects(() => b.get(1, bytes('k')), refused, 'get')
    await t.rejects(() => b.put(1, bytes('k'), bytes('v')), refused, 'put')
    await t.rejects(() => b.del(1, bytes('k')), refused, 'del')
    await t.rejects(() => b.batch([{ type: 'del', partition: 1, key: bytes('k') }]), refused, 'batch')
    await t.rejects(() => collect(b.fold(1)), refused, 'fold')
    await t.rejects(() => b.isEmpty(1), refused, 'isEmpty')
    await t.rejects(() => b.dropPartition(1), refused, 'dropPartition')
    await t.rejects(() => b.partitions(), refused, 'partitions')
    await b.close()
    t.pass('a second close resolves')
  })
}
