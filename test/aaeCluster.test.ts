/**
 * Active anti-entropy across real node processes: 3 nodes, 5,000 keys written with W=3; node 2
 * is stopped, loses a third of its objects (`spinekv debug forget`, a disk that lost data: its
 * saved trees and metadata stay), and is started again. With no client reads, anti-entropy alone
 * must bring every key back to node 2 within 60 s — checked with `debug replicas` (which does not
 * repair) after the wait — and `cluster aae-status` must show the repairs.
 */
import t from 'tap'
import { connect, type SpineClient } from '../src/client/index.js'
import type { ClusterAae } from '../src/client/types.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'

let cluster: TestCluster
let c1: SpineClient

t.before(async () => {
  cluster = await startCluster(3)
  c1 = await connect({ seeds: [cluster.host(1)], routing: 'seed', maxRetries: 0, timeoutMs: 10_000 })
})

t.teardown(async () => {
  await c1?.close()
  await cluster.stop()
})

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--host', cluster.host(1), '--json'])
  if (r.code !== 0) throw new Error(`spinekv ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

const KEYS = Array.from({ length: 5_000 }, (_, i) => `p${i}`)
const sum = (a: ClusterAae, f: (m: NonNullable<ClusterAae['members'][number]['aae']>) => number) => a.members.reduce((s, m) => s + (m.aae ? f(m.aae) : 0), 0)

t.test('a node that lost a third of its objects gets every key back by anti-entropy, no reads', async (t) => {
  for (let i = 0; i < KEYS.length; i += 100) await Promise.all(KEYS.slice(i, i + 100).map((k) => c1.put('aae', k, `{"nhs":"${k}"}`, { w: 3 })))

  t.equal((await cli(['dev', 'stop', '--dir', cluster.dir, '--node', 'n2'])).code, 0, 'n2 stopped cleanly (its trees are saved)')
  const forgot = await cli(['debug', 'forget', '--data', `${cluster.dir}/n2`, '--fraction', '0.33', '--seed', '7', '--json'])
  t.equal(forgot.code, 0, forgot.stderr)
  const f = JSON.parse(forgot.stdout) as { objects: number; forgotten: number }
  t.ok(f.forgotten > f.objects * 0.3 && f.forgotten < f.objects * 0.36, `forgot ${f.forgotten} of ${f.objects} objects`)
  const started = Date.now()
  t.equal((await cli(['dev', 'start', '--dir', cluster.dir, '--node', 'n2'])).code, 0, 'n2 back')

  // Wait on anti-entropy's own view (no key is read): repairs made, then a quiet round.
  let status: ClusterAae | undefined
  let quietSince = 0
  while (Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 1_000))
    status = await cliJson<ClusterAae>(['cluster', 'aae-status'])
    const n2 = status.members.find((m) => m.node === 'n2')?.aae
    const repaired = sum(status, (a) => a.keysRepaired)
    const busy = !n2 || n2.partitions.some((p) => p.tree !== 'built' || p.verifying) || repaired < f.forgotten
    const quiet = !busy && status.members.every((m) => m.aae?.partitions.every((p) => p.lastOutcome === 'same' || p.lastOutcome === null))
    if (!quiet) quietSince = 0
    else if (!quietSince) quietSince = Date.now()
    else if (Date.now() - quietSince > 3_000) break
  }
  const ms = Date.now() - started
  t.ok(status, 'aae-status answered')
  t.pass(`anti-entropy settled ${ms} ms after the restart`)
  t.ok(ms < 60_000, 'within 60 s')
  const n2 = status!.members.find((m) => m.node === 'n2')!.aae!
  t.equal(n2.lostDetected > 0, true, `n2 found its saved trees no longer matched its data (${n2.lostDetected} vnodes)`)
  t.ok(sum(status!, (a) => a.keysRepaired) >= f.forgotten, `aae-status shows ${sum(status!, (a) => a.keysRepaired)} keys repaired`)
  const table = await cli(['cluster', 'aae-status', '--host', cluster.host(1)])
  t.match(table.stdout, /^n2\s+\d+\s+built\s/m, 'the table lists n2 partitions with built trees')
  t.match(table.stdout, /keys repaired/, 'and the repair totals')

  const missing: string[] = []
  for (let i = 0; i < KEYS.length; i += 1000) {
    const views = await cliJson<Array<{ key: string; replicas: Array<{ node: string; found: boolean }> }>>(['debug', 'replicas', 'aae', ...KEYS.slice(i, i + 1000)])
    for (const v of views) if (v.replicas.length !== 3 || !v.replicas.every((r) => r.found)) missing.push(v.key)
  }
  t.same(missing.slice(0, 20), [], `every key is on all 3 primaries (${missing.length} not)`)
  const stats = (await c1.admin('stats')) as { readRepairs: number }
  t.equal(stats.readRepairs, 0, 'no read repair on n1: nothing was read')
})
