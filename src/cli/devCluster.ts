/**
 * A local cluster of real node processes on 127.0.0.1, for development, tests and benchmarks.
 * Node i (from 1) listens on cluster port base+10i, client port base+10i+1, HTTP base+10i+2 and
 * Riak's Protocol Buffers port base+10i+3.
 * The state file dev.json in the cluster directory records names, ports and pids.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SpineError } from '../shared/errors.js'
import { DEV } from '../config.js'
import { openChannel } from '../client/nodeConnection.js'
import { silentLogger } from '../shared/log.js'
import { SystemClock } from '../node/realEnv.js'

export interface DevNode {
  name: string
  pid: number
  dataDir: string
  clusterPort: number
  clientPort: number
  httpPort: number
  /** Riak's PB port (absent in a dev.json written before it had one: then base+10i+3). */
  pbPort?: number
  /** Added by `dev add`: started without --members, as a cluster of one until `cluster join`. */
  standalone?: boolean
}

export interface DevState {
  basePort: number
  ringSize: number
  nodes: DevNode[]
  /** Absolute path of a bucket properties file every node (and every restart) is given. */
  bucketProps?: string
}

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), 'main.js')

export function planNodes(dir: string, count: number, basePort: number): DevNode[] {
  return Array.from({ length: count }, (_, k) => planNode(dir, k + 1, basePort))
}

/** Node i of a dev cluster: its name, data directory and ports by the port scheme. */
export function planNode(dir: string, i: number, basePort: number): DevNode {
  const base = basePort + DEV.portStride * i
  return { name: `n${i}`, pid: 0, dataDir: resolve(dir, `n${i}`), clusterPort: base, clientPort: base + 1, httpPort: base + 2, pbPort: base + 3 }
}

export function statePath(dir: string): string {
  return join(dir, 'dev.json')
}

export function readState(dir: string): DevState {
  const file = statePath(dir)
  if (!existsSync(file)) throw new SpineError('INVALID_ARGUMENT', `no dev cluster in ${dir} (no dev.json); run spinekv dev start --dir ${dir}`)
  return JSON.parse(readFileSync(file, 'utf8')) as DevState
}

export function writeState(dir: string, state: DevState): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(statePath(dir), JSON.stringify(state, null, 2) + '\n')
}

export function membersSpec(nodes: DevNode[]): string {
  return nodes.map((n) => `${n.name}@127.0.0.1:${n.clusterPort}`).join(',')
}

export function isAlive(pid: number): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  return !isZombie(pid)
}

/** An exited child nobody has reaped yet still answers kill(pid, 0); it is not running. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

/** Start one node process; detached ones log to DIR/NAME.log and outlive this process. */
export function spawnNode(dir: string, state: DevState, node: DevNode, detached: boolean, extraArgs: string[] = []): ChildProcess {
  mkdirSync(node.dataDir, { recursive: true })
  // SPINEKV_NODE_FLAGS passes V8/Node flags to each node (e.g. --cpu-prof for a profile under load):
  // NODE_OPTIONS refuses --cpu-prof, and the flags must not reach the harness process itself.
  const nodeFlags = (process.env.SPINEKV_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')
  const args = [
    ...nodeFlags,
    CLI, 'node', 'start',
    '--name', node.name,
    '--data', node.dataDir,
    '--cluster-port', String(node.clusterPort),
    '--client-port', String(node.clientPort),
    '--http-port', String(node.httpPort),
    '--pb-port', String(node.pbPort ?? node.clusterPort + 3),
    ...(node.standalone ? [] : ['--members', membersSpec(state.nodes.filter((n) => !n.standalone))]),
    '--ring-size', String(state.ringSize),
    ...(state.bucketProps ? ['--bucket-props', state.bucketProps] : []),
    ...extraArgs,
  ]
  const logFd = openSync(join(dir, `${node.name}.log`), 'a')
  const child = spawn(process.execPath, args, { detached, stdio: ['ignore', logFd, logFd] })
  if (detached) child.unref()
  node.pid = child.pid ?? 0
  return child
}

/** One request to a node's client port; undefined when it does not answer. */
async function ask(port: number, body: unknown, timeoutMs: number): Promise<unknown> {
  const clock = new SystemClock()
  try {
    const ch = await openChannel('127.0.0.1', port, timeoutMs, clock, silentLogger())
    try {
      return await ch.request(body, timeoutMs)
    } finally {
      ch.close(new SpineError('SHUTTING_DOWN', 'request done'))
    }
  } catch {
    return undefined
  }
}

export async function ping(port: number, timeoutMs: number = DEV.pingTimeoutMs): Promise<boolean> {
  return (await ask(port, { op: 'ping' }, timeoutMs)) !== undefined
}

/**
 * A node has reached every peer once its ring view knows every member's client address (it learns
 * one only by asking that peer). Until then a request may find a peer in its reconnect back-off.
 */
async function meshed(port: number): Promise<boolean> {
  const ring = (await ask(port, { op: 'ring' }, DEV.pingTimeoutMs)) as { members?: Array<{ clientPort: number }> } | undefined
  return ring?.members?.every((m) => m.clientPort > 0) === true
}

/**
 * Resolves once every node answers on its client port and (with mesh) has reached every peer;
 * rejects after DEV.startTimeoutMs. A single restarted node is not held to the mesh: another
 * member may well be down.
 */
export async function waitUp(nodes: DevNode[], opts: { mesh: boolean } = { mesh: true }, timeoutMs: number = DEV.startTimeoutMs): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (const n of nodes) {
    while (!(await ping(n.clientPort)) || (opts.mesh && !(await meshed(n.clientPort)))) {
      if (!isAlive(n.pid)) throw new SpineError('UNREACHABLE', `node ${n.name} exited during start; see its log`, { node: n.name })
      if (Date.now() > deadline) throw new SpineError('TIMEOUT', `node ${n.name} did not answer within ${timeoutMs} ms`, { node: n.name })
      await new Promise((r) => setTimeout(r, DEV.pollIntervalMs))
    }
  }
}

/** SIGTERM (or SIGKILL), then wait for the process to go. */
export async function stopNode(node: DevNode, kill: boolean): Promise<boolean> {
  if (!isAlive(node.pid)) return false
  process.kill(node.pid, kill ? 'SIGKILL' : 'SIGTERM')
  const deadline = Date.now() + DEV.stopTimeoutMs
  let killed = kill
  while (isAlive(node.pid)) {
    if (Date.now() > deadline && !killed) {
      process.kill(node.pid, 'SIGKILL')
      killed = true
    }
    if (Date.now() > deadline + DEV.killWaitMs) throw new SpineError('TIMEOUT', `node ${node.name} (pid ${node.pid}) would not stop`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}
