/**
 * `--local N`: a throwaway N-node cluster of real node processes in a temporary directory, on free
 * loopback ports, stopped and deleted afterwards. The bench bucket is last-write-wins with the
 * run's N, so blind puts replace values instead of piling up siblings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planNodes, spawnNode, stopNode, waitUp, writeState, type DevState } from '../../src/cli/devCluster.js'
import { freeBasePort } from '../localCluster.js'

export interface LocalSpine {
  hosts: string[]
  dir: string
  /** The node processes, for metering their CPU (cpuMeter.ts). */
  pids: number[]
  stop(): Promise<void>
}

export interface LocalSpineOptions {
  nodes: number
  n: number
  ringSize: number
  bucket: string
}

async function startOnce(o: LocalSpineOptions): Promise<LocalSpine> {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-bench-cluster-'))
  const basePort = await freeBasePort(o.nodes)
  const props = join(dir, 'bucket-props.json')
  writeFileSync(props, JSON.stringify({ [`default/${o.bucket}`]: { n: o.n, allowMult: false } }))
  const state: DevState = { basePort, ringSize: o.ringSize, nodes: planNodes(dir, o.nodes, basePort) }
  // Not detached: the nodes share this process group, so a Ctrl-C that kills the harness kills them.
  for (const node of state.nodes) spawnNode(dir, state, node, false, ['--bucket-props', props, '--target-n', String(Math.min(o.n, o.nodes))])
  writeState(dir, state)
  const stop = async (): Promise<void> => {
    await Promise.allSettled(state.nodes.map((n) => stopNode(n, false)))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitUp(state.nodes)
  } catch (e) {
    await Promise.allSettled(state.nodes.map((n) => stopNode(n, true)))
    const err = e as Error
    err.message += ` (node logs in ${dir})`
    throw err
  }
  return { hosts: state.nodes.map((n) => `127.0.0.1:${n.clientPort}`), dir, pids: state.nodes.map((n) => n.pid), stop }
}

/** Started; one retry on other ports, since a port seen free can be taken before a node binds it. */
export async function startLocalSpine(o: LocalSpineOptions): Promise<LocalSpine> {
  try {
    return await startOnce(o)
  } catch (e) {
    process.stderr.write(`local cluster did not start (${(e as Error).message}); retrying on other ports\n`)
    return startOnce(o)
  }
}
