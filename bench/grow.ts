/**
 * Growing a loaded 3-node cluster to 4 nodes under a read/write workload: how many partitions
 * move, how long until the ring has flipped and the old owners have dropped their copies, and
 * what the transfer does to the workload's latency.
 *
 *   1. start a fresh `spinekv dev start --detach` 3-node cluster (--ring-size partitions) in a
 *      temp dir on free ports;
 *   2. load --records keys of --value-bytes random bytes with W=2 through all three nodes;
 *   3. baseline: --workers closed-loop clients on n1..n3 (90% get R=2 of a random loaded key,
 *      10% put W=2 of the key that worker read last, with its context) for --baseline-s seconds;
 *   4. with the workload running: `dev add` n4, `cluster join` it, `cluster plan` (moves),
 *      `cluster commit`;
 *   5. poll n1 every second (clusterRing, status, transfers): T_flip = no pending move, every
 *      member agrees and n4 owns partitions; T_clean = after T_flip, no member holds hinted keys
 *      (the old owners' leftovers are handed off and dropped);
 *   6. stop the workload; cut latency windows baseline, commit→T_flip, commit→T_clean;
 *   7. check a sample of keys with replicas() via n1 (3 copies found, how many with n4 primary);
 *   8. stop the cluster, scan the node logs, delete the temp dir, print a summary and one JSON line.
 *
 * Polling uses the client library's admin('clusterRing')/status()/transfers() on n1 (what
 * `spinekv cluster ring|status|transfers --json` print) rather than spawning three CLI processes
 * a second on a small machine; join/plan/commit go through the CLI.
 *
 *   node dist/bench/grow.js --records 1000000 --workers 16 --baseline-s 30
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect, type SpineClient } from '../src/client/index.js'
import type { ClusterStatus, ClusterTransfers } from '../src/client/types.js'
import { bump, cleanupOnSignal, machineInfo, cli as runCli, errCode, fmt, freeBasePort, latency, log, nodeLogLines, nonNegativeInt, now, printReport, runBench, sleep } from './localCluster.js'

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'value-bytes': { type: 'string', default: '1024' },
    'load-concurrency': { type: 'string', default: '64' },
    workers: { type: 'string', default: '16' },
    'baseline-s': { type: 'string', default: '30' },
    'ring-size': { type: 'string', default: '64' },
    sample: { type: 'string', default: '500' },
    /** Give up waiting for T_clean this long after the commit (the run still reports and cleans up). */
    'cap-s': { type: 'string', default: '3600' },
    /** Keep the cluster directory (node logs) instead of deleting it. */
    keep: { type: 'boolean', default: false },
  },
})

const intOpt = (name: keyof typeof args): number => nonNegativeInt(name, args[name])

const RECORDS = Math.max(1, intOpt('records'))
const VALUE_BYTES = intOpt('value-bytes')
const LOAD_CONCURRENCY = Math.max(1, intOpt('load-concurrency'))
const WORKERS = Math.max(1, intOpt('workers'))
const BASELINE_S = intOpt('baseline-s')
const RING_SIZE = intOpt('ring-size')
const SAMPLE = intOpt('sample')
const CAP_MS = intOpt('cap-s') * 1000
const POLL_MS = 1000
const PUT_SHARE = 0.1
const BUCKET = 'grow'
const NODES = 3

const cli = (cliArgs: string[]): Promise<string> => runCli(cliArgs, 120_000)
const keyOf = (i: number): string => `p${String(i).padStart(7, '0')}`


/** Random bytes to cut values from (a fresh randomBytes() per value costs more than the bench can spare). */
const POOL = randomBytes(Math.max(4 << 20, VALUE_BYTES * 4))
const randomValue = (): Buffer => {
  const off = Math.floor(Math.random() * (POOL.length - VALUE_BYTES + 1))
  return POOL.subarray(off, off + VALUE_BYTES)
}

interface Window {
  ops: number
  errors: number
  errorCodes: Record<string, number>
  seconds: number
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Every operation of one kind, kept raw so that any window can be cut afterwards. */
class OpLog {
  readonly at: number[] = []
  readonly latUs: number[] = []
  readonly errorsAt: number[] = []
  readonly errorCode: string[] = []

  ok(t0: number, t1: number): void {
    this.at.push(performance.timeOrigin + t1)
    this.latUs.push(Math.max(1, Math.round((t1 - t0) * 1000)))
  }

  fail(code: string): void {
    this.errorsAt.push(now())
    this.errorCode.push(code)
  }

  window(from: number, to: number): Window {
    const errorCodes: Record<string, number> = {}
    let errors = 0
    for (let i = 0; i < this.errorsAt.length; i++) {
      const t = this.errorsAt[i]!
      if (t >= from && t < to) {
        errors++
        errorCodes[this.errorCode[i]!] = (errorCodes[this.errorCode[i]!] ?? 0) + 1
      }
    }
    const seconds = Math.max(0, (to - from) / 1000)
    const lat = latency(this.at, this.latUs, from, to)
    return { ...lat, errors, errorCodes, seconds, opsPerSec: seconds > 0 ? lat.ops / seconds : 0 }
  }
}


interface RingInfo {
  node: string
  version: number
  q: number
  claimant: string | null
  members: Array<{ node: string; status: string; partitions: number; percent: number }>
  balance: number
  pending: Array<{ partition: number; from: string; to: string }>
  staged: unknown[]
  agreed: boolean
}

interface PlanReply {
  ring: { version: number }
  plan?: { owners: string[]; moves: Array<{ partition: number; from: string; to: string }>; reassigned: unknown[] }
}

/** Transfers as the nodes report them (the client type only names 'hinted'; ownership moves are listed too). */
type AnyTransfer = Omit<ClusterTransfers['transfers'][number], 'kind'> & { kind: string }

/** Warnings and errors the nodes logged (pino level >= 40) by message with one example each, plus "handoff finished" totals by kind. */
function scanLogs(dir: string): {
  byMsg: Record<string, number>
  examples: Record<string, string>
  nonJson: number
  textMatches: number
  finished: Record<string, { transfers: number; items: number; lastAt: number }>
} {
  const byMsg: Record<string, number> = {}
  const examples: Record<string, string> = {}
  const finished: Record<string, { transfers: number; items: number; lastAt: number }> = {}
  let nonJson = 0
  let textMatches = 0
  for (const { node, line, rec } of nodeLogLines(dir)) {
    if (/warn|error/i.test(line)) textMatches++
    if (!rec) {
      nonJson++
      const k = `${node} non-JSON`
      byMsg[k] = (byMsg[k] ?? 0) + 1
      examples[k] ??= line.slice(0, 300)
      continue
    }
    if (rec.msg === 'handoff finished') {
      const f = (finished[rec.kind ?? '?'] ??= { transfers: 0, items: 0, lastAt: 0 })
      f.transfers++
      f.items += rec.items ?? 0
      f.lastAt = Math.max(f.lastAt, rec.time ?? 0)
    }
    if ((rec.level ?? 0) >= 40) {
      const k = `${node} L${rec.level} ${rec.msg ?? '?'}`
      byMsg[k] = (byMsg[k] ?? 0) + 1
      examples[k] ??= line.slice(0, 300)
    }
  }
  return { byMsg, examples, nonJson, textMatches, finished }
}

const fmtW = (w: Window | null): string =>
  w ? `${fmt(w.opsPerSec, 0)} ops/s  p50 ${fmt(w.p50Ms, 2)}  p99 ${fmt(w.p99Ms, 2)}  max ${fmt(w.maxMs, 1)} ms  n=${w.ops}  errors ${w.errors}${w.errors ? ` ${JSON.stringify(w.errorCodes)}` : ''}` : '-'
const ratio = (a: number | undefined, b: number | undefined): number | null => (a !== undefined && b !== undefined && b > 0 && !Number.isNaN(a) ? a / b : null)

async function main(): Promise<void> {
  const machine = machineInfo()
  const dir = mkdtempSync(join(os.tmpdir(), 'spinekv-grow-'))
  const clients: SpineClient[] = []
  let clusterStarted = false
  let stopWorkload = false
  let workloadDone: Promise<unknown> = Promise.resolve()
  let logs: ReturnType<typeof scanLogs> | null = null

  const cleanup = async (): Promise<void> => {
    stopWorkload = true
    await Promise.race([workloadDone, sleep(15_000)])
    await Promise.allSettled(clients.map((c) => c.close()))
    if (clusterStarted) await cli(['dev', 'stop', '--dir', dir, '--kill']).catch((e: unknown) => log(`cluster stop failed: ${String(e)}`))
    if (!logs) {
      try {
        logs = scanLogs(dir)
        const n = Object.values(logs.byMsg).reduce((a, b) => a + b, 0)
        if (n) log(`node log warnings/errors: ${JSON.stringify(logs.byMsg)}`)
      } catch {
        /* no logs */
      }
    }
    if (args.keep) log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  cleanupOnSignal(cleanup)

  try {
    // 1. Cluster.
    const base = await freeBasePort(NODES + 1)
    const clientHost = (i: number): string => `127.0.0.1:${base + 10 * i + 1}`
    const clusterHost = (i: number): string => `127.0.0.1:${base + 10 * i}`
    log(`starting ${NODES} nodes in ${dir}, base port ${base}, ring size ${RING_SIZE}`)
    clusterStarted = true
    await cli(['dev', 'start', '--dir', dir, '--nodes', String(NODES), '--base-port', String(base), '--ring-size', String(RING_SIZE), '--detach'])
    const mk = async (i: number): Promise<SpineClient> => {
      const c = await connect({ seeds: [clientHost(i)], routing: 'seed', maxRetries: 0, timeoutMs: 10_000 })
      clients.push(c)
      return c
    }
    const admin = await mk(1)
    const ring0 = (await admin.admin('clusterRing')) as RingInfo
    log(`ring: ${ring0.members.map((m) => `${m.node}:${m.partitions}`).join(' ')} (q ${ring0.q}, agreed ${ring0.agreed})`)

    // 2. Load through n1..n3 (one client each), W=2.
    const loaders = await Promise.all([1, 2, 3].map(mk))
    const loadErrors = new Map<string, number>()
    let loadFailed = 0
    let loadRetries = 0
    let nextRec = 0
    let loaded = 0
    const loadWorker = async (wi: number): Promise<void> => {
      const c = loaders[wi % NODES]!
      while (nextRec < RECORDS) {
        const k = nextRec++
        for (let attempt = 0; ; attempt++) {
          try {
            await c.put(BUCKET, keyOf(k), randomValue(), { w: 2 })
            break
          } catch (e) {
            bump(loadErrors, errCode(e))
            if (attempt >= 2) {
              loadFailed++
              break
            }
            loadRetries++
            await sleep(200)
          }
        }
        loaded++
      }
    }
    const loadStart = now()
    let lastLoaded = 0
    let lastTick = loadStart
    const progress = setInterval(() => {
      const t = now()
      log(`load ${loaded}/${RECORDS} (${(((loaded - lastLoaded) * 1000) / (t - lastTick)).toFixed(0)}/s now, ${((loaded * 1000) / (t - loadStart)).toFixed(0)}/s overall), ${loadFailed} failed, ${loadRetries} retries`)
      lastLoaded = loaded
      lastTick = t
    }, 10_000)
    try {
      await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, RECORDS) }, (_, i) => loadWorker(i)))
    } finally {
      clearInterval(progress)
    }
    const loadSeconds = (now() - loadStart) / 1000
    const loadRate = RECORDS / loadSeconds
    log(`loaded ${RECORDS} × ${VALUE_BYTES} B in ${loadSeconds.toFixed(1)} s (${loadRate.toFixed(0)}/s), ${loadFailed} failed, ${loadRetries} retries ${JSON.stringify(Object.fromEntries(loadErrors))}`)
    const afterLoad = await admin.status()
    log(`after load: ${afterLoad.members.map((m) => `${m.node} partitions ${m.partitions} hinted ${m.hintedKeys ?? '?'}`).join('; ')}`)

    // 3. Workload (kept running through the grow) and the baseline.
    const ops = { get: new OpLog(), put: new OpLog() }
    let notFound = 0
    let siblingsSeen = 0
    const workClients = await Promise.all([1, 2, 3].map(mk))
    const worker = async (wi: number): Promise<void> => {
      const c = workClients[wi % NODES]!
      let last: { key: string; context: Buffer | null } | null = null
      while (!stopWorkload) {
        if (last && Math.random() < PUT_SHARE) {
          const t0 = performance.now()
          try {
            await c.put(BUCKET, last.key, randomValue(), { w: 2, context: last.context })
            ops.put.ok(t0, performance.now())
          } catch (e) {
            ops.put.fail(errCode(e))
            await sleep(10)
          }
          last = null
        } else {
          const key = keyOf(Math.floor(Math.random() * RECORDS))
          const t0 = performance.now()
          try {
            const r = await c.get(BUCKET, key, { r: 2 })
            ops.get.ok(t0, performance.now())
            if (!r.found) notFound++
            if (r.siblings.length > 1) siblingsSeen++
            last = { key, context: r.context }
          } catch (e) {
            ops.get.fail(errCode(e))
            await sleep(10)
          }
        }
      }
    }
    const baselineStart = now()
    workloadDone = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)))
    await sleep(BASELINE_S * 1000)
    const baselineEnd = now()
    const baseline = { get: ops.get.window(baselineStart, baselineEnd), put: ops.put.window(baselineStart, baselineEnd) }
    log(`baseline ${BASELINE_S} s: get ${fmtW(baseline.get)}`)
    log(`baseline ${BASELINE_S} s: put ${fmtW(baseline.put)}`)

    // 4. Add n4, join, plan, commit.
    const addAt = now()
    const added = JSON.parse(await cli(['dev', 'add', '--dir', dir, '--json'])) as { name: string; clientPort: number; clusterPort: number }
    log(`added ${added.name}: client ${added.clientPort}, cluster ${added.clusterPort} (${((now() - addAt) / 1000).toFixed(1)} s)`)
    const newNode = added.name
    const n4Client = `127.0.0.1:${added.clientPort}`
    await cli(['cluster', 'join', clusterHost(1), '--host', n4Client])
    const planOut = JSON.parse(await cli(['cluster', 'plan', '--json', '--host', clientHost(1)])) as PlanReply
    const moves = planOut.plan?.moves ?? []
    const movesFrom: Record<string, number> = {}
    for (const m of moves) movesFrom[m.from] = (movesFrom[m.from] ?? 0) + 1
    const plannedOwners: Record<string, number> = {}
    for (const o of planOut.plan?.owners ?? []) plannedOwners[o] = (plannedOwners[o] ?? 0) + 1
    log(`plan: ${moves.length} partitions to move (from ${JSON.stringify(movesFrom)}); owners after ${JSON.stringify(plannedOwners)}`)
    const commitAt = now()
    const commitOut = JSON.parse(await cli(['cluster', 'commit', '--json', '--host', clientHost(1)])) as PlanReply
    const commitReturnedAt = now()
    const commitCliS = (commitReturnedAt - commitAt) / 1000
    log(`committed: ring version ${commitOut.ring.version} (commit CLI took ${commitCliS.toFixed(1)} s)`)

    // 5. Watch.
    let firstFlipAt: number | null = null
    let flipAt: number | null = null
    let cleanAt: number | null = null
    let firstRunningAt: number | null = null
    let maxRunning = 0
    const maxRunningByKind: Record<string, number> = {}
    let peakRate = 0
    let maxHinted = 0
    let pollErrors = 0
    let pollFailingSince: number | null = null
    let lastRing: RingInfo | null = null
    let lastReport = 0
    const timeline: Array<Record<string, unknown>> = []
    const tSince = (t: number): number => Math.round((t - commitAt) / 100) / 10
    while (cleanAt === null) {
      const tick = now()
      if (tick - commitAt > CAP_MS) break
      let r: RingInfo
      let s: ClusterStatus
      let t: { transfers: AnyTransfer[]; unreachable: string[] }
      try {
        ;[r, s, t] = await Promise.all([admin.admin('clusterRing') as Promise<RingInfo>, admin.status(), admin.transfers() as Promise<{ transfers: AnyTransfer[]; unreachable: string[] }>])
      } catch (e) {
        pollErrors++
        pollFailingSince ??= tick
        log(`poll failed: ${errCode(e)}`)
        if (tick - pollFailingSince > 120_000) throw new Error(`polling n1 failing for 120 s (${errCode(e)})`)
        await sleep(POLL_MS)
        continue
      }
      pollFailingSince = null
      lastRing = r
      const seenAt = now()
      const running = t.transfers.filter((x) => x.state === 'running')
      maxRunning = Math.max(maxRunning, running.length)
      const byKind: Record<string, number> = {}
      for (const x of running) byKind[x.kind] = (byKind[x.kind] ?? 0) + 1
      for (const [k, n] of Object.entries(byKind)) maxRunningByKind[k] = Math.max(maxRunningByKind[k] ?? 0, n)
      const rate = running.reduce((a, x) => a + x.rate, 0)
      peakRate = Math.max(peakRate, rate)
      if (running.length && firstRunningAt === null) firstRunningAt = seenAt
      const hinted = s.members.reduce((a, m) => a + (m.hintedKeys ?? 0), 0)
      maxHinted = Math.max(maxHinted, hinted)
      const n4Parts = r.members.find((m) => m.node === newNode)?.partitions ?? 0
      if (firstFlipAt === null && n4Parts > 0) firstFlipAt = seenAt
      if (flipAt === null && r.pending.length === 0 && r.agreed && r.members.length === NODES + 1 && n4Parts > 0) {
        flipAt = seenAt
        log(`T_flip at commit+${tSince(seenAt)} s: ${r.members.map((m) => `${m.node}:${m.partitions}`).join(' ')}`)
      }
      const clean = flipAt !== null && s.members.length === NODES + 1 && s.members.every((m) => m.hintedKeys === 0)
      if (clean) cleanAt = seenAt
      if (seenAt - lastReport >= 10_000 || clean) {
        lastReport = seenAt
        const entry = {
          t: tSince(seenAt),
          pending: r.pending.length,
          agreed: r.agreed,
          owners: Object.fromEntries(r.members.map((m) => [m.node, m.partitions])),
          hinted: Object.fromEntries(s.members.map((m) => [m.node, m.hintedKeys])),
          running: running.map((x) => `${x.kind[0]}:p${x.partition} ${x.from}->${x.to} ${x.itemsSent}/${x.itemsTotal} ${x.rate}/s`),
          waiting: t.transfers.filter((x) => x.state === 'waiting').length,
          blocked: t.transfers.filter((x) => x.state === 'blocked').length,
          unreachable: t.unreachable,
        }
        timeline.push({ ...entry, running: running.length, rate })
        log(
          `commit+${entry.t} s pending ${entry.pending} agreed ${entry.agreed} owners ${JSON.stringify(entry.owners)} hinted ${JSON.stringify(entry.hinted)} ` +
            `transfers r/w/b ${running.length}/${entry.waiting}/${entry.blocked} [${entry.running.join('; ')}]${t.unreachable.length ? ` unreachable ${t.unreachable.join(',')}` : ''}`,
        )
      }
      await sleep(Math.max(0, POLL_MS - (now() - tick)))
    }
    stopWorkload = true
    const stoppedAt = now()
    await workloadDone
    if (cleanAt === null) log(`NOT clean ${CAP_MS / 1000} s after commit (flip ${flipAt !== null ? 'seen' : 'not seen'})`)
    const endClean = cleanAt ?? stoppedAt
    const windows = {
      baseline,
      addToCommit: { get: ops.get.window(addAt, commitAt), put: ops.put.window(addAt, commitAt) },
      commitToFlip: flipAt !== null ? { get: ops.get.window(commitAt, flipAt), put: ops.put.window(commitAt, flipAt) } : null,
      flipToClean: flipAt !== null ? { get: ops.get.window(flipAt, endClean), put: ops.put.window(flipAt, endClean) } : null,
      commitToClean: { get: ops.get.window(commitAt, endClean), put: ops.put.window(commitAt, endClean) },
    }

    // 7. Sample check via n1.
    const sampler = admin
    let threeFound = 0
    let n4Primary = 0
    let n4Found = 0
    let sampleErrors = 0
    let sampled = 0
    const foundHist: Record<number, number> = {}
    const sampleBad: Array<{ key: string; replicas: string }> = []
    const sampleKeys = Array.from({ length: Math.min(SAMPLE, RECORDS) }, () => keyOf(Math.floor(Math.random() * RECORDS)))
    for (let i = 0; i < sampleKeys.length; i += 32) {
      await Promise.all(
        sampleKeys.slice(i, i + 32).map(async (k) => {
          try {
            const reps = await sampler.replicas(BUCKET, k)
            sampled++
            const found = reps.filter((r) => r.found && !r.deleted).length
            foundHist[found] = (foundHist[found] ?? 0) + 1
            if (found === 3) threeFound++
            else if (sampleBad.length < 20) sampleBad.push({ key: k, replicas: reps.map((r) => `${r.node}/p${r.partition}:${r.error ?? (r.found ? 'found' : 'notfound')}`).join(' ') })
            if (reps.some((r) => r.node === newNode)) n4Primary++
            if (reps.some((r) => r.node === newNode && r.found && !r.deleted)) n4Found++
          } catch {
            sampleErrors++
          }
        }),
      )
    }
    log(`sample: ${threeFound}/${sampled} keys with 3 copies found; ${n4Primary} with ${newNode} among primaries (${n4Found} found there); ${sampleErrors} errors`)
    const finalRing = ((await admin.admin('clusterRing').catch(() => null)) as RingInfo | null) ?? lastRing
    const finalStatus = await admin.status().catch(() => undefined)
    const finalOwnership = finalRing ? Object.fromEntries(finalRing.members.map((m) => [m.node, m.partitions])) : null

    // 8. Stop the cluster, then read the logs before the directory goes.
    stopWorkload = true
    await Promise.allSettled(clients.map((c) => c.close()))
    clients.length = 0
    await cli(['dev', 'stop', '--dir', dir, '--kill']).catch((e: unknown) => log(`cluster stop failed: ${String(e)}`))
    clusterStarted = false
    logs = scanLogs(dir)

    const since = (t: number | null): number | null => (t !== null ? (t - commitAt) / 1000 : null)
    const result = {
      bench: 'grow',
      params: { records: RECORDS, valueBytes: VALUE_BYTES, loadConcurrency: LOAD_CONCURRENCY, workers: WORKERS, baselineS: BASELINE_S, ringSize: RING_SIZE, putShare: PUT_SHARE, sample: sampleKeys.length },
      machine: { ...machine, loadAvgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      load: { seconds: loadSeconds, recordsPerSec: loadRate, failed: loadFailed, retries: loadRetries, errors: Object.fromEntries(loadErrors) },
      partitionsMoved: moves.length,
      movesFrom,
      plannedOwners,
      commitCliS,
      firstRunningS: since(firstRunningAt),
      firstFlipS: since(firstFlipAt),
      tFlipS: since(flipAt),
      tCleanS: since(cleanAt),
      clean: cleanAt !== null,
      maxRunningTransfers: maxRunning,
      maxRunningByKind,
      peakSummedRate: peakRate,
      maxHintedKeys: maxHinted,
      pollErrors,
      windows,
      p99Ratio: {
        getFlip: ratio(windows.commitToFlip?.get.p99Ms, baseline.get.p99Ms),
        putFlip: ratio(windows.commitToFlip?.put.p99Ms, baseline.put.p99Ms),
        getClean: ratio(windows.commitToClean.get.p99Ms, baseline.get.p99Ms),
        putClean: ratio(windows.commitToClean.put.p99Ms, baseline.put.p99Ms),
      },
      p50Ratio: {
        getFlip: ratio(windows.commitToFlip?.get.p50Ms, baseline.get.p50Ms),
        putFlip: ratio(windows.commitToFlip?.put.p50Ms, baseline.put.p50Ms),
        getClean: ratio(windows.commitToClean.get.p50Ms, baseline.get.p50Ms),
        putClean: ratio(windows.commitToClean.put.p50Ms, baseline.put.p50Ms),
      },
      workloadNotFound: notFound,
      workloadSiblingReads: siblingsSeen,
      sample: { checked: sampled, threeFound, foundHist, n4Primary, n4Found, errors: sampleErrors, bad: sampleBad },
      finalOwnership,
      finalHinted: finalStatus ? Object.fromEntries(finalStatus.members.map((m) => [m.node, m.hintedKeys])) : null,
      handoffFinishedLogs: logs.finished,
      logWarnings: logs.byMsg,
      logExamples: logs.examples,
      logLinesMatchingWarnOrError: logs.textMatches,
      timeline,
    }

    const rows: Array<[string, string]> = [
      ['machine', `${machine.cpus} cpus, ${machine.memGB} GB, node ${machine.node}, load ${machine.loadAvgStart.join('/')} → ${result.machine.loadAvgEnd.join('/')}`],
      ['load (W=2, 3 nodes)', `${RECORDS} × ${VALUE_BYTES} B in ${fmt(loadSeconds)} s = ${fmt(loadRate, 0)} rec/s, ${loadFailed} failed, ${loadRetries} retries`],
      ['partitions moved', `${moves.length} of ${RING_SIZE} (from ${JSON.stringify(movesFrom)}); planned owners ${JSON.stringify(plannedOwners)}`],
      ['first transfer / first flip', `${fmt(result.firstRunningS)} s / ${fmt(result.firstFlipS)} s after commit`],
      ['T_flip', `${fmt(result.tFlipS)} s after commit`],
      ['T_clean', cleanAt !== null ? `${fmt(result.tCleanS)} s after commit` : `NOT reached within ${CAP_MS / 1000} s`],
      ['transfers', `max ${maxRunning} running (${JSON.stringify(maxRunningByKind)}), peak summed rate ${peakRate} items/s, max hinted keys ${maxHinted}`],
      ['get baseline', fmtW(baseline.get)],
      ['get commit→flip', fmtW(windows.commitToFlip?.get ?? null)],
      ['get commit→clean', fmtW(windows.commitToClean.get)],
      ['put baseline', fmtW(baseline.put)],
      ['put commit→flip', fmtW(windows.commitToFlip?.put ?? null)],
      ['put commit→clean', fmtW(windows.commitToClean.put)],
      ['p99 ratio (flip / clean)', `get ${fmt(result.p99Ratio.getFlip, 2)} / ${fmt(result.p99Ratio.getClean, 2)}, put ${fmt(result.p99Ratio.putFlip, 2)} / ${fmt(result.p99Ratio.putClean, 2)}`],
      ['p50 ratio (flip / clean)', `get ${fmt(result.p50Ratio.getFlip, 2)} / ${fmt(result.p50Ratio.getClean, 2)}, put ${fmt(result.p50Ratio.putFlip, 2)} / ${fmt(result.p50Ratio.putClean, 2)}`],
      ['workload not found / siblings', `${notFound} / ${siblingsSeen}`],
      ['sample', `${threeFound}/${sampled} with 3 copies found ${JSON.stringify(foundHist)}; ${n4Primary} with ${newNode} a primary (${n4Found} found there); ${sampleErrors} errors`],
      ['final ownership', JSON.stringify(finalOwnership)],
      ['handoff finished (logs)', JSON.stringify(logs.finished)],
      ['node log warnings', Object.keys(logs.byMsg).length ? Object.entries(logs.byMsg).map(([k, n]) => `${n}× ${k}`).join('; ') : 'none'],
    ]
    printReport(rows, result)
  } finally {
    await cleanup()
  }
}

runBench('grow', main)
