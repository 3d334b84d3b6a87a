/**
 * What the per-vnode patient index costs a write, and what a term-partitioned index would have to
 * do instead: the basis of docs/decisions.md "Patient search indexes".
 *
 *   npx tsc -p . && node dist/bench/indexCost.js [--records N] [--runs N]
 *
 * One vnode over one LevelDB (as a node keeps it), the same synthetic records coordinated with and
 * without the index hook, alternating runs; it prints records/s for each, the ratio, and the index
 * terms per record (each is one LevelDB entry here, and would be one read-modify-write of a term
 * object on N other replicas in a term-partitioned index).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBKey } from '../src/core/hash.js'
import { Vnode } from '../src/node/vnode.js'
import { silentLogger } from '../src/shared/log.js'
import { SystemClock } from '../src/node/realEnv.js'
import { LevelBackend } from '../src/storage/level.js'
import { LIMITS } from '../src/config.js'
import { indexTerms } from '../src/patient/indexTerms.js'
import { patientBKey, patientIndexHook, PATIENT_CONTENT_TYPE } from '../src/patient/storeIndex.js'
import { syntheticPatient } from '../src/patient/synthetic.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RECORDS = arg('records', 20_000)
const RUNS = arg('runs', 3)
const IN_FLIGHT = 64

const records = Array.from({ length: RECORDS }, (_, i) => syntheticPatient(i, { seed: 11 }))
const values = records.map((p) => Buffer.from(JSON.stringify(p), 'utf8'))
const keys = records.map((p) => encodeBKey(patientBKey(p.id)))

async function run(indexed: boolean): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'spinekv-indexcost-'))
  const backend = new LevelBackend(dir)
  await backend.open()
  const vnode = new Vnode(0, 'bench', backend, new SystemClock(), silentLogger(), LIMITS, indexed ? [patientIndexHook()] : [])
  const began = performance.now()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < RECORDS) {
      const i = next++
      await vnode.coordinate(keys[i]!, { context: [], content: { value: values[i]!, contentType: PATIENT_CONTENT_TYPE, lastModified: 0, meta: {}, deleted: false }, allowMult: true, sync: false })
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const rate = RECORDS / ((performance.now() - began) / 1000)
  await backend.close()
  await rm(dir, { recursive: true, force: true })
  return rate
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const plain: number[] = []
const indexed: number[] = []
for (let r = 0; r < RUNS; r++) {
  plain.push(await run(false))
  indexed.push(await run(true))
}
const terms = records.reduce((n, p) => n + indexTerms(p).length, 0) / RECORDS
console.log(`records: ${RECORDS}, runs: ${RUNS}, ${IN_FLIGHT} writes in flight, one vnode over LevelDB`)
console.log(`without index: ${plain.map(Math.round).join(' / ')} records/s (median ${Math.round(median(plain))})`)
console.log(`with index:    ${indexed.map(Math.round).join(' / ')} records/s (median ${Math.round(median(indexed))})`)
console.log(`ratio indexed/plain: ${(median(indexed) / median(plain)).toFixed(2)}`)
console.log(`index terms per record: ${terms.toFixed(2)}`)
