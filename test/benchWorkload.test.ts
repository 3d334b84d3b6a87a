/**
 * The workloads: the mix is honoured within 1% over many seeded draws, the same seed gives the same
 * operation sequence, the key distributions put the load where they say, and the PDS workload
 * drives the patient API as a Spine service would (If-Match updates, registrations of new records).
 */
import t from 'tap'
import { readWorkloadFile, resolveConfig } from '../bench/harness/config.js'
import { keyChooser, parseKeyDist } from '../bench/harness/keys.js'
import type { KvStore } from '../bench/harness/kvStore.js'
import { loadRecords } from '../bench/harness/load.js'
import { Mix, parseMix } from '../bench/harness/workload.js'
import { kvWorkload } from '../bench/harness/workloads/kv.js'
import { misspell, pdsBatchWriter, pdsWorkload, PDS_MIX } from '../bench/harness/workloads/pds.js'
import { SeededRandom } from '../src/core/seededRandom.js'
import { syntheticNhsNumber } from '../src/patient/synthetic.js'
import { FakePds } from './harness/fakePds.js'

const DRAWS = 200_000

function shares(draw: () => string, n: number): Record<string, number> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const k = draw()
    counts[k] = (counts[k] ?? 0) + 1
  }
  return Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, (100 * c) / n]))
}

t.test('the mix is honoured within 1 percentage point over many draws, for several seeds', async (t) => {
  for (const seed of [1, 2, 3]) {
    for (const weights of [PDS_MIX, { get: 90, put: 10 }, { get: 1, put: 3 }]) {
      const total = Object.values(weights).reduce((a, b) => a + b, 0)
      const mix = new Mix(weights, new SeededRandom(`mix-test:${seed}`))
      const got = shares(() => mix.pick(), DRAWS)
      for (const [k, w] of Object.entries(weights)) {
        const want = (100 * w) / total
        t.ok(Math.abs((got[k] ?? 0) - want) < 1, `seed ${seed} ${k}: ${(got[k] ?? 0).toFixed(2)}% for ${want.toFixed(2)}%`)
      }
    }
  }
})

t.test('zero weights are never drawn; bad mixes are refused', async (t) => {
  const mix = new Mix({ get: 1, put: 0 }, new SeededRandom('z'))
  t.same(mix.opNames, ['get'])
  t.same(parseMix('get=80,put=20'), { get: 80, put: 20 })
  t.throws(() => parseMix('get'), /expected/)
  t.throws(() => new Mix({ get: 0 }, new SeededRandom('z')), /positive weight/)
})

/** A store that writes down what it was asked. */
function tape(): KvStore & { log: string[] } {
  const log: string[] = []
  return {
    name: 'tape',
    description: 'records the operations',
    log,
    get: async (k) => (log.push(`get ${k}`), true),
    put: async (k) => void log.push(`put ${k}`),
    close: async () => {},
  }
}

t.test('the same seed gives the same operation sequence; another seed another one', async (t) => {
  const run = async (seed: number): Promise<string[]> => {
    const store = tape()
    const w = kvWorkload(store, { name: 'kv-9010', mix: { get: 90, put: 10 }, records: 1000, valueBytes: 16, keys: parseKeyDist('pareto'), seed })
    for (let i = 0; i < 500; i++) await w.next().run()
    return store.log
  }
  t.same(await run(7), await run(7))
  t.not((await run(7)).join(), (await run(8)).join())
})

t.test('key distributions: uniform covers the keys, hotset and pareto concentrate', async (t) => {
  const hits = (spec: string): number[] => {
    const pick = keyChooser(parseKeyDist(spec), 1000, new SeededRandom(`keys:${spec}`))
    const c = new Array<number>(1000).fill(0)
    for (let i = 0; i < 100_000; i++) c[pick()]!++
    return c.sort((a, b) => b - a)
  }
  const topShare = (c: number[], frac: number): number => c.slice(0, c.length * frac).reduce((a, b) => a + b, 0) / 1000
  const uniform = hits('uniform')
  t.ok(uniform.every((x) => x > 0), 'every key drawn')
  t.ok(Math.abs(topShare(uniform, 0.2) - 20) < 3, `uniform: top 20% of keys take ${topShare(uniform, 0.2)}%`)
  const hot = hits('hotset:0.1:0.9')
  t.ok(Math.abs(topShare(hot, 0.1) - 90) < 1.5, `hotset: top 10% take ${topShare(hot, 0.1)}%`)
  const pareto = hits('pareto:0.2')
  t.ok(Math.abs(topShare(pareto, 0.2) - 80) < 3, `pareto: top 20% take ${topShare(pareto, 0.2)}%`)
  t.throws(() => parseKeyDist('zipf'), /unknown/)
  t.throws(() => parseKeyDist('hotset:2:0.5'), /fractions/)
})

t.test('the PDS workload against a fake patient API', async (t) => {
  const pds = new FakePds()
  const load = await loadRecords({ total: 200, batchSize: 50, concurrency: 2, writeBatch: pdsBatchWriter(pds, 5), label: 'load', progress: false })
  t.equal(load.stored, 200)
  t.ok(pds.records.has(syntheticNhsNumber(5, 0)) && pds.records.has(syntheticNhsNumber(5, 199)), 'records 0..199 of seed 5 are loaded')
  const w = pdsWorkload(pds, { records: 200, keys: parseKeyDist('uniform'), seed: 5 })
  t.same([...w.opNames].sort(), ['create', 'get', 'search', 'searchFuzzy', 'update'])
  const counts: Record<string, number> = {}
  const errors: string[] = []
  for (let i = 0; i < 2000; i++) {
    const op = w.next()
    counts[op.name] = (counts[op.name] ?? 0) + 1
    await op.run().catch((e: { code: string }) => errors.push(e.code))
  }
  t.same(errors, [], 'every operation succeeded')
  t.ok(Math.abs(counts.get! / 20 - 70) < 3.5, `get ${counts.get! / 20}%`)
  t.equal(pds.updates.length, counts.update, 'each update sent once')
  t.ok(pds.updates.every((u) => /^W\/"\d+"$/.test(u.ifMatch)), 'with the etag the read returned')
  t.equal(pds.creates.length, counts.create)
  t.equal(pds.creates[0], syntheticNhsNumber(5, 200), 'registrations take the next synthetic records')
  t.equal(pds.searches.filter((q) => q.fuzzy).length, counts.searchFuzzy)
  t.ok(pds.searches.every((q) => typeof q.birthdate === 'string' && q.family), 'every search names a family name and date of birth')
  const r = new SeededRandom('m')
  t.not(misspell('Thompson', r), 'Thompson')
  t.equal(misspell('Thompson', r).length >= 7, true)
})

t.test('settings: defaults, the workload file under the flags, limits refused with a reason', async (t) => {
  const c = resolveConfig({ workload: 'kv-5050', durationS: 60, concurrency: 8 }, { concurrency: 16, durationS: undefined })
  t.equal(c.workload, 'kv-5050')
  t.same(c.mix, { get: 50, put: 50 })
  t.equal(c.durationS, 60)
  t.equal(c.concurrency, 16, 'flags win')
  t.equal(resolveConfig({}, { workload: 'pds' }).mix.update, 12)
  t.equal(resolveConfig({}, { ops: 10 }).durationS, undefined, '--ops alone: no duration')
  t.throws(() => resolveConfig({}, { workload: 'custom' }), /needs a mix/)
  t.throws(() => resolveConfig({}, { concurrency: 1e6 }), /concurrency must be/)
  t.throws(() => resolveConfig({}, { baselines: 'mongo' }), /unknown baseline/)
  t.throws(() => resolveConfig({}, { load: 100, records: 10 }), /more than --records/)
  t.throws(() => resolveConfig({}, { workload: 'pds', records: 2_000_000 }), /records must be/)
})

t.test('the shipped workload files are valid', async (t) => {
  for (const f of ['pds', 'kv-9010']) {
    const c = resolveConfig(readWorkloadFile(new URL(`../bench/workloads/${f}.json`, import.meta.url).pathname), {})
    t.equal(c.workload, f)
  }
})
