/**
 * The foundation's capacity check: a closed-loop mix of gets and puts of 1 KB values through
 * the client library against a running cluster, then the same operations against one LevelDB
 * opened in-process (the storage ceiling), and the ratio of the two.
 *
 *   node dist/bench/kvMix.js --host 127.0.0.1:8711 --seconds 30 --concurrency 64 --get-ratio 0.5
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import * as hdr from 'hdr-histogram-js'
import { connect } from '../src/client/index.js'
import { LevelBackend } from '../src/storage/level.js'

interface Result {
  target: string
  ops: number
  errors: number
  seconds: number
  opsPerSec: number
  p50Ms: number
  p99Ms: number
}

type Op = (kind: 'get' | 'put', key: string, value: Buffer) => Promise<unknown>

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1:8711' },
    seconds: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '64' },
    'get-ratio': { type: 'string', default: '0.5' },
    keys: { type: 'string', default: '10000' },
    'value-bytes': { type: 'string', default: '1024' },
    'skip-cluster': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

const seconds = Number(args.seconds)
const concurrency = Number(args.concurrency)
const getRatio = Number(args['get-ratio'])
const keyCount = Number(args.keys)
const value = Buffer.alloc(Number(args['value-bytes']), 'x')

async function drive(target: string, op: Op): Promise<Result> {
  // Microsecond resolution up to 60 s: enough for any latency this harness can see.
  const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
  let ops = 0
  let errors = 0
  let seq = 0
  const deadline = performance.now() + seconds * 1000
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const key = `k${(seq++ * 7919) % keyCount}`
      const kind = Math.random() < getRatio ? 'get' : 'put'
      const t0 = performance.now()
      try {
        await op(kind, key, value)
        ops++
        hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)))
      } catch {
        errors++
      }
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = (performance.now() - start) / 1000
  return {
    target,
    ops,
    errors,
    seconds: elapsed,
    opsPerSec: ops / elapsed,
    p50Ms: hist.getValueAtPercentile(50) / 1000,
    p99Ms: hist.getValueAtPercentile(99) / 1000,
  }
}

async function preload(put: (key: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < keyCount; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, keyCount - i) }, (_, j) => put(`k${i + j}`)))
  }
}

async function clusterRun(): Promise<Result> {
  const kv = await connect({ seeds: [args.host!] })
  await preload((k) => kv.put('bench', k, value))
  try {
    return await drive(`cluster via client (${args.host})`, (kind, key, v) => (kind === 'get' ? kv.get('bench', key) : kv.put('bench', key, v)))
  } finally {
    await kv.close()
  }
}

async function levelRun(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-bench-'))
  const db = new LevelBackend(dir)
  await db.open()
  const kb = (k: string): Buffer => Buffer.from(k)
  await preload((k) => db.put(0, kb(k), value))
  try {
    return await drive('one LevelDB in-process', (kind, key, v) => (kind === 'get' ? db.get(0, kb(key)) : db.put(0, kb(key), v)))
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function line(r: Result): string {
  return `${r.target.padEnd(40)} ${r.opsPerSec.toFixed(0).padStart(9)} ops/s  p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  errors ${r.errors}`
}

const results: Result[] = []
if (!args['skip-cluster']) results.push(await clusterRun())
results.push(await levelRun())
if (args.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n')
else {
  process.stdout.write(`mix: ${Math.round(getRatio * 100)}% get / ${Math.round((1 - getRatio) * 100)}% put, ${value.length} B values, ${keyCount} keys, concurrency ${concurrency}, ${seconds} s\n`)
  for (const r of results) process.stdout.write(line(r) + '\n')
  if (results.length === 2) process.stdout.write(`cluster / in-process LevelDB: ${(results[0]!.opsPerSec / results[1]!.opsPerSec).toFixed(3)}\n`)
}
