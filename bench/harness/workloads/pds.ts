/**
 * The PDS workload: what a Spine service does to the patient index. Reads by NHS number, searches
 * (exact: family name, gender and date of birth, as a PDS trace does; fuzzy: a misspelt family name
 * and a given name with date of birth), updates (a read for the current version, then a JSON Patch
 * of the phone number with If-Match, as a client that follows PDS's rules must), and new
 * registrations. Every record is regenerated from the synthetic population (syntheticPatient), so
 * a query names a record that was loaded without the harness keeping the population in memory.
 *
 * Default mix: 70% get, 10% search, 5% searchFuzzy, 12% update, 3% create.
 */
import { SeededRandom } from '../../../src/core/seededRandom.js'
import type { Patient } from '../../../src/patient/record.js'
import { syntheticCapacity, syntheticNhsNumber, syntheticPatient } from '../../../src/patient/synthetic.js'
import { keyChooser, type KeyDist } from '../keys.js'
import type { BatchOutcome } from '../load.js'
import { Mix, type MixWeights, type Operation, type Workload } from '../workload.js'
import type { PatientSearch, PdsClient } from './pdsClient.js'

export const PDS_MIX: MixWeights = { get: 70, search: 10, searchFuzzy: 5, update: 12, create: 3 }
export const PDS_OPS = ['get', 'search', 'searchFuzzy', 'update', 'create'] as const

export interface PdsWorkloadOptions {
  mix?: MixWeights
  /** The loaded population: records 0..records-1 of the synthetic population with this seed. */
  records: number
  keys: KeyDist
  seed: number
  /** First synthetic index a registration uses (default: records), so runs against one cluster can avoid each other's. */
  createFrom?: number
}

/** A family name with one letter dropped or two swapped: what a fuzzy search must still find. */
export function misspell(name: string, r: SeededRandom): string {
  if (name.length < 4) return name
  const i = 1 + r.int(name.length - 2)
  return r.chance(0.5) ? name.slice(0, i) + name.slice(i + 1) : name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2)
}

export function exactQuery(p: Patient): PatientSearch {
  const q: PatientSearch = { family: p.name![0]!.family, birthdate: p.birthDate ?? '1970-01-01' }
  if (p.gender) q.gender = p.gender
  return q
}

export function fuzzyQuery(p: Patient, r: SeededRandom): PatientSearch {
  const name = p.name![0]!
  const q: PatientSearch = { family: misspell(name.family, r), birthdate: p.birthDate ?? '1970-01-01', fuzzy: true }
  if (name.given?.[0]) q.given = name.given[0]
  return q
}

/** A new phone number from Ofcom's drama range (0113 496 0000-0999), so no update names a real line. */
function phonePatch(p: Patient, r: SeededRandom): Array<{ op: 'add' | 'replace'; path: string; value: unknown }> {
  const phone = { system: 'phone' as const, value: `0113 496 0${String(r.int(1000)).padStart(3, '0')}`, use: 'home' as const }
  return p.telecom?.length ? [{ op: 'replace', path: '/telecom/0', value: phone }] : [{ op: 'add', path: '/telecom', value: [phone] }]
}

export function pdsWorkload(pds: PdsClient, o: PdsWorkloadOptions): Workload {
  if (o.records < 1 || o.records > syntheticCapacity()) throw new RangeError(`the PDS workload needs 1..${syntheticCapacity()} records (the NHS test range)`)
  const mixWeights = o.mix ?? PDS_MIX
  for (const k of Object.keys(mixWeights)) if (!(PDS_OPS as readonly string[]).includes(k)) throw new RangeError(`the PDS workload knows ${PDS_OPS.join(', ')}, not "${k}"`)
  const root = new SeededRandom(`bench:${o.seed}`)
  const mix = new Mix(mixWeights, root.fork('mix'))
  const pick = keyChooser(o.keys, o.records, root.fork('keys'))
  const draws = root.fork('values')
  const population = { seed: o.seed }
  let nextCreate = o.createFrom ?? o.records
  return {
    name: 'pds',
    opNames: mix.opNames,
    next(): Operation {
      const name = mix.pick()
      switch (name) {
        case 'get': {
          const nhs = syntheticNhsNumber(o.seed, pick())
          return { name, run: async () => void (await pds.get(nhs)) }
        }
        case 'search': {
          const q = exactQuery(syntheticPatient(pick(), population))
          return { name, run: async () => void (await pds.search(q)) }
        }
        case 'searchFuzzy': {
          const q = fuzzyQuery(syntheticPatient(pick(), population), draws)
          return { name, run: async () => void (await pds.search(q)) }
        }
        case 'update': {
          const nhs = syntheticNhsNumber(o.seed, pick())
          // The patch is drawn now (not after the read) so the sequence does not depend on timing.
          const r = draws.fork(`update:${draws.int(2 ** 31)}`)
          return {
            name,
            run: async () => {
              const { patient, etag } = await pds.get(nhs)
              await pds.update(nhs, phonePatch(patient, r), { ifMatch: etag })
            },
          }
        }
        case 'create': {
          const index = nextCreate++
          if (index >= syntheticCapacity()) return { name, run: () => Promise.reject(Object.assign(new Error('synthetic population exhausted'), { code: 'POPULATION_EXHAUSTED' })) }
          return { name, run: async () => void (await pds.create(syntheticPatient(index, population))) }
        }
        default:
          throw new RangeError(`unknown PDS operation ${name}`)
      }
    },
  }
}

/** The PDS load phase's batch writer: records [from, to) of the population through loadBatch. */
export function pdsBatchWriter(pds: PdsClient, seed: number): (from: number, to: number) => Promise<BatchOutcome> {
  return async (from, to) => {
    const records = Array.from({ length: to - from }, (_, k) => syntheticPatient(from + k, { seed }))
    const r = await pds.loadBatch(records)
    return { stored: r.stored, errors: r.errors }
  }
}
