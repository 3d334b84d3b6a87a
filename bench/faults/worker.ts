#!/usr/bin/env node
/**
 * The clients of a fault run, started by the orchestrator inside the control namespace (the only
 * place that reaches the nodes): `node dist/bench/faults/worker.js warmup|run|final CONFIG.json`.
 *   warmup  waits until every node answers a write
 *   run     the set-add workload until the configured time: each client, at its rate, sends an
 *           add (read, union the siblings, add one unique element, write back with the read's
 *           context) or a plain read to a node it picks, and records the operation
 *   final   reads every set from every node at R=all, retrying until the deadline
 * Each client holds its own connection to every node, routed to that node alone (no retries
 * elsewhere), so every operation in the history names the node that coordinated it.
 */
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, type SpineClient } from '../../src/client/index.js'
import { SeededRandom } from '../../src/core/seededRandom.js'
import { element, encodeSet, parseSetValue } from './elements.js'
import { appendJsonLine, type Op, type OpResult } from './history.js'

export interface WorkerConfig {
  nodes: Array<{ name: string; addr: string }>
  clients: number
  keys: string[]
  bucket: string
  ratePerClient: number
  readFraction: number
  seed: number
  timeoutMs: number
  /** run: start at this time (the process takes a while to start; the nemesis counts from here) and stop starting operations at this one. */
  startAt: number
  until: number
  /** warmup and final: give up at this time. */
  deadline: number
  history: string
}

/** One client's connection to one node, made on first use and again after it could not be made. */
class NodeLink {
  private client: Promise<SpineClient> | undefined
  constructor(private readonly addr: string, private readonly timeoutMs: number) {}

  get(): Promise<SpineClient> {
    this.client ??= connect({ seeds: [this.addr], routing: 'seed', maxRetries: 0, timeoutMs: this.timeoutMs, connectTimeoutMs: this.timeoutMs }).catch((e: unknown) => {
      this.client = undefined
      throw e
    })
    return this.client
  }

  async close(): Promise<void> {
    const c = await this.client?.catch(() => undefined)
    await c?.close()
  }
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : String(e)
}

/** No answer, or the connection went while waiting: the write may or may not have happened. */
function resultOf(code: string): OpResult {
  return code === 'TIMEOUT' || code === 'CONNECTION_CLOSED' ? 'timeout' : 'fail'
}

function union(siblings: ReadonlyArray<{ value: Buffer }>): Set<string> {
  const out = new Set<string>()
  for (const s of siblings) for (const e of parseSetValue(s.value)) out.add(e)
  return out
}

async function add(link: NodeLink, cfg: WorkerConfig, key: string, value: string): Promise<Partial<Op>> {
  let read
  try {
    read = await (await link.get()).get(cfg.bucket, key)
  } catch (e) {
    // The read part failed, so nothing was written: a definite failure whatever the code.
    return { result: 'fail', error: codeOf(e) }
  }
  const set = union(read.siblings)
  set.add(value)
  try {
    await (await link.get()).put(cfg.bucket, key, JSON.stringify([...set]), { context: read.context, contentType: 'application/json' })
    return { result: 'ok', siblings: read.siblings.length }
  } catch (e) {
    const code = codeOf(e)
    return { result: resultOf(code), error: code, siblings: read.siblings.length }
  }
}

async function read(link: NodeLink, cfg: WorkerConfig, key: string, r?: 'all', timeoutMs?: number): Promise<Partial<Op>> {
  try {
    const got = await (await link.get()).get(cfg.bucket, key, r ? { r, timeoutMs } : {})
    return { result: 'ok', elements: encodeSet(union(got.siblings)), siblings: got.siblings.length }
  } catch (e) {
    const code = codeOf(e)
    return { result: resultOf(code), error: code }
  }
}

async function runClient(cfg: WorkerConfig, client: number, stopped: () => boolean): Promise<void> {
  const rnd = SeededRandom.forSeed(cfg.seed).fork(`client${client}`)
  const links = new Map(cfg.nodes.map((n) => [n.name, new NodeLink(n.addr, cfg.timeoutMs)]))
  const intervalMs = 1000 / cfg.ratePerClient
  let seq = 0
  // Clients start together with the nemesis's clock, spread over one interval.
  await sleep(Math.max(0, cfg.startAt - Date.now()) + rnd.next() * intervalMs)
  while (!stopped() && Date.now() < cfg.until) {
    const node = rnd.pick(cfg.nodes).name
    const key = rnd.pick(cfg.keys)
    const isRead = rnd.chance(cfg.readFraction)
    const id = `${client}.${seq}`
    const invoke = Date.now()
    const value = isRead ? undefined : element(client, seq)
    seq++
    const outcome = isRead ? await read(links.get(node)!, cfg, key) : await add(links.get(node)!, cfg, key, value!)
    const op: Op = { id, client, node, type: isRead ? 'read' : 'add', key, ...(value ? { value } : {}), invoke, complete: Date.now(), result: 'fail', ...outcome }
    appendJsonLine(cfg.history, op)
    const next = invoke + intervalMs - Date.now()
    if (next > 0) await sleep(next)
  }
  for (const l of links.values()) await l.close()
}

async function final(cfg: WorkerConfig): Promise<number> {
  let failed = 0
  // A final read waits longer than a workload one: it must succeed, and nothing is hurried now.
  const timeoutMs = cfg.timeoutMs * 4
  for (const n of cfg.nodes) {
    const link = new NodeLink(n.addr, timeoutMs)
    for (const key of cfg.keys) {
      for (let attempt = 0; ; attempt++) {
        const invoke = Date.now()
        const outcome = await read(link, cfg, key, 'all', timeoutMs)
        const last = outcome.result === 'ok' || Date.now() >= cfg.deadline
        if (last) {
          const op: Op = { id: `final.${n.name}.${key}`, client: -1, node: n.name, type: 'final', key, invoke, complete: Date.now(), result: 'fail', ...outcome, attempts: attempt + 1 }
          appendJsonLine(cfg.history, op)
          if (outcome.result !== 'ok') failed++
          break
        }
        await sleep(500)
      }
    }
    await link.close()
  }
  return failed
}

async function warmup(cfg: WorkerConfig): Promise<string[]> {
  const waiting = new Set(cfg.nodes.map((n) => n.name))
  while (waiting.size > 0 && Date.now() < cfg.deadline) {
    for (const n of cfg.nodes.filter((x) => waiting.has(x.name))) {
      const link = new NodeLink(n.addr, cfg.timeoutMs)
      try {
        await (await link.get()).put(cfg.bucket, `warmup-${n.name}`, 'ok', { w: 'all' })
        waiting.delete(n.name)
      } catch {
        // Not yet: the node is starting, or has not yet heard from its peers.
      }
      await link.close()
    }
    if (waiting.size > 0) await sleep(500)
  }
  return [...waiting]
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2)
  if (!mode || !file || !['warmup', 'run', 'final'].includes(mode)) {
    process.stderr.write('usage: worker.js warmup|run|final CONFIG.json\n')
    process.exit(1)
  }
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as WorkerConfig
  if (mode === 'warmup') {
    const waiting = await warmup(cfg)
    if (waiting.length) process.stderr.write(`jepsen worker: no answer from ${waiting.join(', ')} before the deadline\n`)
    process.exit(waiting.length ? 1 : 0)
  }
  if (mode === 'final') {
    const failed = await final(cfg)
    if (failed) process.stderr.write(`jepsen worker: ${failed} final reads did not succeed\n`)
    process.exit(0)
  }
  let stop = false
  process.on('SIGTERM', () => (stop = true))
  await Promise.all(Array.from({ length: cfg.clients }, (_, i) => runClient(cfg, i, () => stop)))
  process.exit(0)
}

await main()
