/**
 * Storage layout measurement: one LevelDB per node (partition-prefixed keys, as LevelBackend does)
 * against one LevelDB per vnode (a separate database directory per partition).
 *
 *   npx tsc -p . && node dist/bench/storageLayout.js [--entries N] [--runs N]
 *
 * Every layout runs in its own child process so RSS and file descriptors of one run do not leak
 * into the next; the parent prints the median of the runs. Linux only (/proc/self/fd).
 */

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { LevelBackend, type LevelBackendOptions } from '../src/storage/level.js'

const PARTITIONS = 64
const VALUE_BYTES = 1024
const IN_FLIGHT = 64
/** Distinct random values cycled through: incompressible like fresh data, without holding 200 MB. */
const VALUE_POOL = 256
const MIB = 1024 * 1024

interface Layout {
  name: string
  describe: string
  make: (dir: string) => Store
}

/** The slice of the Backend surface the benchmark drives, plus the layout's way to drop a partition. */
interface Store {
  open(): Promise<void>
  close(): Promise<void>
  put(partition: number, key: Uint8Array, value: Uint8Array): Promise<void>
  get(partition: number, key: Uint8Array): Promise<Uint8Array | undefined>
  drop(partition: number): Promise<void>
}

class PerNode implements Store {
  private readonly backend: LevelBackend
  constructor(dir: string, opts: LevelBackendOptions) {
    this.backend = new LevelBackend(dir, opts)
  }
  open(): Promise<void> {
    return this.backend.open()
  }
  close(): Promise<void> {
    return this.backend.close()
  }
  put(p: number, k: Uint8Array, v: Uint8Array): Promise<void> {
    return this.backend.put(p, k, v)
  }
  get(p: number, k: Uint8Array): Promise<Uint8Array | undefined> {
    return this.backend.get(p, k)
  }
  drop(p: number): Promise<void> {
    return this.backend.dropPartition(p)
  }
}

/** One LevelBackend per partition, each in its own directory; the 4-byte prefix it adds is constant. */
class PerVnode implements Store {
  private readonly dbs: LevelBackend[] = []
  constructor(
    private readonly dir: string,
    opts: LevelBackendOptions,
  ) {
    for (let p = 0; p < PARTITIONS; p++) this.dbs.push(new LevelBackend(join(dir, String(p)), opts))
  }
  async open(): Promise<void> {
    await Promise.all(this.dbs.map((db) => db.open()))
  }
  async close(): Promise<void> {
    await Promise.all(this.dbs.map((db) => db.close()))
  }
  put(p: number, k: Uint8Array, v: Uint8Array): Promise<void> {
    return this.db(p).put(p, k, v)
  }
  get(p: number, k: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db(p).get(p, k)
  }
  /** After handoff the whole directory goes: no tombstones, space back at once. */
  async drop(p: number): Promise<void> {
    await this.db(p).close()
    await rm(join(this.dir, String(p)), { recursive: true, force: true })
  }
  private db(p: number): LevelBackend {
    const db = this.dbs[p]
    if (db === undefined) throw new Error(`no database for partition ${p}`)
    return db
  }
}

const LAYOUTS: Layout[] = [
  {
    name: 'per-node',
    describe: '1 LevelDB, cache 32 MiB, write buffer 16 MiB',
    make: (dir) => new PerNode(dir, { cacheSize: 32 * MIB, writeBufferSize: 16 * MIB }),
  },
  {
    name: 'per-node-small',
    describe: '1 LevelDB, LevelDB defaults (cache 8 MiB, write buffer 4 MiB)',
    make: (dir) => new PerNode(dir, { cacheSize: 8 * MIB, writeBufferSize: 4 * MIB }),
  },
  {
    name: 'per-vnode',
    describe: '64 LevelDBs, LevelDB defaults each (cache 8 MiB, write buffer 4 MiB)',
    make: (dir) => new PerVnode(dir, { cacheSize: 8 * MIB, writeBufferSize: 4 * MIB }),
  },
  {
    name: 'per-vnode-split',
    describe: '64 LevelDBs, the per-node budget split (cache 512 KiB, write buffer 256 KiB each)',
    make: (dir) => new PerVnode(dir, { cacheSize: (32 * MIB) / 64, writeBufferSize: (16 * MIB) / 64 }),
  },
]

interface Result {
  openEmptyMs: number
  putOpsPerSec: number
  closeMs: number
  reopenMs: number
  getOpsPerSec: number
  /** Descriptors opened by the store: peak during the run minus the count before opening. */
  fdPeak: number
  fdAfterGets: number
  /** Heap and native allocations (memtables, block caches); the base is taken before opening the store. */
  rssAnonBaseMiB: number
  rssAnonPeakMiB: number
  rssAnonAfterGetsMiB: number
  /** File pages mapped into the process: LevelDB mmaps table files, so this is mostly page cache. */
  rssFilePeakMiB: number
  diskMiB: number
  dropMs: number
  diskAfterDropMiB: number
}

// ---------- child: one measured run ----------

function countFds(): number {
  return readdirSync('/proc/self/fd').length
}

/** RssAnon and RssFile from /proc/self/status, in bytes; total RSS hides which of the two grew. */
function rssParts(): { anon: number; file: number } {
  const status = readFileSync('/proc/self/status', 'latin1')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
  return { anon: kib('RssAnon') * 1024, file: kib('RssFile') * 1024 }
}

/** Peak RSS and descriptors, sampled: both rise and fall with flushes and compactions. */
class Sampler {
  anonPeak = 0
  filePeak = 0
  fdPeak = 0
  private readonly timer: NodeJS.Timeout
  constructor() {
    this.sample()
    this.timer = setInterval(() => this.sample(), 25)
  }
  sample(): void {
    const { anon, file } = rssParts()
    this.anonPeak = Math.max(this.anonPeak, anon)
    this.filePeak = Math.max(this.filePeak, file)
    this.fdPeak = Math.max(this.fdPeak, countFds())
  }
  stop(): void {
    clearInterval(this.timer)
    this.sample()
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

/** Runs `count` operations with IN_FLIGHT of them awaited concurrently, as vnodes would issue them. */
async function pool(count: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) await op(next++)
  }
  const ms = await timed(async () => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  })
  return count / (ms / 1000)
}

async function diskBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).blocks * 512
  }
  return total
}

interface Workload {
  keys: Buffer[]
  partitions: Uint8Array
  values: Buffer[]
}

function workload(entries: number): Workload {
  const keys = Array.from({ length: entries }, () => randomBytes(16))
  // 16 random bytes per key already; its first byte picks the partition like a ring hash would.
  const partitions = Uint8Array.from(keys, (k) => (k[0] ?? 0) % PARTITIONS)
  const values = Array.from({ length: VALUE_POOL }, () => randomBytes(VALUE_BYTES))
  return { keys, partitions, values }
}

function shuffled(n: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const tmp = order[i] as number
    order[i] = order[j] as number
    order[j] = tmp
  }
  return order
}

async function measure(layout: Layout, entries: number): Promise<Result> {
  const w = workload(entries)
  const order = shuffled(entries)
  const dir = await mkdtemp(join(tmpdir(), `spinekv-bench-${layout.name}-`))
  const fdBase = countFds()
  const rssAnonBaseMiB = rssParts().anon / MIB
  const sampler = new Sampler()
  try {
    const store = layout.make(dir)
    const openEmptyMs = await timed(() => store.open())
    const putOpsPerSec = await pool(entries, async (i) => {
      await store.put(w.partitions[i] as number, w.keys[i] as Buffer, w.values[i % VALUE_POOL] as Buffer)
    })
    const closeMs = await timed(() => store.close())
    const diskMiB = (await diskBytes(dir)) / MIB
    const reopenMs = await timed(() => store.open())
    const getOpsPerSec = await pool(entries, async (n) => {
      const i = order[n] as number
      const v = await store.get(w.partitions[i] as number, w.keys[i] as Buffer)
      if (v?.length !== VALUE_BYTES) throw new Error(`lost entry ${i}`)
    })
    sampler.sample()
    const fdAfterGets = countFds() - fdBase
    const rssAnonAfterGetsMiB = rssParts().anon / MIB
    const dropMs = await timed(() => store.drop(0))
    await store.close()
    const diskAfterDropMiB = (await diskBytes(dir)) / MIB
    sampler.stop()
    return {
      openEmptyMs,
      putOpsPerSec,
      closeMs,
      reopenMs,
      getOpsPerSec,
      fdPeak: sampler.fdPeak - fdBase,
      fdAfterGets,
      rssAnonBaseMiB,
      rssAnonPeakMiB: sampler.anonPeak / MIB,
      rssAnonAfterGetsMiB,
      rssFilePeakMiB: sampler.filePeak / MIB,
      diskMiB,
      dropMs,
      diskAfterDropMiB,
    }
  } finally {
    sampler.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

// ---------- parent: runs and medians ----------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function isResult(x: unknown): x is Result {
  return typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>)['putOpsPerSec'] === 'number'
}

async function runChild(layout: Layout, entries: number): Promise<Result> {
  const script = process.argv[1] ?? ''
  const { stdout } = await promisify(execFile)(process.execPath, [script, '--child', layout.name, '--entries', String(entries)], {
    maxBuffer: 16 * MIB,
  })
  const parsed: unknown = JSON.parse(stdout.trim().split('\n').pop() ?? '')
  if (!isResult(parsed)) throw new Error(`child for ${layout.name} printed no result`)
  return parsed
}

const COLUMNS: Array<[keyof Result, string, number]> = [
  ['openEmptyMs', 'open empty ms', 1],
  ['putOpsPerSec', 'put ops/s', 0],
  ['closeMs', 'close ms', 1],
  ['reopenMs', 'reopen ms', 1],
  ['getOpsPerSec', 'get ops/s', 0],
  ['fdPeak', 'fds peak', 0],
  ['fdAfterGets', 'fds after gets', 0],
  ['rssAnonBaseMiB', 'RssAnon before open MiB', 0],
  ['rssAnonPeakMiB', 'RssAnon peak MiB', 0],
  ['rssAnonAfterGetsMiB', 'RssAnon after gets MiB', 0],
  ['rssFilePeakMiB', 'RssFile peak MiB', 0],
  ['diskMiB', 'disk MiB', 1],
  ['dropMs', 'drop 1 partition ms', 1],
  ['diskAfterDropMiB', 'disk after drop MiB', 1],
]

function table(results: Map<string, Result[]>): string {
  const names = [...results.keys()]
  const lines = [`| metric (median) | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`]
  for (const [key, label, digits] of COLUMNS) {
    const cells = names.map((n) => median((results.get(n) ?? []).map((r) => r[key])).toFixed(digits))
    lines.push(`| ${label} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag)
  return i === -1 ? undefined : process.argv[i + 1]
}

async function parent(entries: number, runs: number): Promise<void> {
  const results = new Map<string, Result[]>(LAYOUTS.map((l) => [l.name, []]))
  // Interleave layouts so drift in the machine (page cache, other load) hits all of them alike.
  for (let run = 1; run <= runs; run++) {
    for (const layout of LAYOUTS) {
      const r = await runChild(layout, entries)
      results.get(layout.name)?.push(r)
      console.error(`run ${run} ${layout.name}: ${JSON.stringify(r)}`)
    }
  }
  console.log(`${PARTITIONS} partitions, ${entries} entries of ${VALUE_BYTES} B random values, ${IN_FLIGHT} ops in flight, median of ${runs} runs\n`)
  for (const l of LAYOUTS) console.log(`- ${l.name}: ${l.describe}`)
  console.log(`\n${table(results)}`)
}

async function main(): Promise<void> {
  const entries = Number(argValue('--entries') ?? 200_000)
  const child = argValue('--child')
  if (child === undefined) return parent(entries, Number(argValue('--runs') ?? 3))
  const layout = LAYOUTS.find((l) => l.name === child)
  if (layout === undefined) throw new Error(`unknown layout ${child}`)
  console.log(JSON.stringify(await measure(layout, entries)))
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
