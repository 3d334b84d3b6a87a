/**
 * An unreplicated speed reference: a Redis Cluster of 3 masters (no replicas, no persistence) on
 * loopback (Debian's redis-server), formed with `redis-cli --cluster create` in a temporary directory
 * and stopped afterwards. The client is a small one of our own (resp.ts): CLUSTER SLOTS once, then
 * each command to the master of its key's slot, pipelined on one connection per master.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { BENCH } from '../../../src/config.js'
import { BaselineUnavailable, type KvStore } from '../kvStore.js'
import { freePorts, ServerGroup, waitFor, which } from './processes.js'
import { keySlot, SLOTS } from './redisSlot.js'
import { RespConnection, type RespValue } from './resp.js'

const MASTERS = 3
/** Redis Cluster's bus listens on the client port + 10000. */
const BUS_OFFSET = 10_000
const execFileP = promisify(execFile)

/** The master connection of every slot, from one CLUSTER SLOTS reply. */
export function slotTable(reply: RespValue, conns: Map<number, RespConnection>): RespConnection[] {
  const table: RespConnection[] = new Array<RespConnection>(SLOTS)
  for (const range of reply as RespValue[][]) {
    const [start, end, master] = range as [number, number, RespValue[]]
    const conn = conns.get(Number(master[1]))
    if (!conn) throw new Error(`CLUSTER SLOTS names an unknown port ${String(master[1])}`)
    for (let s = start; s <= end; s++) table[s] = conn
  }
  return table
}

export async function redisBaseline(): Promise<KvStore> {
  const server = which('redis-server')
  const cli = which('redis-cli')
  if (!server || !cli) throw new BaselineUnavailable('redis-server (with redis-cli) is not installed (Debian: apt-get install redis-server)')
  const ports = await freePorts(MASTERS, BUS_OFFSET)
  const group = new ServerGroup('redis')
  for (const p of ports) {
    group.start(`redis-${p}`, server, [
      '--port', String(p),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', `nodes-${p}.conf`,
      '--dir', group.dir,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
    ])
  }
  const conns = new Map<number, RespConnection>()
  const close = async (): Promise<void> => {
    for (const c of conns.values()) c.close()
    await group.stop()
  }
  try {
    const up = await waitFor(async () => {
      for (const p of ports) if (!conns.has(p)) conns.set(p, await RespConnection.open('127.0.0.1', p))
      return true
    }, BENCH.baselineStartTimeoutMs, () => group.exited())
    if (!up) throw new BaselineUnavailable(`redis-server did not answer within ${BENCH.baselineStartTimeoutMs} ms`)
    await execFileP(cli, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: BENCH.baselineStartTimeoutMs })
    const formed = await waitFor(async () => {
      for (const c of conns.values()) if (!String(await c.send(['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false
      return true
    }, BENCH.baselineStartTimeoutMs)
    if (!formed) throw new BaselineUnavailable(`the Redis cluster did not reach cluster_state:ok within ${BENCH.baselineStartTimeoutMs} ms`)
  } catch (e) {
    await close()
    if (e instanceof BaselineUnavailable) throw e
    throw new BaselineUnavailable(`Redis Cluster did not start: ${(e as Error).message.split('\n')[0]}`)
  }
  const table = slotTable(await conns.values().next().value!.send(['CLUSTER', 'SLOTS']), conns)
  return {
    name: 'redis',
    description: 'Redis Cluster, 3 masters on loopback (no replicas, no persistence), pipelined RESP',
    async get(key) {
      return (await table[keySlot(key)]!.send(['GET', key])) !== null
    },
    async put(key, value) {
      await table[keySlot(key)]!.send(['SET', key, value])
    },
    close,
  }
}
