/**
 * The physical limit of a bulk load on this machine: what LevelDB alone costs to store what a load
 * stores, with nothing of spinekv around it (no validation, messages, clocks or locks).
 *
 *   npx tsc -p . && node dist/bench/loadLimit.js [--records N] [--n 3] [--batch 500]
 *
 * N databases in this one process stand for the N replicas; for each synthetic record every
 * database reads the key first (a replica merges, so it must look) and then writes, in one batch
 * per `--batch` records, the record's stored object and one entry per index term: exactly the
 * keys and bytes a node's vnode writes for it. Prints records/s and the process's CPU per record
 * (every thread: LevelDB's compaction and libuv's pool included), the floor under
 * `spinekv load`'s CPU per record.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { encodeObject } from '../src/core/objectCodec.js'
import { indexTerms } from '../src/patient/indexTerms.js'
import { encodePatient, indexEntryKey, patientBKey, PATIENT_CONTENT_TYPE } from '../src/patient/storeIndex.js'
import { encodeBKey, partitionOf } from '../src/core/hash.js'
import { prepareCreate } from '../src/patient/versioning.js'
import { syntheticPatient } from '../src/patient/synthetic.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RECORDS = arg('records', 200_000)
const N = arg('n', 3)
const BATCH = arg('batch', 500)
const Q = 64

type Op = { type: 'put'; key: Buffer; value: Buffer }

function prefixed(p: number, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + key.byteLength)
  out.writeUInt32BE(p, 0)
  out.set(key, 4)
  return out
}

/** One record's keys and values as a replica stores them. */
function replicaOps(i: number, now: Date): { key: Buffer; ops: Op[] } {
  const prepared = prepareCreate(syntheticPatient(i, { seed: 1 }), now)
  if (!prepared.ok) throw new Error(`record ${i} does not validate`)
  const p = prepared.value
  const bk = patientBKey(p.id)
  const k = encodeBKey(bk)
  const part = partitionOf(bk, Q)
  const obj = {
    clock: [{ actor: `n1/${part}`, counter: i + 1, ts: now.getTime() }],
    siblings: [{ value: encodePatient(p), contentType: PATIENT_CONTENT_TYPE, meta: {}, deleted: false, lastModified: now.getTime(), dot: { actor: `n1/${part}`, counter: i + 1 } }],
  }
  const key = prefixed(part, k)
  const ops: Op[] = [{ type: 'put', key, value: Buffer.from(encodeObject(obj)) }]
  for (const t of indexTerms(p)) ops.push({ type: 'put', key: prefixed(0xfffffff0, indexEntryKey(t, part, k)), value: Buffer.alloc(0) })
  return { key, ops }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'spinekv-loadlimit-'))
  const dbs = Array.from({ length: N }, (_, r) => new ClassicLevel<Buffer, Buffer>(join(dir, `r${r}`), { keyEncoding: 'buffer', valueEncoding: 'buffer' }))
  await Promise.all(dbs.map((db) => db.open()))
  // Records are made before the clock starts: their cost is the load client's, not storage's.
  const now = new Date()
  const batches: Array<Array<{ key: Buffer; ops: Op[] }>> = []
  for (let i = 0; i < RECORDS; i += BATCH) batches.push(Array.from({ length: Math.min(BATCH, RECORDS - i) }, (_, k) => replicaOps(i + k, now)))
  const entries = batches.flat().reduce((n, r) => n + r.ops.length, 0)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const batch of batches) {
    await Promise.all(
      dbs.map(async (db) => {
        await db.getMany(batch.map((r) => r.key))
        await db.batch(batch.flatMap((r) => r.ops))
      }),
    )
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await Promise.all(dbs.map((db) => db.close()))
  await rm(dir, { recursive: true, force: true })
  console.log(
    JSON.stringify({
      records: RECORDS,
      replicas: N,
      entriesPerReplicaRecord: +(entries / RECORDS).toFixed(2),
      recordsPerSec: Math.round(RECORDS / seconds),
      cpuUsPerRecord: +((cpu.user + cpu.system) / RECORDS).toFixed(1),
      cores: +((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2),
    }),
  )
}

await main()
