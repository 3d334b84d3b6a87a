/**
 * Dynamic membership across real node processes, driven only through the operator's CLI: a
 * 3-node cluster with 2,000 keys and a writer running grows to 4 (`dev add`, `cluster join`,
 * `plan`, `commit`) and, once transfers finish, every node agrees on a balanced ring and every
 * acknowledged key reads with R=3, PR=3; then n1 leaves (`leave`, `plan`, `commit`), hands off
 * and exits by itself, and every acknowledged key still reads with PR=3 on the 3 that remain.
 */
import t from 'tap'
import { connect, type SpineClient } from '../src/client/index.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'

let cluster: TestCluster
let client: SpineClient

t.before(async () => {
  cluster = await startCluster(3)
  // The writer and the checks go through n2, which stays in the cluster throughout.
  client = await connect({ seeds: [cluster.host(2)], routing: 'seed', maxRetries: 0, timeoutMs: 10_000 })
})

t.teardown(async () => {
  await client?.close()
  await cluster.stop()
})

interface RingInfo {
  version: number
  checksum: string
  members: Array<{ node: string; status: string; partitions: number }>
  pending: unknown[]
  agreed: boolean
  agreement: Array<{ node: string; checksum: string | null }>
}

async function run(args: string[], host = cluster.host(2)): Promise<string> {
  const r = await cli([...args, '--host', host])
  if (r.code !== 0) throw new Error(`spinekv ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

const ringInfo = async (host?: string) => JSON.parse(await run(['cluster', 'ring', '--json'], host)) as RingInfo

async function waitFor(what: string, fn: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now()
  while (!(await fn().catch(() => false))) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
  return Date.now() - started
}

/** Writes new keys until stopped; remembers those acknowledged. */
function startWriter(prefix: string) {
  const acked: string[] = []
  let failures = 0
  let stop = false
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const key = `${prefix}${i}`
      try {
        await client.put('m', key, `v-${key}`, { w: 2 })
        acked.push(key)
        // Paced (at most ~200 writes/s): a steady load through the transfers, and a key set the
        // checks below can verify in seconds rather than minutes.
        await new Promise((r) => setTimeout(r, 5))
      } catch {
        failures++
      }
    }
  })()
  return {
    acked,
    failures: () => failures,
    stop: async () => {
      stop = true
      await done
    },
  }
}

/**
 * Keys missing from any of their primaries' own stores (`debug replicas` neither merges nor
 * repairs): a read with PR=3 alone would not notice, as a primary's notfound counts as a reply.
 */
async function missingCopies(keys: string[]): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < keys.length; i += 1000) {
    const views = JSON.parse(await run(['debug', 'replicas', 'm', ...keys.slice(i, i + 1000), '--json'])) as Array<{ key: string; replicas: Array<{ found: boolean }> }>
    for (const v of views) if (v.replicas.length !== 3 || !v.replicas.every((r) => r.found)) out.push(v.key)
  }
  return out
}

async function unreadable(keys: string[], opts: { r?: number; pr?: number }): Promise<string[]> {
  const bad: string[] = []
  for (let i = 0; i < keys.length; i += 100) {
    const res = await Promise.all(keys.slice(i, i + 100).map(async (k) => ({ k, v: await client.get('m', k, opts).then((g) => g.value?.toString(), () => 'error') })))
    for (const { k, v } of res) if (v !== `v-${k}`) bad.push(k)
  }
  return bad
}

t.test('grow 3 -> 4 under writes, then n1 leaves', async (t) => {
  const base = Array.from({ length: 2000 }, (_, i) => `k${i}`)
  for (let i = 0; i < base.length; i += 100) await Promise.all(base.slice(i, i + 100).map((k) => client.put('m', k, `v-${k}`, { w: 3 })))
  const writer = startWriter('w')

  const added = JSON.parse((await cli(['dev', 'add', '--dir', cluster.dir, '--json'])).stdout) as { name: string; clientPort: number }
  t.equal(added.name, 'n4')
  const n4 = `127.0.0.1:${added.clientPort}`
  await run(['cluster', 'join', `127.0.0.1:${cluster.basePort + 10}`], n4)
  const plan = await run(['cluster', 'plan'])
  t.match(plan, /join n4/, 'the plan lists the staged join')
  t.match(plan, /\d+ partition transfers/, 'and the transfers it implies')
  await run(['cluster', 'commit'])
  const grew = await waitFor('transfers to finish and every node to agree', async () => {
    const r = await ringInfo()
    return r.pending.length === 0 && r.agreed && r.members.length === 4
  }, 120_000)
  t.pass(`3 -> 4 settled ${grew} ms after commit`)
  const r4 = await ringInfo(n4)
  t.same(r4.members.map((m) => m.node), ['n1', 'n2', 'n3', 'n4'])
  t.ok(r4.members.every((m) => m.status === 'valid' && Math.abs(m.partitions - 16) <= 1), `16±1 partitions each: ${r4.members.map((m) => m.partitions).join(', ')}`)
  t.ok(r4.agreed && r4.agreement.every((a) => a.checksum === r4.checksum), 'every node agrees on the checksum')

  await writer.stop()
  const acked = [...base, ...writer.acked]
  t.ok(writer.acked.length > 0, `the writer kept writing (${writer.acked.length} acknowledged, ${writer.failures()} failed)`)
  t.same(await missingCopies(acked), [], `every acknowledged key (${acked.length}) is stored on all 3 of its primaries, n4 included`)
  t.same(await unreadable(acked, { r: 3, pr: 3 }), [], `every acknowledged key (${acked.length}) reads with R=3, PR=3`)

  // With no writes running (the missed ones would wait for read repair or AAE): a restarted
  // node keeps the ring it learnt (ring.json), not the --members it was started with.
  t.equal((await cli(['dev', 'stop', '--dir', cluster.dir, '--node', 'n3'])).code, 0)
  t.equal((await cli(['dev', 'start', '--dir', cluster.dir, '--node', 'n3'])).code, 0)
  await waitFor('n3 back with the 4-node ring', async () => {
    const r = await ringInfo(cluster.host(3))
    return r.members.length === 4 && r.agreed
  }, 30_000)
  t.pass('n3 restarted on the 4-node ring')

  const writer2 = startWriter('x')
  await run(['cluster', 'leave', 'n1'])
  t.match(await run(['cluster', 'plan']), /leave n1/)
  await run(['cluster', 'commit'])
  const left = await waitFor('n1 to hand off and leave the ring', async () => {
    const r = await ringInfo()
    return r.members.length === 3 && r.pending.length === 0 && r.agreed
  }, 120_000)
  t.pass(`n1 left ${left} ms after commit`)
  await waitFor('the n1 process to exit by itself', async () => (await cli(['dev', 'status', '--dir', cluster.dir, '--json'])).stdout.includes('"name": "n1"') && !(await n1Alive()), 30_000)
  t.pass('n1 exited by itself')
  await writer2.stop()
  const all = [...acked, ...writer2.acked]
  t.same((await ringInfo()).members.map((m) => m.node), ['n2', 'n3', 'n4'])
  t.same(await missingCopies(all), [], `every acknowledged key (${all.length}) is stored on all 3 primaries of the new ring`)
  t.same(await unreadable(all, { pr: 3 }), [], `every acknowledged key (${all.length}) still reads with PR=3`)
})

async function n1Alive(): Promise<boolean> {
  const s = JSON.parse((await cli(['dev', 'status', '--dir', cluster.dir, '--json'])).stdout) as Array<{ name: string; up: boolean }>
  return s.find((n) => n.name === 'n1')?.up === true
}
