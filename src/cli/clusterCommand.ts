/** `spinekv cluster status|transfers`: the operator's view of members and handoffs. */
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { connect } from '../client/client.js'
import type { ClusterAae, ClusterTransfers, TransferView } from '../client/types.js'
import { CLI } from '../config.js'
import type { RingView } from '../node/membershipOps.js'
import { HOST_HELP, hostOf, withClient } from './client.js'
import { fail, printJson, table } from './format.js'
import { stateOf, transfersTable } from './transfersTable.js'

interface Common {
  host?: string
  json?: boolean
}

function common(cmd: Command): Command {
  return cmd
    .option('--host <host:port>', HOST_HELP)
    .option('--json', 'JSON output')
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('cluster membership and handoff')
  common(cluster.command('join <seed>').description('run against the NEW node (--host): join the cluster of SEED_HOST:CLUSTER_PORT (staged until commit)')).action(
    (seed: string, o: Common) => membership(o, 'join', { seed }).catch(fail),
  )
  common(cluster.command('leave [node]').description('stage NODE (default: the asked node) to hand off its partitions and leave')).action(
    (node: string | undefined, o: Common) => membership(o, 'leave', { node: node ?? null }).catch(fail),
  )
  common(cluster.command('force-remove <node>').description('stage removing a dead NODE at once; its partitions go to others without a copy (replicas remain)')).action(
    (node: string, o: Common) => membership(o, 'force-remove', { node }).catch(fail),
  )
  common(cluster.command('replace <old> <new>').description('stage NEW (joined first) to take over exactly the partitions of OLD')).action(
    (old: string, by: string, o: Common) => membership(o, 'replace', { node: old, by }).catch(fail),
  )
  common(cluster.command('plan').description('the staged changes and every partition transfer they imply')).action((o: Common) => membership(o, 'plan').catch(fail))
  common(cluster.command('commit').description('apply the staged changes: partitions start moving')).action((o: Common) => membership(o, 'commit').catch(fail))
  common(cluster.command('clear').description('drop the staged changes')).action((o: Common) => membership(o, 'clear').catch(fail))
  common(cluster.command('ring').description('ownership per node, balance, ring version and checksum, and whether every node agrees')).action((o: Common) =>
    ring(o).catch(fail),
  )
  common(cluster.command('status').description('members, up/down as the asked node sees them, partitions owned, hinted data held')).action((o: Common) =>
    status(o).catch(fail),
  )
  common(cluster.command('aae-status').description('active anti-entropy per partition: tree state, last exchange, keys repaired, on every member'))
    .option('--node <name>', 'only this member')
    .action((o: Common & { node?: string }) => aaeStatus(o).catch(fail))
  common(cluster.command('transfers').description('handoffs running, waiting (for a slot), retrying (the last attempt failed: says why) and blocked (owner down), cluster-wide'))
    .option('--local', "only the asked node's own handoffs")
    .option('--watch', 'in a terminal: progress bars, refreshed until no handoff is left')
    .action((o: Common & { local?: boolean; watch?: boolean }) => transfers(o).catch(fail))
}

interface RingReply {
  ring: { version: number; members: Array<{ name: string; status: string }>; next: unknown[]; staged: Array<{ kind: string; node: string; by?: string }> }
  plan?: { members: Array<{ name: string; status: string }>; owners: string[]; moves: Array<{ partition: number; from: string; to: string }>; reassigned: Array<{ partition: number; from: string; to: string }> }
}

async function membership(o: Common, op: string, args: Record<string, unknown> = {}): Promise<void> {
  const r = (await withClient(o, (c) => c.admin(op, args, CLI.membershipTimeoutMs))) as RingReply
  if (o.json) return printJson(r)
  const staged = r.ring.staged.map((s) => `${s.kind} ${s.node}${s.by ? ` by ${s.by}` : ''}`)
  if (op === 'plan' || op === 'commit') return printPlan(op, staged, r)
  process.stdout.write(`${op}: ok (ring version ${r.ring.version}); staged: ${staged.length ? staged.join(', ') : 'nothing'}\n`)
  if (op !== 'clear' && staged.length) process.stdout.write('review with `spinekv cluster plan`, apply with `spinekv cluster commit`\n')
}

function printPlan(op: string, staged: string[], r: RingReply): void {
  const p = r.plan
  if (op === 'plan') process.stdout.write(`staged changes: ${staged.length ? staged.join(', ') : 'nothing'}\n`)
  if (!p) return void process.stdout.write('nothing to apply\n')
  const owned = new Map<string, number>()
  for (const o of p.owners) owned.set(o, (owned.get(o) ?? 0) + 1)
  process.stdout.write(table(['member', 'status', 'partitions after'], p.members.map((m) => [m.name, m.status, owned.get(m.name) ?? 0])) + '\n')
  process.stdout.write(`${p.moves.length} partition transfers${p.reassigned.length ? `, ${p.reassigned.length} partitions reassigned without a copy (force-remove)` : ''}:\n`)
  if (p.moves.length) process.stdout.write(table(['partition', 'from', 'to'], p.moves.map((m) => [m.partition, m.from, m.to])) + '\n')
  if (op === 'commit') process.stdout.write(`committed: ring version ${r.ring.version}; follow with \`spinekv cluster transfers\`\n`)
}

async function ring(o: Common): Promise<void> {
  const r = (await withClient(o, (c) => c.admin('clusterRing'))) as RingView
  if (o.json) return printJson(r)
  process.stdout.write(`ring of ${r.q} partitions, version ${r.version}, checksum ${r.checksum}, claimant ${r.claimant ?? 'none'} (asked ${r.node})\n`)
  const seen = new Map(r.agreement.map((a) => [a.node, a]))
  const rows = r.members.map((m) => {
    const a = seen.get(m.node)
    return [m.node, m.status, m.partitions, `${m.percent.toFixed(1)}%`, a?.checksum ?? 'no answer', a?.checksum === r.checksum ? 'yes' : 'no']
  })
  process.stdout.write(table(['member', 'status', 'partitions', 'ring', 'checksum', 'agrees'], rows) + '\n')
  process.stdout.write(`balance: max-min ${r.balance} partitions; pending transfers ${r.pending.length}; staged ${r.staged.length}; all agree: ${r.agreed ? 'yes' : 'no'}\n`)
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
  process.stdout.write(transfersTable(t, Date.now()))
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
        const payload = { id, rate: x.rate, state: x.lastError ? `${stateOf(x, Date.now())} (last: ${x.lastError})` : x.state }
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

async function aaeStatus(o: Common & { node?: string }): Promise<void> {
  const r = (await withClient(o, (c) => c.admin('aaeStatus'))) as ClusterAae
  const members = o.node ? r.members.filter((m) => m.node === o.node) : r.members
  if (o.json) return printJson({ ...r, members })
  const ago = (t: number | null) => (t === null ? 'never' : `${Math.max(0, Math.round((Date.now() - t) / 1000))}s ago`)
  const rows = members.flatMap((m) =>
    m.aae
      ? m.aae.partitions.map((p) => [m.node, p.partition, p.tree + (p.verifying ? ' (verifying)' : ''), ago(p.lastExchangeAt), p.lastPeer ?? '-', p.lastOutcome ?? '-', p.lastRepaired, p.keysRepaired])
      : [[m.node, '-', `unreachable (${m.error ?? '?'})`, '', '', '', '', '']],
  )
  process.stdout.write(table(['member', 'partition', 'tree', 'last exchange', 'with', 'outcome', 'repaired last', 'repaired total'], rows) + '\n')
  for (const m of members) {
    if (!m.aae) continue
    const a = m.aae
    process.stdout.write(`${m.node}: exchanges ${a.enabled ? 'on' : 'OFF'}, ${a.exchanges} run, ${a.keysRepaired} keys repaired, ${a.repairsSkipped} repairs skipped, trees ${(a.treeBytes / 1024 / 1024).toFixed(1)} MiB${a.lostDetected ? `, ${a.lostDetected} vnode(s) found data lost while stopped` : ''}\n`)
  }
}
