/**
 * One seed, start to verdict: build the cluster the seed describes, run the workload under the
 * nemesis, stop the faults and heal, give the cluster bounded time to settle, read every key with
 * R=all through every node, give read repair bounded time, then judge. A pure function of
 * (seed, options): run it twice and the history hash is the same.
 */
import { encodeBKey } from '../core/hash.js'
import { silentLogger } from '../shared/log.js'
import { checkRun, type Failure } from './checkers.js'
import { DotLedger } from './dots.js'
import { inspectReplicas, readAll, scanStores, settle as settleSim } from './finalState.js'
import { History } from './history.js'
import { Nemesis } from './nemesis.js'
import { deriveParams, type SimOptions, type SimParams } from './params.js'
import { SeededRandom } from '../core/seededRandom.js'
import { Scheduler } from './simClock.js'
import { SimCluster } from './simCluster.js'
import { SimNetwork } from './simNetwork.js'
import { SimHub } from './simTransport.js'
import { keyName, Workload } from './workload.js'

/** A workload still running after this much simulated time is stuck. */
const WORKLOAD_LIMIT_MS = 3_600_000
/** After healing: longer than any operation timeout (10 s) plus the tombstone reap delay (3 s). */
const SETTLE_MS = 20_000
/**
 * After settling, before anything is read: anti-entropy's bounded time to converge every replica
 * on its own (the liveness checker then compares the replicas, untouched by read repair).
 */
const AAE_MS = 10_000
/** After the final reads: time for their read repairs to land. */
const REPAIR_MS = 5_000

const LOG = silentLogger()

export interface SeedResult {
  seed: number
  options: SimOptions
  params: SimParams
  failures: Failure[]
  history: History
  hash: string
  ops: number
  simulatedMs: number
  events: number
  faults: number
  messages: number
  dropped: number
}

interface Sim {
  sched: Scheduler
  net: SimNetwork
  cluster: SimCluster
  ledger: DotLedger
  errors: string[]
}

function build(params: SimParams, root: SeededRandom): Sim {
  const sched = new Scheduler()
  const net = new SimNetwork(sched, root.fork('net'))
  const hub = new SimHub(net)
  const spec = { nodes: params.nodes, q: params.q, n: params.n, bucketProps: params.bucketProps, syncWrites: params.syncWrites, tombstoneReapDelayMs: params.tombstoneReapDelayMs, handoffCheckMs: params.handoffCheckMs, aae: params.aae, powerLoss: params.faults.powerLoss, membership: params.faults.membership ? { spares: params.spares } : undefined }
  const cluster = new SimCluster(sched, hub, spec, LOG)
  // Probed while the node is serving the request, so it is up.
  const ledger = new DotLedger((node, p) => cluster.incarnation(node)!.node.vnodes.vnode(p).base)
  const errors: string[] = []
  hub.probe = (node, body, reply) => ledger.observe(node, body, reply)
  if (params.skipReplicaRate > 0) {
    const skips = root.fork('skip-replica')
    hub.skip = (_from, _to, body) => (body as { op?: unknown }).op === 'vput' && skips.chance(params.skipReplicaRate)
  }
  hub.onInternalError = (node, err) => errors.push(`${node}: INTERNAL ${err.message}`)
  return { sched, net, cluster, ledger, errors }
}

async function exercise(sim: Sim, params: SimParams, root: SeededRandom, history: History): Promise<{ workload: Workload; nemesis: Nemesis }> {
  const workload = new Workload(sim.sched, sim.cluster, root.fork('workload'), history, params.workload)
  const nemesis = new Nemesis(sim.sched, sim.cluster, sim.net, root.fork('nemesis'), params.faults, history)
  let done = false
  void workload.run().then(
    () => (done = true),
    (e: unknown) => {
      sim.errors.push(`workload threw: ${String(e)}`)
      done = true
    },
  )
  void nemesis.run().catch((e: unknown) => sim.errors.push(`nemesis threw: ${String(e)}`))
  await sim.sched.runFor(WORKLOAD_LIMIT_MS, () => done)
  if (!done) sim.errors.push(`workload still running after ${WORKLOAD_LIMIT_MS} simulated ms`)
  nemesis.stop()
  nemesis.healAll()
  return { workload, nemesis }
}

async function judge(sim: Sim, params: SimParams, workload: Workload, history: History): Promise<Failure[]> {
  if (params.faults.membership) await finishMembership(sim)
  await sim.sched.runFor(SETTLE_MS)
  const stuck = params.faults.membership ? membershipStuck(sim) : undefined
  if (stuck) return [{ checker: 'liveness:membership', keys: [], detail: stuck, ops: [] }]
  await sim.sched.runFor(AAE_MS)
  const keys = [...workload.keys.sets, ...workload.keys.registers]
  // Every primary's copy before any final read: convergence is anti-entropy's alone.
  const replicas = new Map<string, Awaited<ReturnType<typeof inspectReplicas>>>()
  for (const bk of keys) replicas.set(keyName(bk), await inspectReplicas(sim.cluster, { name: keyName(bk), bk, reads: [], replicas: [] }, params.n))
  const final = await readAll(sim.sched, sim.cluster, keys)
  await sim.sched.runFor(REPAIR_MS)
  for (const fk of final) fk.replicas = replicas.get(fk.name) ?? []
  const stored = await scanStores(sim.cluster)
  const keyNames = new Map(keys.map((bk) => [encodeBKey(bk).toString('hex'), keyName(bk)]))
  return checkRun({ history, final, stored, ledger: sim.ledger, keyNames, errors: sim.errors, owners: sim.cluster.ring.owners })
}

/** After healing, an operator commits whatever change is still staged (a commit the faults refused). */
async function finishMembership(sim: Sim): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const up = sim.cluster.names.find((n) => sim.cluster.isUp(n))
    const rm = up ? sim.cluster.incarnation(up)?.node.ringManager : undefined
    if (!rm || rm.current.staged.length === 0) return
    await settleSim(sim.sched, rm.command({ cmd: 'commit' }).then(() => undefined, () => undefined), 5_000)
    await sim.sched.runFor(1_000)
  }
}

/** Liveness for membership: once faults heal every move completes and every member agrees. */
function membershipStuck(sim: Sim): string | undefined {
  const rings = sim.cluster.names.map((n) => ({ n, cr: sim.cluster.incarnation(n)?.node.ringManager?.current }))
  const first = rings[0]?.cr
  if (!first) return 'no member is up'
  if (first.next.length > 0) return `${first.next.length} partition moves still pending (${first.next.map((m) => `${m.partition}:${m.from}->${m.to}`).slice(0, 5).join(', ')})`
  if (first.members.some((m) => m.status === 'leaving' || m.status === 'exiting')) return `members still leaving: ${first.members.filter((m) => m.status !== 'valid').map((m) => `${m.name}(${m.status})`).join(', ')}`
  const differ = rings.filter((r) => !r.cr || r.cr.version !== first.version).map((r) => `${r.n}@${r.cr?.version ?? 'down'}`)
  if (differ.length) return `members disagree on the ring: v${first.version} vs ${differ.join(', ')}`
  return undefined
}

export async function runSeed(seed: number, opts: SimOptions): Promise<SeedResult> {
  const root = SeededRandom.forSeed(seed)
  const params = deriveParams(seed, root.fork('params'), opts)
  const sim = build(params, root)
  const history = new History()
  // A rejection nobody handles is a bug in the code under test (a real node would crash on it).
  const onUnhandled = (e: unknown): void => void sim.errors.push(`unhandled rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)
  process.on('unhandledRejection', onUnhandled)
  let failures: Failure[]
  let faults = 0
  try {
    await sim.cluster.start()
    const { workload, nemesis } = await exercise(sim, params, root, history)
    faults = nemesis.actions
    failures = await judge(sim, params, workload, history)
  } catch (e) {
    failures = [{ checker: 'sim:error', keys: [], detail: e instanceof Error ? e.stack ?? e.message : String(e), ops: [] }]
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
  return {
    seed,
    options: opts,
    params,
    failures,
    history,
    hash: history.hash(),
    ops: history.ops.length,
    simulatedMs: sim.sched.nowUs / 1000,
    events: sim.sched.eventsRun,
    faults,
    messages: sim.net.messages,
    dropped: sim.net.dropped,
  }
}
