/**
 * The live fuzz run: a real local cluster (`spinekv dev start --detach`), some known objects
 * written, then hostile frames (blast.ts) at node n1's client and cluster ports over many
 * connections; afterwards every node must answer its health checks (client-port ping, cluster-port
 * ping after a hello, HTTP /ping), still run as the same process (same pid, alive), and every
 * known object must read back from every node byte-identical: value, content type, metadata and
 * causal context (a write of any kind would have changed the context).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { connect } from '../../src/client/index.js'
import { isAlive, ping, readState, type DevState } from '../../src/cli/devCluster.js'
import { SeededRandom } from '../../src/core/seededRandom.js'
import { NET } from '../../src/config.js'
import { encodeFrame, FrameDecoder } from '../../src/net/frame.js'
import { freeBasePort } from '../localCluster.js'
import { blast, type BlastCounts, type Target } from './blast.js'

export interface LiveFuzzOptions {
  frames: number
  connections: number
  seed: number
  objects: number
  nodes: number
  ringSize: number
  /** The built CLI (dist/src/cli/main.js); by default the one beside this file in dist. Tests, which run the TypeScript, name it. */
  cliPath?: string
  /** Keep the cluster directory (node logs) afterwards. */
  keep?: boolean
  progress?: (msg: string) => void
}

export interface LiveFuzzReport extends BlastCounts {
  seed: number
  nodes: number
  objects: number
  /** Nodes whose process is gone or has another pid than at the start. */
  nodeRestarts: number
  /** Known objects that read back different (or not at all) from some node. */
  objectsChanged: number
  /** Health checks that failed after the run, as "n1 client ping" and so on. */
  healthFailures: string[]
  /**
   * Error-level lines in the node logs: a request handler that failed with an untyped exception
   * (answered INTERNAL) logs one, so a parser bug the frames reached shows here even though the
   * node kept running.
   */
  nodeErrors: number
  /** The first few distinct error messages, with the error text. */
  nodeErrorSamples: string[]
  durationMs: number
  dir?: string
}

const DEFAULT_CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../src/cli/main.js')
const execFileP = promisify(execFile)

async function cli(path: string, args: string[], timeoutMs: number): Promise<void> {
  try {
    await execFileP(process.execPath, [path, ...args], { timeout: timeoutMs })
  } catch (e) {
    const err = e as { code?: number; stderr?: string; message: string }
    throw new Error(`spinekv ${args.join(' ')} failed (${err.code ?? '?'}): ${(err.stderr ?? err.message).trim()}`)
  }
}

const KNOWN_BUCKET = 'fuzz-known'
const SCRATCH_BUCKET = 'fuzz-scratch'

interface Snapshot {
  value: string
  contentType: string
  meta: string
  context: string
  siblings: number
}

async function snapshotAll(hosts: readonly string[], keys: readonly string[]): Promise<Map<string, Snapshot | undefined>[]> {
  const out: Map<string, Snapshot | undefined>[] = []
  for (const host of hosts) {
    const kv = await connect({ seeds: [host], routing: 'seed', maxRetries: 0, timeoutMs: 10_000 })
    const m = new Map<string, Snapshot | undefined>()
    try {
      for (const key of keys) {
        try {
          const r = await kv.get(KNOWN_BUCKET, key, { r: 'all' })
          const s = r.siblings[0]
          m.set(
            key,
            r.found && s
              ? { value: Buffer.from(s.value).toString('base64'), contentType: s.contentType, meta: JSON.stringify(s.meta), context: r.context ? Buffer.from(r.context).toString('base64') : '', siblings: r.siblings.length }
              : undefined,
          )
        } catch {
          m.set(key, undefined)
        }
      }
    } finally {
      await kv.close()
    }
    out.push(m)
  }
  return out
}

/** A hello then a ping on a cluster port: true when the ping is answered. */
function clusterPing(port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => s.write(Buffer.concat([encodeFrame([0, 1, { hello: 'fuzz-check' }]), encodeFrame([0, 2, { op: 'ping' }])])))
    const dec = new FrameDecoder(NET.maxFrameBytes)
    const finish = (ok: boolean): void => {
      clearTimeout(timer)
      s.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    s.on('data', (chunk: Buffer) => {
      try {
        if (dec.push(chunk).some((m) => Array.isArray(m) && m[0] === 1 && m[1] === 2)) finish(true)
      } catch {
        finish(false)
      }
    })
    s.on('error', () => finish(false))
  })
}

async function httpPing(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(3_000) })
    return res.status === 200
  } catch {
    return false
  }
}

async function health(state: DevState): Promise<string[]> {
  const failures: string[] = []
  for (const n of state.nodes) {
    if (!(await ping(n.clientPort, 3_000))) failures.push(`${n.name} client ping`)
    if (!(await clusterPing(n.clusterPort))) failures.push(`${n.name} cluster ping`)
    if (!(await httpPing(n.httpPort))) failures.push(`${n.name} http ping`)
  }
  return failures
}

/** Error-level (pino 50+) lines of every node's log. */
function logErrors(dir: string, state: DevState): { count: number; samples: string[] } {
  const samples = new Set<string>()
  let count = 0
  for (const n of state.nodes) {
    const file = join(dir, `${n.name}.log`)
    if (!existsSync(file)) continue
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"level":5') && !line.includes('"level":6')) continue
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: string }
        if ((entry.level ?? 0) < 50) continue
        count++
        if (samples.size < 5) samples.add(`${n.name}: ${entry.msg ?? ''}: ${entry.err ?? ''}`.slice(0, 300))
      } catch {
        // A line cut short by the kill at the end: not an entry.
      }
    }
  }
  return { count, samples: [...samples] }
}

function same(a: Snapshot | undefined, b: Snapshot | undefined): boolean {
  return a !== undefined && b !== undefined && a.value === b.value && a.contentType === b.contentType && a.meta === b.meta && a.context === b.context && a.siblings === b.siblings
}

export async function runLiveFuzz(o: LiveFuzzOptions): Promise<LiveFuzzReport> {
  const started = Date.now()
  const say = o.progress ?? (() => {})
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-fuzz-'))
  const basePort = await freeBasePort(o.nodes)
  const cliPath = o.cliPath ?? DEFAULT_CLI
  try {
    // Inside the try: a start that fails part-way still has its nodes stopped and its directory removed.
    await cli(cliPath, ['dev', 'start', '--dir', dir, '--nodes', String(o.nodes), '--base-port', String(basePort), '--ring-size', String(o.ringSize), '--detach'], 120_000)
    const state = readState(dir)
    const pids = state.nodes.map((n) => n.pid)
    const hosts = state.nodes.map((n) => `127.0.0.1:${n.clientPort}`)
    say(`cluster of ${o.nodes} up in ${dir} (pids ${pids.join(', ')})`)

    const rng = SeededRandom.forSeed(o.seed).fork('fuzz-objects')
    const keys = Array.from({ length: o.objects }, (_, i) => `obj-${i}`)
    const kv = await connect({ seeds: hosts, timeoutMs: 10_000 })
    try {
      for (const key of keys) {
        const value = Buffer.alloc(1 + rng.int(4_096))
        for (let i = 0; i < value.length; i++) value[i] = rng.int(256)
        await kv.put(KNOWN_BUCKET, key, value, { w: 'all', contentType: 'application/octet-stream', meta: { written: 'before-fuzz' } })
      }
    } finally {
      await kv.close()
    }
    const before = await snapshotAll(hosts, keys)
    say(`${keys.length} objects written and read back from every node`)

    const n1 = state.nodes[0]!
    const targets: Target[] = [
      { port: 'client', host: '127.0.0.1', portNumber: n1.clientPort },
      { port: 'cluster', host: '127.0.0.1', portNumber: n1.clusterPort },
    ]
    const counts = await blast({
      targets,
      frames: o.frames,
      connections: o.connections,
      seed: o.seed,
      context: { knownBucket: KNOWN_BUCKET, knownKeys: keys, scratchBucket: SCRATCH_BUCKET, partitions: o.ringSize, maxFrameBytes: NET.maxFrameBytes },
      maxFramesPerConnection: 64,
      idleMs: 100,
      answerMs: 10_000,
      progress: (sent) => say(`${sent} frames sent`),
    })
    say(`fuzzing done: ${JSON.stringify(counts)}`)

    const healthFailures = await health(state)
    const after = readState(dir)
    if (counts.unanswered > 0) healthFailures.push(`${counts.unanswered} connections neither answered nor closed within 10 s`)
    const nodeRestarts = after.nodes.filter((n, i) => n.pid !== pids[i] || !isAlive(pids[i]!)).length
    const now = await snapshotAll(hosts, keys)
    const errors = logErrors(dir, state)
    let objectsChanged = 0
    for (const key of keys) {
      const reference = before[0]!.get(key)
      if (!before.every((m) => same(m.get(key), reference)) || !now.every((m) => same(m.get(key), reference))) objectsChanged++
    }
    return {
      seed: o.seed,
      nodes: o.nodes,
      objects: keys.length,
      ...counts,
      nodeRestarts,
      objectsChanged,
      healthFailures,
      nodeErrors: errors.count,
      nodeErrorSamples: errors.samples,
      durationMs: Date.now() - started,
      ...(o.keep ? { dir } : {}),
    }
  } finally {
    await cli(cliPath, ['dev', 'stop', '--dir', dir, '--kill'], 60_000).catch(() => undefined)
    if (!o.keep) rmSync(dir, { recursive: true, force: true })
  }
}
