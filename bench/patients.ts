/**
 * Patient read and trace latency against a running cluster holding a synthetic population
 * (loaded with `spinekv load --records N --seed S`): get by NHS number, a family + birth date
 * search, and a fuzzy search, each at a fixed concurrency for a fixed time, one after another.
 *
 *   node dist/bench/patients.js --host 127.0.0.1:8711 --records 1000000 --seed 1 [--concurrency 32] [--seconds 30]
 *
 * Queries are built from records of the population (seeded), so every get finds a record and every
 * search has at least one match; a TOO_MANY_MATCHES answer is counted apart (it is an answer, not a fault).
 */
import { connect, PatientApiError, type PatientSearch } from '../src/client/index.js'
import { syntheticPatient } from '../src/patient/synthetic.js'
import { SeededRandom } from '../src/core/seededRandom.js'
import { errCode, log } from './localCluster.js'

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : dflt
}
const HOST = arg('host', '127.0.0.1:8711')
const RECORDS = Number(arg('records', '1000000'))
const SEED = Number(arg('seed', '1'))
const CONCURRENCY = Number(arg('concurrency', '32'))
const SECONDS = Number(arg('seconds', '30'))

const kv = await connect({ seeds: [HOST], timeoutMs: 10_000 })
const rnd = SeededRandom.forSeed(SEED).fork("bench-patients")
const pick = () => syntheticPatient(Math.floor(rnd.next() * RECORDS), { seed: SEED })

function familySearch(): PatientSearch {
  const p = pick()
  return { family: p.name![0]!.family!, birthdate: p.birthDate!, maxResults: 50 }
}

/** A misspelt family name (one vowel changed) with the given name: found only by Soundex. */
function fuzzySearch(): PatientSearch {
  const p = pick()
  const family = p.name![0]!.family!
  const misspelt = family.length > 3 ? family.slice(0, 1) + family.slice(1).replace(/[aeiou]/, (v) => (v === 'e' ? 'a' : 'e')) : family
  return { family: misspelt, given: p.name![0]!.given![0]!, birthdate: p.birthDate!, fuzzy: true, maxResults: 50 }
}

interface Result {
  name: string
  ops: number
  errors: Map<string, number>
  tooMany: number
  opsPerSec: number
  p50: number
  p99: number
  meanResults?: number
}

async function phase(name: string, op: () => Promise<number | void>): Promise<Result> {
  const lat: number[] = []
  const errors = new Map<string, number>()
  let tooMany = 0
  let results = 0
  const end = performance.now() + SECONDS * 1000
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const n = await op()
        if (typeof n === 'number') results += n
        lat.push(performance.now() - t0)
      } catch (e) {
        if (e instanceof PatientApiError && e.code === 'TOO_MANY_MATCHES') {
          tooMany++
          lat.push(performance.now() - t0)
        } else errors.set(errCode(e), (errors.get(errCode(e)) ?? 0) + 1)
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  lat.sort((a, b) => a - b)
  const q = (f: number): number => Math.round((lat[Math.min(lat.length - 1, Math.floor(f * lat.length))] ?? NaN) * 10) / 10
  const r: Result = { name, ops: lat.length, errors, tooMany, opsPerSec: Math.round(lat.length / SECONDS), p50: q(0.5), p99: q(0.99) }
  if (name !== 'get') r.meanResults = Math.round((results / Math.max(1, lat.length - tooMany)) * 10) / 10
  log(`${name}: ${r.ops} ops, ${r.opsPerSec}/s, p50 ${r.p50} ms, p99 ${r.p99} ms, too many ${tooMany}, errors ${JSON.stringify([...errors])}${r.meanResults === undefined ? '' : `, mean results ${r.meanResults}`}`)
  return r
}

log(`host ${HOST}, population ${RECORDS} (seed ${SEED}), concurrency ${CONCURRENCY}, ${SECONDS} s per phase`)
const results = [
  await phase('get', async () => void (await kv.patients.get(pick().id))),
  await phase('family+dob search', async () => (await kv.patients.search(familySearch())).total),
  await phase('fuzzy search', async () => (await kv.patients.search(fuzzySearch())).total),
]
await kv.close()
console.log(JSON.stringify(results.map((r) => ({ ...r, errors: Object.fromEntries(r.errors) })), null, 2))
