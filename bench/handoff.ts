/**
 * Hinted handoff on a real local 3-node cluster: how fast fallbacks hand a down node's writes
 * home once it is back, and what that does to read latency meanwhile.
 *
 *   1. start a fresh `spinekv dev start --detach` cluster in a temp dir on free ports and write
 *      the read set (--read-keys keys, W=3) while every node is up;
 *   2. kill -9 n2 and wait until n1's failure detector holds it down;
 *   3. load --objects keys of --value-bytes with W=2 through n1 and n3 (hinted copies for n2);
 *   4. baseline: --readers closed-loop readers (get, R=2, random read-set keys) against n1 and n3
 *      for --baseline-s seconds;
 *   5. restart n2 with the readers still running, poll status()/transfers() of n1 every 250 ms
 *      until every member is reachable, no node holds hinted keys and no transfer is listed;
 *   6. check a sample of the loaded keys with replicas() (n2 must hold them), stop the cluster,
 *      delete the temp dir, print a summary and one JSON line.
 *
 * The handoff rate is the hinted keys at the start of the handoff over the drain time. That count
 * is more than the loaded keys: with n2 down, a sloppy-quorum read also asks n2's fallback, which
 * read repair then fills, so the read set becomes hinted too while the readers run.
 *
 *   node dist/bench/handoff.js --objects 100000 --readers 16 --baseline-s 15
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
    objects: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '1024' },
    readers: { type: 'string', default: '16' },
    'baseline-s': { type: 'string', default: '15' },
    'load-concurrency': { type: 'string', default: '64' },
    'read-keys': { type: 'string', default: '10000' },
    sample: { type: 'string', default: '500' },
    /** Give up waiting for the drain after this long (the run still reports and cleans up). */
    'drain-timeout-s': { type: 'string', default: '900' },
    /** Keep the cluster directory (node logs) instead of deleting it. */
    keep: { type: 'boolean', default: false },
  },
})

const intOpt = (name: keyof typeof args): number => nonNegativeInt(name, args[name])

const OBJECTS = intOpt('objects')
const VALUE_BYTES = intOpt('value-bytes')
const READERS = Math.max(1, intOpt('readers'))
const BASELINE_S = intOpt('baseline-s')
const LOAD_CONCURRENCY = Math.max(1, intOpt('load-concurrency'))
const READ_KEYS = Math.max(1, intOpt('read-keys'))
const SAMPLE = intOpt('sample')
const DRAIN_TIMEOUT_MS = intOpt('drain-timeout-s') * 1000
const POLL_MS = 250
const BUCKET_READ = 'readset'
const BUCKET_LOAD = 'hinted'

const cli = (cliArgs: string[]): Promise<string> => runCli(cliArgs, 90_000)

interface Window {
  ops: number
  errors: number
  seconds: number
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Every read, kept raw so that any window (baseline, restart→drained, running→drained) can be cut afterwards. */
class ReadLog {
  readonly at: number[] = []
  readonly latUs: number[] = []
  readonly errorsAt: number[] = []
  readonly errorCodes = new Map<string, number>()
  notFound = 0

  window(from: number, to: number): Window {
    const errors = this.errorsAt.filter((t) => t >= from && t < to).length
    const seconds = Math.max(0, (to - from) / 1000)
    const lat = latency(this.at, this.latUs, from, to)
    return { ...lat, errors, seconds, opsPerSec: seconds > 0 ? lat.ops / seconds : 0 }
  }
}


function totalHinted(s: ClusterStatus): number {
  return s.members.reduce((a, m) => a + (m.hintedKeys ?? 0), 0)
}

/** Warnings and errors the nodes logged (pino level >= 40), by message, plus lines that are not JSON. */
function scanLogs(dir: string): { byMsg: Record<string, number>; nonJson: number; handoffFinished: Array<{ node: string; time: number; items: number }> } {
  const byMsg: Record<string, number> = {}
  const handoffFinished: Array<{ node: string; time: number; items: number }> = []
  let nonJson = 0
  for (const { node, rec } of nodeLogLines(dir)) {
    if (!rec) {
      nonJson++
      continue
    }
    if (rec.msg === 'handoff finished' && typeof rec.time === 'number') handoffFinished.push({ node, time: rec.time, items: rec.items ?? 0 })
    if ((rec.level ?? 0) >= 40) {
      const k = `${node} L${rec.level} ${rec.msg ?? '?'}${rec.err ? `: ${String(rec.err).slice(0, 80)}` : ''}`
      byMsg[k] = (byMsg[k] ?? 0) + 1
    }
  }
  return { byMsg, nonJson, handoffFinished }
}

async function main(): Promise<void> {
  const machine = machineInfo()
  const dir = mkdtempSync(join(os.tmpdir(), 'spinekv-handoff-'))
  const clients: SpineClient[] = []
  let clusterStarted = false
  let stopReaders = false
  let readersDone: Promise<unknown> = Promise.resolve()

  const cleanup = async (): Promise<void> => {
    stopReaders = true
    await Promise.race([readersDone, sleep(15_000)])
    await Promise.allSettled(clients.map((c) => c.close()))
    if (clusterStarted) await cli(['dev', 'stop', '--dir', dir, '--kill']).catch((e: unknown) => log(`cluster stop failed: ${String(e)}`))
    if (args.keep) log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  cleanupOnSignal(cleanup)

  try {
    // 1. Cluster and read set.
    const base = await freeBasePort(3)
    const host = (i: number): string => `127.0.0.1:${base + 10 * i + 1}`
    log(`starting 3 nodes in ${dir}, base port ${base}`)
    clusterStarted = true
    await cli(['dev', 'start', '--dir', dir, '--nodes', '3', '--base-port', String(base), '--detach'])
    const mk = async (i: number, routing: 'seed' | 'primary' = 'seed'): Promise<SpineClient> => {
      const c = await connect({ seeds: [host(i)], routing, maxRetries: routing === 'seed' ? 0 : 2, timeoutMs: 10_000 })
      clients.push(c)
      return c
    }
    const admin = await mk(1)
    const value = randomBytes(VALUE_BYTES)
    const readValue = randomBytes(1024)
    {
      const w = await mk(1, 'primary')
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < READ_KEYS) {
          const k = next++
          await w.put(BUCKET_READ, `r${k}`, readValue, { w: 3 })
        }
      }
      const t0 = now()
      await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, READ_KEYS) }, worker))
      log(`read set: ${READ_KEYS} keys (W=3) in ${((now() - t0) / 1000).toFixed(1)} s`)
    }

    // 2. Kill n2 and wait until both coordinators see it down. Each node's failure detector runs on
    // its own heartbeats; a put that n3 coordinates while it still holds n2 up goes to the three
    // primaries, succeeds at W=2 without n2, and leaves no hinted copy to hand off.
    const admin3 = await mk(3)
    const killAt = now()
    await cli(['dev', 'stop', '--dir', dir, '--node', 'n2', '--kill'])
    const downAt: Array<number | null> = [null, null]
    while (downAt.some((t) => t === null)) {
      const views = await Promise.all([admin, admin3].map((c) => c.status().catch(() => undefined)))
      views.forEach((s, i) => {
        if (downAt[i] === null && s?.members.find((m) => m.node === 'n2')?.up === false) downAt[i] = now()
      })
      if (now() - killAt > 60_000) throw new Error('n1 or n3 still holds n2 up 60 s after kill -9')
      await sleep(POLL_MS)
    }
    const downDetectS = (downAt[0]! - killAt) / 1000
    const downDetectN3S = (downAt[1]! - killAt) / 1000
    log(`n2 killed; marked down by n1 after ${downDetectS.toFixed(1)} s, by n3 after ${downDetectN3S.toFixed(1)} s`)

    // 3. Load through n1 and n3 (W=2): one copy of each key goes to a fallback for n2.
    const loaders = [await mk(1), await mk(3)]
    const loadErrors = new Map<string, number>()
    let loadFailed = 0
    let loadRetries = 0
    let nextObj = 0
    let done = 0
    const loadWorker = async (wi: number): Promise<void> => {
      const c = loaders[wi % 2]!
      while (nextObj < OBJECTS) {
        const k = nextObj++
        for (let attempt = 0; ; attempt++) {
          try {
            await c.put(BUCKET_LOAD, `h${k}`, value, { w: 2 })
            break
          } catch (e) {
            bump(loadErrors, errCode(e))
            if (attempt >= 2) {
              loadFailed++
              break
            }
            loadRetries++
            await sleep(100)
          }
        }
        if (++done % Math.max(1, Math.floor(OBJECTS / 10)) === 0) log(`load ${done}/${OBJECTS}`)
      }
    }
    const loadStart = now()
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, Math.max(1, OBJECTS)) }, (_, i) => loadWorker(i)))
    const loadSeconds = (now() - loadStart) / 1000
    const loadRate = OBJECTS / loadSeconds
    const afterLoad = await admin.status()
    const hintedAfterLoad = totalHinted(afterLoad)
    log(`loaded ${OBJECTS} in ${loadSeconds.toFixed(1)} s (${loadRate.toFixed(0)}/s), ${loadFailed} failed; hintedKeys ${hintedAfterLoad} (${afterLoad.members.map((m) => `${m.node}:${m.hintedKeys ?? '?'}`).join(' ')})`)

    // 4. Readers (kept running through the handoff) and the baseline window.
    const reads = new ReadLog()
    const readClients = [await mk(1), await mk(3)]
    const reader = async (ri: number): Promise<void> => {
      const c = readClients[ri % 2]!
      while (!stopReaders) {
        const key = `r${Math.floor(Math.random() * READ_KEYS)}`
        const t0 = performance.now()
        try {
          const r = await c.get(BUCKET_READ, key, { r: 2 })
          const t1 = performance.now()
          reads.at.push(performance.timeOrigin + t1)
          reads.latUs.push(Math.max(1, Math.round((t1 - t0) * 1000)))
          if (!r.found) reads.notFound++
        } catch (e) {
          reads.errorsAt.push(now())
          bump(reads.errorCodes, errCode(e))
          await sleep(10)
        }
      }
    }
    const baselineStart = now()
    readersDone = Promise.all(Array.from({ length: READERS }, (_, i) => reader(i)))
    await sleep(BASELINE_S * 1000)
    const baselineEnd = now()
    const beforeRestart = await admin.status()
    const hintedKeys = totalHinted(beforeRestart)
    const hintedByNode = Object.fromEntries(beforeRestart.members.map((m) => [m.node, m.hintedKeys]))
    const hintedPartitions = beforeRestart.members.reduce((a, m) => a + (m.hintedPartitions ?? 0), 0)
    const base0 = reads.window(baselineStart, baselineEnd)
    log(`baseline ${BASELINE_S} s: ${base0.opsPerSec.toFixed(0)} reads/s p50 ${fmt(base0.p50Ms, 2)} p99 ${fmt(base0.p99Ms, 2)} ms; hintedKeys ${hintedKeys} in ${hintedPartitions} partitions`)

    // 5. Restart n2 and watch the handoff.
    const restartAt = now()
    await cli(['dev', 'start', '--dir', dir, '--node', 'n2'])
    const restartAnsweredAt = now()
    log(`n2 restarted (answering after ${((restartAnsweredAt - restartAt) / 1000).toFixed(1)} s)`)
    let firstRunningAt: number | null = null
    /** Most hinted keys seen between the restart and the first running transfer: what the handoff has to move. */
    let hintedAtStart = hintedKeys
    let firstStartedAt: number | null = null
    let n2UpAt: number | null = null
    let drainedAt: number | null = null
    let maxRunning = 0
    let pollErrors = 0
    let pollFailingSince: number | null = null
    let peakRate = 0
    const states = new Map<string, number>()
    let lastReport = 0
    while (drainedAt === null) {
      const tick = now()
      if (tick - restartAt > DRAIN_TIMEOUT_MS) break
      let s: ClusterStatus
      let t: ClusterTransfers
      try {
        ;[s, t] = await Promise.all([admin.status(), admin.transfers()])
      } catch (e) {
        pollErrors++
        pollFailingSince ??= tick
        log(`poll failed: ${errCode(e)}`)
        if (tick - pollFailingSince > 60_000) throw new Error(`status/transfers of n1 failing for 60 s (${errCode(e)})`)
        await sleep(POLL_MS)
        continue
      }
      pollFailingSince = null
      const seenAt = now()
      const running = t.transfers.filter((x) => x.state === 'running')
      for (const x of t.transfers) bump(states, x.state)
      maxRunning = Math.max(maxRunning, running.length)
      peakRate = Math.max(peakRate, running.reduce((a, x) => a + x.rate, 0))
      if (running.length && firstRunningAt === null) {
        firstRunningAt = seenAt
        log(`first transfer running ${((seenAt - restartAt) / 1000).toFixed(1)} s after restart`)
      }
      for (const x of running) if (x.startedAt !== null && (firstStartedAt === null || x.startedAt < firstStartedAt)) firstStartedAt = x.startedAt
      if (n2UpAt === null && s.members.find((m) => m.node === 'n2')?.up) n2UpAt = seenAt
      const hinted = totalHinted(s)
      if (firstRunningAt === null || seenAt === firstRunningAt) hintedAtStart = Math.max(hintedAtStart, hinted)
      const drained = s.members.every((m) => m.reachable && m.up && m.hintedKeys === 0) && t.transfers.length === 0 && t.unreachable.length === 0
      if (drained) drainedAt = seenAt
      if (seenAt - lastReport > 5_000 || drained) {
        lastReport = seenAt
        const sent = running.reduce((a, x) => a + x.itemsSent, 0)
        log(
          `t+${((seenAt - restartAt) / 1000).toFixed(1)} s hinted ${hinted} transfers r/w/b ${running.length}/${t.transfers.filter((x) => x.state === 'waiting').length}/${t.transfers.filter((x) => x.state === 'blocked').length} sent(running) ${sent} unreachable [${t.unreachable.join(',')}]`,
        )
      }
      await sleep(Math.max(0, POLL_MS - (now() - tick)))
    }
    stopReaders = true
    const stoppedAt = now()
    await readersDone
    if (drainedAt === null) log(`NOT drained after ${DRAIN_TIMEOUT_MS / 1000} s`)
    const end = drainedAt ?? stoppedAt
    const duringFromRunning = firstRunningAt !== null ? reads.window(firstRunningAt, end) : null
    const duringFromRestart = reads.window(restartAt, end)
    const handoffFromRunningS = firstRunningAt !== null && drainedAt !== null ? (drainedAt - firstRunningAt) / 1000 : null
    const handoffFromRestartS = drainedAt !== null ? (drainedAt - restartAt) / 1000 : null

    // 6. Sample check: n2 holds loaded keys again.
    const sampler = await mk(1, 'primary')
    let onN2 = 0
    let n2Primary = 0
    const sampleMissing: Array<{ key: string; replicas: string }> = []
    let sampleErrors = 0
    let sampled = 0
    const sampleKeys = Array.from({ length: Math.min(SAMPLE, OBJECTS) }, () => `h${Math.floor(Math.random() * OBJECTS)}`)
    for (let i = 0; i < sampleKeys.length; i += 32) {
      await Promise.all(
        sampleKeys.slice(i, i + 32).map(async (k) => {
          try {
            const reps = await sampler.replicas(BUCKET_LOAD, k)
            sampled++
            // A key whose N partitions happen to be owned without n2 (ring wrap-around) has no n2 copy to check.
            if (reps.some((r) => r.node === 'n2')) n2Primary++
            if (reps.some((r) => r.node === 'n2' && r.found && !r.deleted)) onN2++
            else if (reps.some((r) => r.node === 'n2') && sampleMissing.length < 20)
              sampleMissing.push({ key: k, replicas: reps.map((r) => `${r.node}/p${r.partition}:${r.error ?? (r.found ? 'found' : 'notfound')}`).join(' ') })
          } catch {
            sampleErrors++
          }
        }),
      )
    }
    const afterStatus = await admin.status().catch(() => undefined)
    log(`sample: ${onN2}/${n2Primary} keys with an n2 primary are on n2 (${sampleKeys.length} sampled, ${sampleErrors} errors)`)

    const logs = scanLogs(dir)
    const finishedAfterRestart = logs.handoffFinished.filter((h) => h.time >= restartAt)
    const lastFinishedLogAt = finishedAfterRestart.length ? Math.max(...finishedAfterRestart.map((h) => h.time)) : null
    const itemsLogged = finishedAfterRestart.reduce((a, h) => a + h.items, 0)
    const rate = (s: number | null): number | null => (s !== null && s > 0 ? hintedAtStart / s : null)

    const result = {
      bench: 'handoff',
      params: { objects: OBJECTS, valueBytes: VALUE_BYTES, readers: READERS, baselineS: BASELINE_S, loadConcurrency: LOAD_CONCURRENCY, readKeys: READ_KEYS, sample: sampleKeys.length },
      machine: { ...machine, loadAvgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      downDetectS: Math.round(downDetectS * 10) / 10,
      downDetectN3S: Math.round(downDetectN3S * 10) / 10,
      load: { seconds: loadSeconds, objectsPerSec: loadRate, failed: loadFailed, retries: loadRetries, errors: Object.fromEntries(loadErrors) },
      hintedKeysAfterLoad: hintedAfterLoad,
      hintedKeys,
      hintedByNode,
      hintedPartitions,
      hintedAtHandoffStart: hintedAtStart,
      restartAnsweredS: (restartAnsweredAt - restartAt) / 1000,
      n2UpSeenS: n2UpAt !== null ? (n2UpAt - restartAt) / 1000 : null,
      firstRunningSeenS: firstRunningAt !== null ? (firstRunningAt - restartAt) / 1000 : null,
      firstStartedS: firstStartedAt !== null ? (firstStartedAt - restartAt) / 1000 : null,
      drained: drainedAt !== null,
      handoffFromRunningS,
      handoffFromRestartS,
      handoffObjPerSecFromRunning: rate(handoffFromRunningS),
      handoffObjPerSecFromRestart: rate(handoffFromRestartS),
      lastHandoffFinishedLogS: lastFinishedLogAt !== null ? (lastFinishedLogAt - restartAt) / 1000 : null,
      handoffFinishedLogs: finishedAfterRestart.length,
      itemsLogged,
      maxRunningTransfers: maxRunning,
      peakSummedRate: peakRate,
      transferStatesSeen: Object.fromEntries(states),
      pollErrors,
      readsBaseline: base0,
      readsDuringHandoff: duringFromRunning,
      readsRestartToDrained: duringFromRestart,
      p99Ratio: duringFromRunning ? duringFromRunning.p99Ms / base0.p99Ms : null,
      p99RatioFromRestart: duringFromRestart.p99Ms / base0.p99Ms,
      readErrors: Object.fromEntries(reads.errorCodes),
      readNotFound: reads.notFound,
      sampleOnN2: onN2,
      sampleN2Primary: n2Primary,
      sampleChecked: sampled,
      sampleErrors,
      sampleMissing,
      finalHintedKeys: afterStatus ? totalHinted(afterStatus) : null,
      logWarnings: logs.byMsg,
      logNonJsonLines: logs.nonJson,
    }

    const rows: Array<[string, string]> = [
      ['machine', `${machine.cpus} cpus, ${machine.memGB} GB, node ${machine.node}, load ${machine.loadAvgStart.join('/')} → ${result.machine.loadAvgEnd.join('/')}`],
      ['n2 down detected after', `${fmt(downDetectS)} s by n1, ${fmt(downDetectN3S)} s by n3`],
      ['load (W=2, n2 down)', `${OBJECTS} × ${VALUE_BYTES} B in ${fmt(loadSeconds)} s = ${fmt(loadRate, 0)} obj/s, ${loadFailed} failed, ${loadRetries} retries`],
      ['hinted keys', `right after load ${hintedAfterLoad}; after baseline ${hintedKeys} in ${hintedPartitions} partitions (${Object.entries(hintedByNode).map(([n, k]) => `${n}:${k ?? '?'}`).join(' ')}); at handoff start ${hintedAtStart}`],
      ['n2 answering / seen up', `${fmt(result.restartAnsweredS)} s / ${fmt(result.n2UpSeenS)} s after restart`],
      ['first transfer running', `seen ${fmt(result.firstRunningSeenS)} s after restart (startedAt ${fmt(result.firstStartedS)} s)`],
      ['drained', drainedAt !== null ? `${fmt(handoffFromRestartS)} s after restart, ${fmt(handoffFromRunningS)} s after first running` : 'NO (timed out)'],
      ['handoff rate', `${fmt(result.handoffObjPerSecFromRunning, 0)} obj/s from first running, ${fmt(result.handoffObjPerSecFromRestart, 0)} obj/s from restart (${hintedAtStart} keys)`],
      ['last "handoff finished" log', `${fmt(result.lastHandoffFinishedLogS)} s after restart (${finishedAfterRestart.length} transfers, ${itemsLogged} items)`],
      ['reads baseline', `${fmt(base0.opsPerSec, 0)} ops/s  p50 ${fmt(base0.p50Ms, 2)}  p99 ${fmt(base0.p99Ms, 2)}  max ${fmt(base0.maxMs, 1)} ms  errors ${base0.errors}`],
      ['reads running→drained', duringFromRunning ? `${fmt(duringFromRunning.opsPerSec, 0)} ops/s  p50 ${fmt(duringFromRunning.p50Ms, 2)}  p99 ${fmt(duringFromRunning.p99Ms, 2)}  max ${fmt(duringFromRunning.maxMs, 1)} ms  errors ${duringFromRunning.errors}` : '-'],
      ['reads restart→drained', `${fmt(duringFromRestart.opsPerSec, 0)} ops/s  p50 ${fmt(duringFromRestart.p50Ms, 2)}  p99 ${fmt(duringFromRestart.p99Ms, 2)}  max ${fmt(duringFromRestart.maxMs, 1)} ms  errors ${duringFromRestart.errors}`],
      ['p99 during / baseline', `${fmt(result.p99Ratio, 2)} (from restart ${fmt(result.p99RatioFromRestart, 2)})`],
      ['read errors / not found', `${JSON.stringify(result.readErrors)} / ${reads.notFound}`],
      ['sample on n2', `${onN2}/${n2Primary} keys that have n2 as a primary (${sampleKeys.length} sampled, ${sampleErrors} errors)`],
      ['node log warnings', Object.keys(logs.byMsg).length ? Object.entries(logs.byMsg).map(([k, n]) => `${n}× ${k}`).join('; ') : 'none'],
    ]
    printReport(rows, result)
  } finally {
    await cleanup()
  }
}

runBench('handoff', main)
