/**
 * CPU per operation, one kind at a time: a throwaway 3-node cluster and one client that sends
 * every request to node 1, so each phase isolates one path (the RPC alone, a read of node 1's
 * own replica, a quorum read, a quorum write). kv-9010 mixes these and spreads them over every
 * node; when it moves, this says which path moved. Node CPU is every node process's
 * utime + stime from /proc over the phase (all threads), divided by the operations.
 *
 *   npx tsc -p . && node dist/bench/opCost.js [--seconds 6] [--concurrency 64] [--value-bytes 1024] [--phase PREFIX] [--json]
 *
 * Compare two builds by running this in each checkout, alternated, and taking the ratios.
 */
import { connect } from '../src/client/client.js'
import type { SpineClient } from '../src/client/client.js'
import { processCpuSeconds } from './harness/cpuMeter.js'
import { startLocalSpine } from './harness/localSpine.js'

const BUCKET = 'opcost'
const KEYS = 1000

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`opCost: --${name} must be a positive number\n`)
    process.exit(2)
  }
  return v
}

interface Phase {
  name: string
  run(kv: SpineClient, i: number, value: Buffer): Promise<unknown>
}

const PHASES: Phase[] = [
  { name: 'ping (client RPC only)', run: (kv) => kv.admin('ping') },
  { name: 'get r=1 (own replica)', run: (kv, i) => kv.get(BUCKET, `k${i % KEYS}`, { r: 1 }) },
  { name: 'get r=2 (quorum read)', run: (kv, i) => kv.get(BUCKET, `k${i % KEYS}`, { r: 2 }) },
  { name: 'put w=2 (LWW, blind)', run: (kv, i, v) => kv.put(BUCKET, `k${i % KEYS}`, v, { w: 2 }) },
  // kv-9010's mix through one node: what the two paths cost together, beside what each costs alone.
  { name: 'mix 90% get / 10% put', run: (kv, i, v) => (i % 10 === 9 ? kv.put(BUCKET, `k${(i * 7) % KEYS}`, v, { w: 2 }) : kv.get(BUCKET, `k${i % KEYS}`, { r: 2 })) },
]

export interface PhaseCost {
  phase: string
  ops: number
  opsPerSec: number
  nodeUsPerOp: number
  clientUsPerOp: number
  /** Per 1,000 operations, at the coordinator: reads that asked beyond R, and read repairs sent. */
  escalationsPerK: number
  readRepairsPerK: number
}

async function coordinatorStats(kv: SpineClient): Promise<{ readEscalations: number; readRepairs: number }> {
  const s = (await kv.admin('stats')) as { readEscalations?: number; readRepairs?: number }
  return { readEscalations: s.readEscalations ?? 0, readRepairs: s.readRepairs ?? 0 }
}

async function measure(kv: SpineClient, pids: number[], phase: Phase, seconds: number, concurrency: number, value: Buffer): Promise<PhaseCost> {
  let next = 0
  let ops = 0
  const nodeCpu = (): number => pids.reduce((s, p) => s + (processCpuSeconds(p) ?? Number.NaN), 0)
  const s0 = await coordinatorStats(kv)
  const n0 = nodeCpu()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const until = t0 + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await phase.run(kv, next++, value)
        ops++
      }
    }),
  )
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  const n1 = nodeCpu()
  const s1 = await coordinatorStats(kv)
  const round = (x: number): number => Math.round(x * 10) / 10
  return {
    phase: phase.name,
    ops,
    opsPerSec: Math.round(ops / wall),
    nodeUsPerOp: round(((n1 - n0) * 1e6) / ops),
    clientUsPerOp: round((c.user + c.system) / ops),
    escalationsPerK: round(((s1.readEscalations - s0.readEscalations) * 1000) / ops),
    readRepairsPerK: round(((s1.readRepairs - s0.readRepairs) * 1000) / ops),
  }
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 6)
  const concurrency = arg('concurrency', 64)
  const value = Buffer.alloc(arg('value-bytes', 1024), 7)
  const spine = await startLocalSpine({ nodes: 3, n: 3, ringSize: 64, bucket: BUCKET })
  const kv = await connect({ seeds: [spine.hosts[0]!], routing: 'seed' })
  const out: PhaseCost[] = []
  try {
    await Promise.all(Array.from({ length: KEYS }, (_, i) => kv.put(BUCKET, `k${i}`, value)))
    const only = process.argv.indexOf('--phase')
    const phases = only > 0 ? PHASES.filter((p) => p.name.startsWith(process.argv[only + 1] ?? '')) : PHASES
    for (const phase of phases) {
      await measure(kv, spine.pids, phase, 1, concurrency, value) // warm the JIT and the caches
      out.push(await measure(kv, spine.pids, phase, seconds, concurrency, value))
    }
  } finally {
    await kv.close()
    await spine.stop()
  }
  if (process.argv.includes('--json')) return void console.log(JSON.stringify(out))
  console.log(`${'phase'.padEnd(26)} ${'ops/s'.padStart(8)} ${'node µs/op'.padStart(11)} ${'client µs/op'.padStart(13)} ${'escal/1k'.padStart(9)} ${'repairs/1k'.padStart(11)}`)
  for (const r of out) {
    const cols = [String(r.opsPerSec).padStart(8), r.nodeUsPerOp.toFixed(1).padStart(11), r.clientUsPerOp.toFixed(1).padStart(13), r.escalationsPerK.toFixed(1).padStart(9), r.readRepairsPerK.toFixed(1).padStart(11)]
    console.log(`${r.phase.padEnd(26)} ${cols.join(' ')}`)
  }
}

await main()
