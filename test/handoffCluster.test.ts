/**
 * Hinted handoff across real node processes: kill -9 one of three nodes, write 500 keys with
 * W=2 through node 1 (sloppy quorum puts each third copy on a fallback), bring the node back,
 * and within 30 s every key is on all three primaries — by handoff alone, no client reads — with
 * nothing left pending and no hinted data left on the fallbacks. Observed only through the
 * operator's CLI (`cluster status`, `cluster transfers`, `debug replicas`).
 */
import t from 'tap'
import { connect, type SpineClient } from '../src/client/index.js'
import type { ClusterStatus, ClusterTransfers } from '../src/client/types.js'
import { cli, startCluster, type TestCluster, cliJsonAt, waitFor } from './harness/devCluster.js'

let cluster: TestCluster
let c1: SpineClient

t.before(async () => {
  cluster = await startCluster(3)
  c1 = await connect({ seeds: [cluster.host(1)], routing: 'seed', maxRetries: 0, timeoutMs: 5_000 })
})

t.teardown(async () => {
  await c1?.close()
  await cluster.stop()
})

const cliJson = <T>(args: string[]): Promise<T> => cliJsonAt<T>(cluster.host(1), args)

const member = (s: ClusterStatus, node: string) => s.members.find((m) => m.node === node)!
const hintedTotal = (s: ClusterStatus) => s.members.reduce((n, m) => n + (m.hintedKeys ?? 0), 0)
const KEYS = Array.from({ length: 500 }, (_, i) => `k${i}`)

t.test('kill -9 a node, write 500 keys with W=2, restart it: handoff brings every key home', async (t) => {
  t.equal((await cli(['dev', 'stop', '--dir', cluster.dir, '--node', 'n2', '--kill'])).code, 0)
  await waitFor('n1 to see n2 down', async () => !member(await cliJson<ClusterStatus>(['cluster', 'status']), 'n2').up, 20_000)

  for (let i = 0; i < KEYS.length; i += 50) {
    await Promise.all(KEYS.slice(i, i + 50).map((k) => c1.put('hh', k, `value-${k}`, { w: 2 })))
  }
  const during = await cliJson<ClusterStatus>(['cluster', 'status'])
  t.equal(member(during, 'n2').reachable, false, 'status shows n2 unreachable')
  t.ok(hintedTotal(during) >= KEYS.length * 0.9, `fallbacks hold hinted copies (${hintedTotal(during)} keys)`)
  const table = await cli(['cluster', 'status', '--host', cluster.host(1)])
  t.match(table.stdout, /^n2\s+valid\s+down\s+\d+\s+[\d.]+%\s+-\s+-\s+unreachable/m, 'the table shows n2 down and unreachable')
  // Listed from the next handoff check (every HANDOFF.checkIntervalMs).
  let blocked: ClusterTransfers | undefined
  await waitFor('hinted partitions to be listed', async () => {
    blocked = await cliJson<ClusterTransfers>(['cluster', 'transfers'])
    return blocked.transfers.length > 0
  }, 15_000)
  t.ok(blocked!.transfers.every((x) => x.state === 'blocked' && x.to === 'n2'), 'hinted partitions wait, blocked on n2')

  t.equal((await cli(['dev', 'start', '--dir', cluster.dir, '--node', 'n2'])).code, 0)
  const ms = await waitFor(
    'transfers to drain and the fallbacks to empty',
    async () => {
      const tr = await cliJson<ClusterTransfers>(['cluster', 'transfers'])
      const st = await cliJson<ClusterStatus>(['cluster', 'status'])
      return tr.transfers.length === 0 && tr.unreachable.length === 0 && st.members.every((m) => m.reachable && m.hintedKeys === 0)
    },
    30_000,
  )
  t.pass(`handoff finished ${ms} ms after the restart`)

  const views = await cliJson<Array<{ key: string; replicas: Array<{ node: string; found: boolean }> }>>(['debug', 'replicas', 'hh', ...KEYS])
  const incomplete = views.filter((v) => v.replicas.length !== 3 || !v.replicas.every((r) => r.found)).map((v) => v.key)
  t.same(incomplete, [], 'every key is on all 3 primaries (debug replicas does not repair)')
  // With 3 nodes and 64 partitions one window across the wrap lacks n2 (docs/decisions.md).
  const onN2 = views.filter((v) => v.replicas.some((r) => r.node === 'n2' && r.found)).length
  t.ok(onN2 > KEYS.length * 0.9, `n2 now holds the ${onN2} keys it is a primary for`)
  const values = await Promise.all(KEYS.slice(0, 20).map(async (k) => (await c1.get('hh', k, { r: 3, pr: 3 })).value?.toString()))
  t.same(values, KEYS.slice(0, 20).map((k) => `value-${k}`), 'and the values read back with PR=3')
})
