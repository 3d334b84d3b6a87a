/** `spinekv jepsen` / `node dist/bench/faults/run.js`: the flags, their defaults and their bounds. */
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JEPSEN } from '../../src/config.js'
import { intArg } from '../../src/cli/parse.js'
import { usage } from '../../src/cli/format.js'
import type { FaultKind } from './history.js'
import { FAULT_KINDS } from './schedule.js'

export interface JepsenOptions {
  nodes: number
  clients: number
  ratePerClient: number
  keys: number
  durationMs: number
  settleMs: number
  seed: number
  kinds: FaultKind[]
  quietMs: [number, number]
  faultMs: [number, number]
  readFraction: number
  lossPercent: number
  out: string
  /** NETNS_PREFIX: the run's namespaces are PREFIX-ctl and PREFIX-n1.. */
  prefix: string
  keepData: boolean
  command: string
}

export function defaultOptions(over: Partial<JepsenOptions> = {}): JepsenOptions {
  return {
    nodes: JEPSEN.defaultNodes,
    clients: JEPSEN.defaultClients,
    ratePerClient: JEPSEN.defaultRatePerClient,
    keys: JEPSEN.defaultKeys,
    durationMs: JEPSEN.defaultDurationS * 1000,
    settleMs: JEPSEN.settleMs,
    seed: JEPSEN.defaultSeed,
    kinds: [...FAULT_KINDS],
    quietMs: [JEPSEN.quietMinMs, JEPSEN.quietMaxMs],
    faultMs: [JEPSEN.faultMinMs, JEPSEN.faultMaxMs],
    readFraction: JEPSEN.defaultReadFraction,
    lossPercent: JEPSEN.lossPercent,
    out: join(tmpdir(), `spinekv-jepsen-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    prefix: 'skvj',
    keepData: false,
    command: 'spinekv jepsen',
    ...over,
  }
}

/** "LO-HI" seconds (or one number) to a millisecond range. */
function rangeArg(name: string, v: string | undefined, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(v)
  const lo = Number(m?.[1])
  const hi = Number(m?.[2] ?? m?.[1])
  if (!m || lo > hi || hi > JEPSEN.maxDurationS) usage(`--${name} must be seconds, LO-HI (e.g. 5-10), got "${v}"`)
  return [Math.round(lo * 1000), Math.round(hi * 1000)]
}

function kindsArg(v: string | undefined): FaultKind[] {
  if (v === undefined) return [...FAULT_KINDS]
  const kinds = v.split(',').map((k) => k.trim()).filter(Boolean)
  const bad = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind))
  if (bad.length || kinds.length === 0) usage(`--faults takes a comma-separated list of ${FAULT_KINDS.join(', ')}; got "${v}"`)
  return kinds as FaultKind[]
}

function fractionArg(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!/^\d*\.?\d+$/.test(v) || n < 0 || n > 1) usage(`--${name} must be a fraction in 0..1, got "${v}"`)
  return n
}

export function jepsenCommand(onRun: (o: JepsenOptions) => Promise<void>): Command {
  return new Command('jepsen')
    .description('a Jepsen-style fault run on a netns cluster (root): set-add workload, nemesis, checker; history, report.md and availability.svg in --out')
    .option('--nodes <n>', `nodes, each in its own network namespace (${JEPSEN.minNodes}..${JEPSEN.maxNodes}, default ${JEPSEN.defaultNodes})`)
    .option('--clients <n>', `concurrent clients (default ${JEPSEN.defaultClients})`)
    .option('--rate <ops/s>', `most operations a second per client (default ${JEPSEN.defaultRatePerClient})`)
    .option('--keys <n>', `set keys (default ${JEPSEN.defaultKeys})`)
    .option('--duration <s>', `seconds of workload under faults (default ${JEPSEN.defaultDurationS})`)
    .option('--settle <s>', `seconds of workload after the last heal (default ${JEPSEN.settleMs / 1000})`)
    .option('--seed <n>', `seeds the fault plan and the clients' choices (default ${JEPSEN.defaultSeed})`)
    .option('--faults <kinds>', `which faults, comma-separated (default ${FAULT_KINDS.join(',')})`)
    .option('--quiet <lo-hi>', `seconds between faults (default ${JEPSEN.quietMinMs / 1000}-${JEPSEN.quietMaxMs / 1000})`)
    .option('--fault-length <lo-hi>', `seconds each fault lasts (default ${JEPSEN.faultMinMs / 1000}-${JEPSEN.faultMaxMs / 1000})`)
    .option('--read-fraction <f>', `share of plain reads (default ${JEPSEN.defaultReadFraction})`)
    .option('--loss <pct>', `packets the one-way loss fault drops (default ${JEPSEN.lossPercent})`)
    .option('--out <dir>', 'run directory: history.jsonl, faults.jsonl, report.json, report.md, availability.svg, node logs (default a new one in the temp dir)')
    .option('--prefix <name>', 'namespace prefix (NETNS_PREFIX) of this run (default skvj)')
    .option('--keep-data', 'keep the nodes\' data directories (logs are always kept)')
    .action(async (f: Record<string, string | boolean | undefined>) => {
      const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined)
      const d = defaultOptions()
      const prefix = str('prefix') ?? d.prefix
      if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) usage(`--prefix must be 1-8 lowercase letters and digits, got "${prefix}"`)
      await onRun({
        nodes: intArg('nodes', str('nodes'), JEPSEN.minNodes, JEPSEN.maxNodes) ?? d.nodes,
        clients: intArg('clients', str('clients'), 1, JEPSEN.maxClients) ?? d.clients,
        ratePerClient: intArg('rate', str('rate'), 1, JEPSEN.maxRatePerClient) ?? d.ratePerClient,
        keys: intArg('keys', str('keys'), 1, JEPSEN.maxKeys) ?? d.keys,
        durationMs: (intArg('duration', str('duration'), 1, JEPSEN.maxDurationS) ?? d.durationMs / 1000) * 1000,
        settleMs: (intArg('settle', str('settle'), 0, JEPSEN.maxDurationS) ?? d.settleMs / 1000) * 1000,
        seed: intArg('seed', str('seed'), 0, 2 ** 31) ?? d.seed,
        kinds: kindsArg(str('faults')),
        quietMs: rangeArg('quiet', str('quiet'), d.quietMs),
        faultMs: rangeArg('fault-length', str('faultLength'), d.faultMs),
        readFraction: fractionArg('read-fraction', str('readFraction'), d.readFraction),
        lossPercent: intArg('loss', str('loss'), 1, 100) ?? d.lossPercent,
        out: str('out') ?? d.out,
        prefix,
        keepData: f['keepData'] === true,
        command: `spinekv jepsen ${process.argv.slice(2).join(' ')}`.trim(),
      })
    })
}
