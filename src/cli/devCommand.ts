/** `spinekv dev start|status|stop`: a local cluster of real node processes. */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { DEV, RING } from '../config.js'
import { SpineError } from '../shared/errors.js'
import { isAlive, ping, planNode, planNodes, readState, spawnNode, stopNode, waitUp, writeState, type DevNode, type DevState } from './devCluster.js'
import { fail, printJson, table } from './format.js'
import { intArg } from './parse.js'

interface StartOpts {
  nodes: string
  dir: string
  basePort: string
  ringSize: string
  detach?: boolean
  node?: string
  bucketProps?: string
}

export function registerDev(program: Command): void {
  const dev = program.command('dev').description('a local cluster of real node processes on 127.0.0.1')
  dev
    .command('start')
    .description('start the cluster (foreground unless --detach); with --node N restart one node on its old data')
    .option('--nodes <n>', 'number of nodes', String(DEV.nodes))
    .option('--dir <dir>', 'cluster directory (one data directory per node)', DEV.dir)
    .option('--base-port <port>', 'node i listens on base+10i (cluster), +1 (client), +2 (HTTP), +3 (Riak PB)', String(DEV.basePort))
    .option('--ring-size <q>', 'partitions in the ring', String(RING.defaultPartitions))
    .option('--detach', 'return once every node answers; nodes keep running')
    .option('--node <name>', 'restart only this node (detached), e.g. n2')
    .option('--bucket-props <file>', 'bucket property overrides for every node, kept for restarts ({"default/bench": {"allowMult": false}})')
    .action((o: StartOpts) => start(o).catch(fail))
  dev
    .command('add')
    .description('start one more node (next index, same port scheme), not yet joined: then `spinekv cluster join`')
    .option('--dir <dir>', 'cluster directory', DEV.dir)
    .option('--json', 'JSON {name, pid, dataDir, clusterPort, clientPort, httpPort, pbPort}')
    .action((o: { dir: string; json?: boolean }) => add(o).catch(fail))
  dev
    .command('status')
    .description('pid, ports and liveness of each node')
    .option('--dir <dir>', 'cluster directory', DEV.dir)
    .option('--json', 'JSON array of {name, pid, dataDir, clusterPort, clientPort, httpPort, pbPort, up}')
    .action((o: { dir: string; json?: boolean }) => status(o).catch(fail))
  dev
    .command('stop')
    .description('stop every node (or one) cleanly, or with --kill at once (SIGKILL)')
    .option('--dir <dir>', 'cluster directory', DEV.dir)
    .option('--node <name>', 'stop only this node')
    .option('--kill', 'SIGKILL instead of a clean stop')
    .action((o: { dir: string; node?: string; kill?: boolean }) => stop(o).catch(fail))
}

async function start(o: StartOpts): Promise<void> {
  const dir = resolve(o.dir)
  if (o.node) return restartOne(dir, o.node)
  const count = intArg('nodes', o.nodes, 1, 64)!
  const basePort = intArg('base-port', o.basePort, 1, 65535 - DEV.portStride * (count + 1))!
  const ringSize = intArg('ring-size', o.ringSize, RING.minPartitions, RING.maxPartitions)!
  const running = runningNodes(dir)
  if (running.length) throw new SpineError('INVALID_ARGUMENT', `a cluster is already running in ${dir} (${running.map((n) => n.name).join(', ')}); stop it first`)
  const state: DevState = { basePort, ringSize, nodes: planNodes(dir, count, basePort), ...(o.bucketProps ? { bucketProps: resolve(o.bucketProps) } : {}) }
  const children = state.nodes.map((n) => spawnNode(dir, state, n, o.detach === true))
  writeState(dir, state)
  try {
    await waitUp(state.nodes)
  } catch (e) {
    await Promise.allSettled(state.nodes.map((n) => stopNode(n, true)))
    throw e
  }
  printNodes(state.nodes, dir)
  if (o.detach) return
  process.stdout.write('Ctrl-C stops all nodes.\n')
  let stopping = false
  const stopAll = (): void => {
    if (stopping) return
    stopping = true
    Promise.allSettled(state.nodes.map((n) => stopNode(n, false))).then(() => process.exit(0))
  }
  process.on('SIGINT', stopAll)
  process.on('SIGTERM', stopAll)
  for (const c of children) c.on('exit', (code, sig) => !stopping && process.stderr.write(`node pid ${c.pid} exited (${code ?? sig})\n`))
}

async function add(o: { dir: string; json?: boolean }): Promise<void> {
  const dir = resolve(o.dir)
  const state = readState(dir)
  const next = Math.max(0, ...state.nodes.map((n) => Number(n.name.slice(1)) || 0)) + 1
  const node = { ...planNode(dir, next, state.basePort), standalone: true }
  if ((node.pbPort ?? node.httpPort) > 65535) throw new SpineError('INVALID_ARGUMENT', `node ${node.name} would need port ${node.httpPort}`)
  spawnNode(dir, state, node, true)
  state.nodes.push(node)
  writeState(dir, state)
  try {
    await waitUp([node], { mesh: false })
  } catch (e) {
    await stopNode(node, true)
    throw e
  }
  if (o.json) return printJson(node)
  process.stdout.write(`started ${node.name} (pid ${node.pid}): cluster 127.0.0.1:${node.clusterPort}, client 127.0.0.1:${node.clientPort}, HTTP 127.0.0.1:${node.httpPort}, PB 127.0.0.1:${node.pbPort}\n`)
  process.stdout.write(`join it: spinekv cluster join 127.0.0.1:${state.nodes[0]!.clusterPort} --host 127.0.0.1:${node.clientPort}\n`)
}

function runningNodes(dir: string): DevNode[] {
  try {
    return readState(dir).nodes.filter((n) => isAlive(n.pid))
  } catch {
    return []
  }
}

async function restartOne(dir: string, name: string): Promise<void> {
  const state = readState(dir)
  const node = state.nodes.find((n) => n.name === name)
  if (!node) throw new SpineError('INVALID_ARGUMENT', `no node ${name} in ${dir}`)
  if (isAlive(node.pid)) throw new SpineError('INVALID_ARGUMENT', `node ${name} is already running (pid ${node.pid})`)
  spawnNode(dir, state, node, true)
  writeState(dir, state)
  await waitUp([node], { mesh: false })
  printNodes([node], dir)
}

function printNodes(nodes: DevNode[], dir: string): void {
  process.stdout.write(`spinekv dev cluster in ${dir}\n`)
  const rows = nodes.map((n) => [n.name, n.pid, `127.0.0.1:${n.clientPort}`, `127.0.0.1:${n.clusterPort}`, `http://127.0.0.1:${n.httpPort}`, `127.0.0.1:${n.pbPort ?? n.clusterPort + 3}`])
  process.stdout.write(table(['node', 'pid', 'client', 'cluster', 'http', 'pb'], rows) + '\n')
}

async function status(o: { dir: string; json?: boolean }): Promise<void> {
  const state = readState(resolve(o.dir))
  const rows = await Promise.all(state.nodes.map(async (n) => ({ ...n, up: isAlive(n.pid) && (await ping(n.clientPort)) })))
  if (o.json) return printJson(rows)
  const cells = rows.map((n) => [n.name, n.pid, n.up ? 'up' : 'down', n.clientPort, n.clusterPort, n.httpPort, n.pbPort ?? n.clusterPort + 3, n.dataDir])
  process.stdout.write(table(['node', 'pid', 'status', 'client', 'cluster', 'http', 'pb', 'data'], cells) + '\n')
}

async function stop(o: { dir: string; node?: string; kill?: boolean }): Promise<void> {
  const state = readState(resolve(o.dir))
  const targets = o.node ? state.nodes.filter((n) => n.name === o.node) : state.nodes
  if (o.node && targets.length === 0) throw new SpineError('INVALID_ARGUMENT', `no node ${o.node}`)
  const stopped = await Promise.all(targets.map((n) => stopNode(n, o.kill === true)))
  targets.forEach((n, i) => process.stdout.write(`${n.name}: ${stopped[i] ? (o.kill ? 'killed' : 'stopped') : 'was not running'}\n`))
}
