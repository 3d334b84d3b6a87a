/**
 * 2i entries follow the objects through hinted handoff, between in-process nodes with heartbeats:
 * with a primary down, writes carrying indexes land on a fallback, and a query over the remaining
 * nodes still finds every key; once the primary is back and the hints are handed over, the
 * returned primary's vnode has every entry and no node keeps entries of a vnode it does not own.
 */
import t from 'tap'
import { encodeBKey } from '../src/core/hash.js'
import { preflist } from '../src/core/ring.js'
import { queryIndex } from '../src/kv/indexCoordinator.js'
import { checkIndexQuery } from '../src/kv/indexQuery.js'
import { kvPut } from '../src/kv/putFsm.js'
import { INDEX_PARTITION } from '../src/node/partitionSpace.js'
import { fieldPrefix, parseEntry } from '../src/node/secondaryIndexEntries.js'
import { scanIndex } from '../src/node/secondaryIndexScan.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'

// Generous: on a loaded machine a late heartbeat must not mark a live node down mid-test.
const DOWN_AFTER_MS = 1_500
let c: InProcessCluster

t.before(async () => {
  c = await inProcessCluster(4, {}, 16, 200, {
    heartbeat: { intervalMs: 100, timeoutMs: 500 },
    downAfterMs: DOWN_AFTER_MS,
    handoff: { checkIntervalMs: 100, batchSize: 3 },
  })
})
t.teardown(() => c.stop())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const idx = (name: string) => c.nodes.findIndex((n) => n.name === name)
const ring = () => c.nodes[0]!.env.ring()
const bk = (key: string) => ({ type: 'default', bucket: 'ih', key })

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await fn()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The vnodes whose 2i entries of field team_bin a node holds. */
async function entryVnodes(i: number): Promise<Set<number>> {
  const prefix = fieldPrefix('default', 'ih', 'team_bin')
  const out = new Set<number>()
  for await (const [k] of c.nodes[i]!.vnodes.backend.fold(INDEX_PARTITION, { after: prefix, before: Buffer.concat([prefix, Buffer.of(0xff)]) })) out.add(parseEntry(k, 'team_bin', prefix.length).vnode)
  return out
}

t.test('entries move with hinted data, and queries see every key throughout', async (t) => {
  const down = 'n2'
  const keys: string[] = []
  for (let i = 0; keys.length < 8; i++) if (preflist(ring(), bk(`k${i}`), 3)[1]!.node === down) keys.push(`k${i}`)
  const coord = c.nodes[idx(preflist(ring(), bk(keys[0]!), 3)[0]!.node)]!
  await c.down(idx(down))
  await waitFor('the detector to hold the node down', async () => !coord.env.isUp(down))
  for (const key of keys) {
    const content = { value: Buffer.from(key), contentType: 'text/plain', meta: {}, deleted: false, indexes: [['team_bin', 'red'] as [string, string]] }
    await kvPut(coord.env, { bk: bk(key), content, opts: { w: 3 } })
  }
  const q = checkIndexQuery({ type: 'default', bucket: 'ih', field: 'team_bin', start: 'red' })
  const found = async (from: typeof coord): Promise<string[]> => (await queryIndex(from.env, q)).results.map(([, k]) => k)
  t.same(await found(coord), [...keys].sort(), 'with a primary down, the plan over the others finds every key')

  await c.up(idx(down))
  const owner = c.nodes[idx(down)]!
  await waitFor('the hints handed over', async () => {
    for (const n of c.nodes) {
      for (const p of await n.vnodes.backend.partitions()) if (p < ring().q && ring().owners[p] !== n.name) return false
    }
    return true
  })
  for (const key of keys) {
    const p = preflist(ring(), bk(key), 3)[1]!.partition
    const found = await scanIndex(owner.vnodes.backend, ring().q, q, [{ vnode: p, partitions: Array.from({ length: ring().q }, (_, h) => h) }], 100)
    t.ok(found.some(([, k]) => k === key), `${key}: the returned primary's vnode ${p} has its entry`)
    t.ok(await owner.vnodes.backend.get(p, encodeBKey(bk(key))), `${key}: and its object`)
  }
  for (const [i, n] of c.nodes.entries()) {
    const strays = [...(await entryVnodes(i))].filter((v) => ring().owners[v] !== n.name)
    t.same(strays, [], `${n.name} keeps no entries of vnodes it does not own`)
  }
  // The returned node's detector may still hold a peer down for a moment: ask until its plan is whole.
  await waitFor('a query from the returned node', async () => (await found(owner).catch(() => [])).length === keys.length)
  t.same(await found(owner), [...keys].sort(), 'and a query from the returned node finds every key')
})
