/** `spinekv cluster status|transfers`: the operator's view of members and handoffs. */
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { connect, type SpineClient } from '../client/client.js'
import type { ClusterTransfers, TransferView } from '../client/types.js'
import { CLI, CLIENT } from '../config.js'
import { fail, printJson, table } from './format.js'

interface Common {
  host?: string
  json?: boolean
}

function hostOf(o: Common): string {
  return o.host ?? process.env.SPINEKV_HOST ?? `127.0.0.1:${CLIENT.defaultPort}`
}

async function withClient<T>(o: Common, fn: (c: SpineClient) => Promise<T>): Promise<T> {
  const client = await connect({ seeds: [hostOf(o)], routing: 'seed', maxRetries: 0 })
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

function common(cmd: Command): Command {
  return cmd
    .option('--host <host:port>', `client port of the node to ask (env SPINEKV_HOST, default 127.0.0.1:${CLIENT.defaultPort})`)
    .option('--json', 'JSON output')
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('cluster membership and handoff')
  common(cluster.command('status').description('members, up/down as the asked node sees them, partitions owned, hinted data held')).action((o: Common) =>
    status(o).catch(fail),
  )
  common(cluster.command('transfers').description('handoffs running, waiting (for a slot) and blocked (owner down), cluster-wide'))
    .option('--local', "only the asked node's own handoffs")
    .option('--watch', 'in a terminal: progress bars, refreshed until no handoff is left')
    .action((o: Common & { local?: boolean; watch?: boolean }) => transfers(o).catch(fail))
}

async function status(o: Common): Promise<void> {
  const s = await withClient(o, (c) => c.status())
  if (o.json) return printJson(s)
  const dash = (v: number | null) => (v === null ? '-' : String(v))
  const rows = s.members.map((m) => [
    m.node,
    m.status,
    m.up ? 'up' : 'down',
    m.partitions,
    `${m.ringPercent.toFixed(1)}%`,
    dash(m.hintedKeys),
    dash(m.hintedPartitions),
    m.reachable ? '' : `unreachable (${m.error ?? '?'})`,
  ])
  process.stdout.write(`ring of ${s.q} partitions, as seen from ${s.node}\n`)
  process.stdout.write(table(['member', 'status', 'seen', 'partitions', 'ring', 'hinted keys', 'hinted partitions', ''], rows) + '\n')
}

async function transfers(o: Common & { local?: boolean; watch?: boolean }): Promise<void> {
  if (o.watch && !o.json && process.stdout.isTTY) return watch(o)
  const t = await withClient(o, (c) => c.transfers({ local: o.local }))
  if (o.json) return printJson(t)
  printTransfers(t)
}

function printTransfers(t: ClusterTransfers): void {
  if (t.transfers.length === 0) process.stdout.write('no transfers running or waiting\n')
  else {
    const rows = t.transfers.map((x) => [x.kind, x.partition, x.from, x.to, x.state, `${x.itemsSent}/${x.itemsTotal}`, x.state === 'running' ? `${x.rate}/s` : '', bar(x)])
    process.stdout.write(table(['kind', 'partition', 'from', 'to', 'state', 'items', 'rate', 'progress'], rows) + '\n')
  }
  if (t.unreachable.length) process.stdout.write(`not answering: ${t.unreachable.join(', ')} (their handoffs are not shown)\n`)
}

/** A static bar for the one-shot table: 20 cells of the items sent so far. */
function bar(x: TransferView): string {
  if (x.state !== 'running' || x.itemsTotal === 0) return ''
  const cells = Math.min(20, Math.round((20 * x.itemsSent) / x.itemsTotal))
  return `[${'#'.repeat(cells)}${'.'.repeat(20 - cells)}]`
}

/** Live progress bars, one per running transfer, until nothing is running, waiting or blocked. */
async function watch(o: Common & { local?: boolean }): Promise<void> {
  const client = await connect({ seeds: [hostOf(o)], routing: 'seed', maxRetries: 0 })
  const multi = new cliProgress.MultiBar(
    { format: ' {id} [{bar}] {value}/{total} {rate}/s {state}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  )
  const bars = new Map<string, cliProgress.SingleBar>()
  try {
    for (;;) {
      const t = await client.transfers({ local: o.local })
      for (const x of t.transfers) {
        const id = `${x.kind} p${x.partition} ${x.from}->${x.to}`
        const payload = { id, rate: x.rate, state: x.state }
        const b = bars.get(id) ?? multi.create(Math.max(1, x.itemsTotal), 0, payload)
        bars.set(id, b)
        b.setTotal(Math.max(1, x.itemsTotal, x.itemsSent))
        b.update(x.itemsSent, payload)
      }
      if (t.transfers.length === 0) break
      await new Promise((r) => setTimeout(r, CLI.watchIntervalMs))
    }
  } finally {
    multi.stop()
    await client.close()
  }
  process.stdout.write('no transfers running or waiting\n')
}
