/**
 * Fault injection with network namespaces (cluster/netns/netns.sh): three real nodes, each in its
 * own namespace and address on a private bridge; a client in the control namespace writes
 * through the client library, one node is partitioned away, W=2 writes still succeed and read
 * back from the majority, the partition heals and every primary replica converges.
 * Needs root, `ip netns`, veth, a bridge and iptables; otherwise it skips and says why.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { waitFor } from './harness/devCluster.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const SCRIPT = join(ROOT, 'cluster/netns/netns.sh')
const CLIENT = join(ROOT, 'cluster/netns/client.mjs')
// A prefix of its own, so a cluster an operator has up under the default prefix is left alone.
const env = { ...process.env, NETNS_PREFIX: `skvt${process.pid % 10000}` }

async function sh(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(SCRIPT, args, { env, timeout: 60_000 })
    return { code: 0, out: stdout + stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, out: (err.stdout ?? '') + (err.stderr ?? '') }
  }
}

interface Outcome { ok: number; failed: number; errors: Record<string, number>; missing: string[]; wrong: string[] }

/** The client workload, run inside the control namespace (the only place that reaches the nodes). */
async function client(op: string, node: number, prefix: string, from: number, to: number, q?: string): Promise<Outcome> {
  const r = await sh('exec', 'ctl', process.execPath, CLIENT, op, `10.77.0.${10 + node}:7001`, 'netns', prefix, String(from), String(to), ...(q ? [q] : []))
  if (r.code !== 0) throw new Error(`client ${op} on n${node} exited ${r.code}: ${r.out}`)
  return JSON.parse(r.out.trim().split('\n').pop()!) as Outcome
}

async function skipReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`
  const r = await sh('check')
  if (r.code === 0) return undefined
  return r.out.trim().replace(/^netns: /, '') || `netns.sh check exited ${r.code}`
}

const reason = await skipReason()
if (reason !== undefined) {
  process.stderr.write(`netns test skipped: ${reason}\n`)
  t.comment(`netns fault-injection test skipped: ${reason}`)
  t.test('netns fault injection', { skip: `needs root and network namespaces: ${reason}` }, async () => {})
} else {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-netns-'))
  t.teardown(async () => {
    await sh('down')
    rmSync(dir, { recursive: true, force: true })
  })

  t.test('3 nodes in namespaces: partition one away, W=2 with the rest, heal, converge', async (t) => {
    const up = await sh('up', '3', dir)
    t.equal(up.code, 0, up.out)
    await waitFor('every node answers a write from the control namespace', async () => {
      try {
        return (await client('put', 1, 'warm', 0, 1, 'all')).ok === 1
      } catch {
        return false
      }
    }, 20_000)

    const before = await client('put', 1, 'before', 0, 30, 'all')
    t.equal(before.ok, 30, `W=all before the partition: ${JSON.stringify(before.errors)}`)

    t.equal((await sh('partition', '3')).code, 0, 'n3 partitioned away')
    const during = await client('put', 1, 'during', 0, 60, '2')
    t.equal(during.ok, 60, `W=2 with n1 and n2 only: ${JSON.stringify(during.errors)}`)
    const read = await client('get', 2, 'during', 0, 60, '2')
    t.same([read.ok, read.missing, read.wrong], [60, [], []], 'the majority reads every write at R=2')
    // W=all may be met by fallback vnodes on n1 and n2 (sloppy quorum, as in Riak), so the
    // claim a partition must make true is that the primaries cannot all acknowledge.
    const all = await client('put', 1, 'all', 0, 3, 'pw=all')
    t.equal(all.failed, 3, `PW=all cannot be met while n3 is cut off: ${JSON.stringify(all.errors)}`)
    await t.rejects(client('get', 3, 'during', 0, 1, '1'), 'a client cannot reach n3')

    t.equal((await sh('heal')).code, 0, 'healed')
    const ms = await waitFor('every primary replica of the partition-time writes', async () => {
      const r = await client('replicas', 1, 'during', 0, 60)
      return r.failed === 0 && r.missing.length === 0
    }, 40_000)
    t.comment(`converged ${ms} ms after the heal`)
    const fromN3 = await client('get', 3, 'during', 0, 60, '1')
    t.same([fromN3.ok, fromN3.missing, fromN3.wrong], [60, [], []], 'n3 serves every partition-time write')

    t.equal((await sh('cut', '1', '2')).code, 0, 'partial partition: only n1<->n2')
    const partial = await client('put', 3, 'partial', 0, 20, '2')
    t.equal(partial.ok, 20, `W=2 through n3, which still reaches both: ${JSON.stringify(partial.errors)}`)
    t.equal((await sh('heal')).code, 0, 'healed the cut')
    t.equal((await sh('loss', '1', '3', '30')).code, 0, 'one-way loss n1 -> n3')
    // n3 coordinates, so n1's replies to it cross the lossy direction; TCP resends what is dropped.
    const lossy = await client('get', 3, 'partial', 0, 20, 'all')
    t.same([lossy.ok, lossy.missing], [20, []], `R=all through n3 under 30% loss from n1: ${JSON.stringify(lossy.errors)}`)
    const rules = await sh('exec', '1', process.env['IPTABLES'] ?? 'iptables', '-L', 'SKV', '-v', '-n', '-x')
    const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP/m.exec(rules.out)?.[1] ?? 0)
    t.ok(dropped > 0, `the loss rule dropped packets (${dropped})`)
    t.equal((await sh('heal')).code, 0, 'healed again')
    const done = await client('get', 1, 'partial', 0, 20, 'all')
    t.same([done.ok, done.missing], [20, []], 'R=all after the second heal')
  })
}
