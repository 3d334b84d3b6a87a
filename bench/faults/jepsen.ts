/**
 * One fault run, start to end: bring up the netns cluster, wait until every node answers, run the
 * clients (in the control namespace) and the nemesis together, let the cluster settle after the
 * last heal, read every set from every node, tear the namespaces down, then check the history
 * and write the reports. Whatever happens, the namespaces are removed before it returns.
 */
import { once } from 'node:events'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { JEPSEN } from '../../src/config.js'
import { availabilitySvg } from './chart.js'
import { check, type Verdict } from './checker.js'
import { appendJsonLine, readJsonLines, type FaultRecord, type Op, type RunInfo } from './history.js'
import { runNemesis } from './nemesis.js'
import { Netns, repoRoot } from './netns.js'
import type { JepsenOptions } from './options.js'
import { writeReports } from './report.js'
import { planFaults } from './schedule.js'
import type { WorkerConfig } from './worker.js'

export type JepsenOutcome = { skipped: string } | { dir: string; run: RunInfo; faults: FaultRecord[]; verdict: Verdict }

/** Why this machine cannot run it (not root, no namespaces, no iptables), or undefined. */
export async function cannotRun(net: Netns): Promise<string | undefined> {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`
  const r = await net.sh(['check'])
  return r.code === 0 ? undefined : r.out.trim().replace(/^netns: /, '') || `netns.sh check exited ${r.code}`
}

async function exitOf(child: ChildProcess, limitMs: number): Promise<number> {
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
    return code ?? (signal ? 128 : 1)
  } finally {
    clearTimeout(timer)
  }
}

export async function runJepsen(o: JepsenOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<JepsenOutcome> {
  const net = new Netns(o.prefix)
  const reason = await cannotRun(net)
  if (reason !== undefined) return { skipped: reason }
  const worker = join(repoRoot(), 'dist/bench/faults/worker.js')
  if (!existsSync(worker)) throw new Error(`no ${worker}; run npm run build first`)

  const dir = resolve(o.out)
  mkdirSync(dir, { recursive: true })
  const files = { history: join(dir, 'history.jsonl'), faults: join(dir, 'faults.jsonl'), cluster: join(dir, 'cluster') }
  for (const f of [files.history, files.faults]) rmSync(f, { force: true })
  const nodes = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`)
  const keys = Array.from({ length: o.keys }, (_, i) => `set-${i}`)
  const plan = planFaults({ seed: o.seed, durationMs: o.durationMs, nodes, kinds: o.kinds, quietMs: o.quietMs, faultMs: o.faultMs, lossPercent: o.lossPercent })
  const faults: FaultRecord[] = []
  const config = (over: Partial<WorkerConfig>): string => {
    const cfg: WorkerConfig = {
      nodes: nodes.map((name) => ({ name, addr: `${net.addr(name)}:7001` })),
      clients: o.clients, keys, bucket: 'jepsen', ratePerClient: o.ratePerClient, readFraction: o.readFraction,
      seed: o.seed, timeoutMs: JEPSEN.opTimeoutMs, startAt: 0, until: 0, deadline: 0, history: files.history, ...over,
    }
    const file = join(dir, 'worker.json')
    writeFileSync(file, JSON.stringify(cfg, null, 2))
    return file
  }
  const inCtl = (mode: string, file: string) => net.spawnInCtl(process.execPath, [worker, mode, file])

  let run: RunInfo
  try {
    log(`jepsen: ${o.nodes} nodes in namespaces ${o.prefix}-n1..; run directory ${dir}`)
    await net.must(['up', String(o.nodes), files.cluster])
    const warm = await exitOf(inCtl('warmup', config({ deadline: Date.now() + JEPSEN.warmupDeadlineMs })), JEPSEN.warmupDeadlineMs + 10_000)
    if (warm !== 0) throw new Error(`the cluster did not answer on every node within ${JEPSEN.warmupDeadlineMs} ms (logs in ${files.cluster})`)

    // The worker takes about a second to start in the namespace; the workload and the nemesis begin together after it.
    const start = Date.now() + JEPSEN.workerStartMs
    const until = start + o.durationMs + o.settleMs
    log(`jepsen: workload for ${(o.durationMs + o.settleMs) / 1000} s, ${plan.length} faults planned`)
    const clients = inCtl('run', config({ startAt: start, until }))
    const nemesis = runNemesis(plan, start, net, (f) => {
      faults.push(f)
      appendJsonLine(files.faults, f)
    }, log)
    // Worker gone early (it crashed): stop the nemesis rather than fault a cluster nobody uses.
    const clientsDone = exitOf(clients, until - Date.now() + 60_000).finally(() => nemesis.stop())
    const lastHeal = await nemesis.done
    await net.must(['heal'])
    const code = await clientsDone
    if (code !== 0) throw new Error(`the client worker exited ${code}`)
    log('jepsen: final reads (R=all, every node)')
    const finalDeadline = Date.now() + JEPSEN.finalReadDeadlineMs
    await exitOf(inCtl('final', config({ deadline: finalDeadline })), JEPSEN.finalReadDeadlineMs + 60_000)
    run = { seed: o.seed, nodes, clients: o.clients, keys, ratePerClient: o.ratePerClient, readFraction: o.readFraction, start, end: until, lastHeal, command: o.command }
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run, null, 2) + '\n')
  } finally {
    await net.sh(['down'])
    if (!o.keepData) for (const n of nodes) rmSync(join(files.cluster, n), { recursive: true, force: true })
  }

  const ops = readJsonLines<Op>(files.history)
  const verdict = check({ ops, faults, start: run.start, end: run.end, nodes, keys, gapMs: JEPSEN.unavailableGapMs })
  writeReports(dir, run, faults, verdict)
  const title = `spinekv fault run, seed ${o.seed}: ${o.nodes} nodes, ${o.clients} clients — ${verdict.lost.count} acknowledged adds lost, ${verdict.stale.count} stale reads`
  writeFileSync(join(dir, 'availability.svg'), availabilitySvg({ ops, faults, windows: verdict.unavailability.windows, start: run.start, end: run.end, bucketMs: JEPSEN.chartBucketMs, title }))
  return { dir, run, faults, verdict }
}
