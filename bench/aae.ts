/**
 * Active anti-entropy, three measurements on local 3-node clusters (real processes, LevelDB):
 *  1. write throughput with AAE on vs off, in the same run: alternating fresh clusters started
 *     with `--aae on` and `--aae off`, each given the same write load of 1 KB values (W=quorum);
 *  2. tree memory: the trees' bytes on each node (aae-status), empty and after the load;
 *  3. time to detect and repair ~100,000 divergent 1 KB keys: load the keys with W=3, stop n2
 *     cleanly, `spinekv debug forget --fraction 1` its data (every object gone, its saved trees
 *     kept), start it again and time — with no client reads — until anti-entropy has put every
 *     key back (first repair = detected; all repaired and a quiet round = done), then check a
 *     sample with `debug replicas`.
 * Usage: node dist/bench/aae.js [--keys 100000] [--write-s 20] [--rounds 2] [--parallel 64] [--skip-throughput]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { connect, type SpineClient } from '../src/client/index.js'
import type { ClusterAae } from '../src/client/types.js'
import { cli, freeBasePort, log, now, sleep } from './localCluster.js'

const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../src/cli/main.js')

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    'write-s': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    parallel: { type: 'string', default: '64' },
    'value-bytes': { type: 'string', default: '1024' },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-repair': { type: 'boolean', default: false },
  },
})
const KEYS = Number(args.keys)
const WRITE_S = Number(args['write-s'])
const ROUNDS = Number(args.rounds)
const PARALLEL = Number(args.parallel)
const VALUE = Buffer.alloc(Number(args['value-bytes']), 'x')

interface Cluster {
  dir: string
  base: number
  procs: Map<string, ChildProcess>
  host(i: number): string
  start(name: string): Promise<void>
  stop(name: string): Promise<void>
  close(): Promise<void>
}

async function startCluster(aae: 'on' | 'off'): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-aae-bench-'))
  const base = await freeBasePort(3)
  const names = ['n1', 'n2', 'n3']
  const port = (i: number, d: number) => base + 10 * i + d
  const members = names.map((n, i) => `${n}@127.0.0.1:${port(i + 1, 0)}`).join(',')
  const procs = new Map<string, ChildProcess>()
  const host = (i: number) => `127.0.0.1:${port(i, 1)}`
  const start = async (name: string): Promise<void> => {
    const i = names.indexOf(name) + 1
    const logFd = openSync(join(dir, `${name}.log`), 'a')
    const child = spawn(process.execPath, [MAIN, 'node', 'start', '--name', name, '--data', join(dir, name), '--cluster-port', String(port(i, 0)), '--client-port', String(port(i, 1)), '--http-port', String(port(i, 2)), '--pb-port', String(port(i, 3)), '--members', members, '--aae', aae], { stdio: ['ignore', logFd, logFd] })
    procs.set(name, child)
    for (let t = 0; t < 300; t++) {
      try {
        const c = await connect({ seeds: [host(i)], routing: 'seed', maxRetries: 0, connectTimeoutMs: 500 })
        await c.close()
        return
      } catch {
        await sleep(100)
      }
    }
    throw new Error(`${name} did not start; see ${dir}/${name}.log`)
  }
  const stop = async (name: string): Promise<void> => {
    const p = procs.get(name)
    if (!p || p.exitCode !== null) return
    const gone = new Promise<void>((r) => p.once('exit', () => r()))
    p.kill('SIGTERM')
    await gone
  }
  for (const n of names) await start(n)
  await sleep(1_500) // peers connect, heartbeats settle
  return {
    dir, base, procs, host, start, stop,
    async close() {
      for (const n of names) await stop(n)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function aaeStatus(c: Cluster): Promise<ClusterAae> {
  return JSON.parse(await cli(['cluster', 'aae-status', '--host', c.host(1), '--json'], 30_000)) as ClusterAae
}

/** Writes of fresh keys at `PARALLEL` in flight for `seconds`; ops/s. */
async function writeLoad(client: SpineClient, prefix: string, seconds: number): Promise<number> {
  const end = now() + seconds * 1000
  let n = 0
  let errors = 0
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, w) => {
      for (let i = 0; now() < end; i++) {
        try {
          await client.put('bench', `${prefix}-${w}-${i}`, VALUE)
          n++
        } catch {
          errors++
        }
      }
    }),
  )
  if (errors) log(`  ${errors} write errors`)
  return n / seconds
}

async function throughput(): Promise<{ on: number[]; off: number[]; ratio: number }> {
  const on: number[] = []
  const off: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['on', 'off'] as const) {
      const c = await startCluster(mode)
      const client = await connect({ seeds: [c.host(1), c.host(2), c.host(3)], timeoutMs: 10_000 })
      try {
        await writeLoad(client, 'warm', 3)
        const rate = await writeLoad(client, `r${r}`, WRITE_S)
        ;(mode === 'on' ? on : off).push(rate)
        log(`round ${r + 1}, aae ${mode}: ${rate.toFixed(0)} writes/s`)
      } finally {
        await client.close()
        await c.close()
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  return { on, off, ratio: mean(on) / mean(off) }
}

async function repair(): Promise<Record<string, unknown>> {
  const c = await startCluster('on')
  const client = await connect({ seeds: [c.host(1), c.host(2), c.host(3)], timeoutMs: 20_000 })
  try {
    const empty = await aaeStatus(c)
    log(`loading ${KEYS} keys of ${VALUE.length} bytes with W=3`)
    const t0 = now()
    let next = 0
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      for (let i = next++; i < KEYS; i = next++) await client.put('aae', `k${i}`, VALUE, { w: 3 })
    }))
    log(`loaded in ${((now() - t0) / 1000).toFixed(1)} s`)
    const loaded = await aaeStatus(c)
    await c.stop('n2')
    const forget = JSON.parse(await cli(['debug', 'forget', '--data', join(c.dir, 'n2'), '--fraction', '1', '--json'], 600_000)) as { objects: number; forgotten: number }
    log(`n2 forgot ${forget.forgotten} of ${forget.objects} objects`)
    const restart = now()
    await c.start('n2')
    let detectedMs = NaN
    let doneMs = NaN
    let quietSince = 0
    let last: ClusterAae | undefined
    while (now() - restart < 1_800_000) {
      await sleep(1_000)
      last = await aaeStatus(c)
      const repaired = last.members.reduce((s, m) => s + (m.aae?.keysRepaired ?? 0), 0)
      if (repaired > 0 && Number.isNaN(detectedMs)) detectedMs = now() - restart
      const quiet = repaired >= forget.forgotten && last.members.every((m) => m.aae?.partitions.every((p) => p.tree === 'built' && !p.verifying && (p.lastOutcome === 'same' || p.lastOutcome === null)))
      if (!quiet) quietSince = 0
      else if (!quietSince) quietSince = now()
      else if (now() - quietSince >= 3_000) {
        doneMs = quietSince - restart
        break
      }
      if (Math.round((now() - restart) / 1000) % 10 === 0) log(`  ${Math.round((now() - restart) / 1000)} s: ${repaired} keys repaired`)
    }
    // A sample, straight from the replicas (debug replicas does not repair).
    const sample = Array.from({ length: 2_000 }, (_, i) => `k${Math.floor((i * KEYS) / 2_000)}`)
    let missing = 0
    for (let i = 0; i < sample.length; i += 500) {
      const views = JSON.parse(await cli(['debug', 'replicas', 'aae', ...sample.slice(i, i + 500), '--host', c.host(1), '--json'], 120_000)) as Array<{ replicas: Array<{ found: boolean }> }>
      missing += views.filter((v) => !v.replicas.every((r) => r.found)).length
    }
    const bytes = (s: ClusterAae | undefined) => Object.fromEntries((s?.members ?? []).map((m) => [m.node, m.aae?.treeBytes ?? null]))
    return {
      keys: KEYS,
      divergent: forget.forgotten,
      detectedMs: Math.round(detectedMs),
      repairedMs: Math.round(doneMs),
      keysPerSec: Math.round(forget.forgotten / (doneMs / 1000)),
      keysRepaired: last?.members.reduce((s, m) => s + (m.aae?.keysRepaired ?? 0), 0),
      exchanges: last?.members.reduce((s, m) => s + (m.aae?.exchanges ?? 0), 0),
      sampleMissing: missing,
      sampleSize: sample.length,
      treeBytesEmpty: bytes(empty),
      treeBytesLoaded: bytes(loaded),
      treesPerNode: Object.fromEntries((loaded.members ?? []).map((m) => [m.node, m.aae ? m.aae.treeBytes / (64 * 256 * 4 + 64 * 4) : null])),
    }
  } finally {
    await client.close()
    await c.close()
  }
}

const result: Record<string, unknown> = { machine: { cores: (await import('node:os')).cpus().length, node: process.version } }
if (!args['skip-throughput']) result.throughput = await throughput()
if (!args['skip-repair']) result.repair = await repair()
process.stdout.write(JSON.stringify(result, null, 2) + '\n')
