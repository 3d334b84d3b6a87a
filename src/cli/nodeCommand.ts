/** `spinekv node start`: run one node in the foreground until SIGINT/SIGTERM. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { AAE, PB, RING } from '../config.js'
import type { BucketPropsOverrides } from '../kv/bucketProps.js'
import { createLogger } from '../shared/log.js'
import { isNodeName, parseMembers } from '../node/members.js'
import { startNodeProcess } from './nodeProcess.js'
import { fail, usage } from './format.js'
import { intArg } from './parse.js'

interface StartOpts {
  name: string
  data: string
  host: string
  clusterPort: string
  clientPort: string
  httpPort: string
  pbPort: string
  members?: string
  ringSize: string
  targetN: string
  bucketProps?: string
  syncWrites?: boolean
  reapDelayMs?: string
  backend: string
  aae: string
  aaeTickMs?: string
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('run a node')
  node
    .command('start')
    .description('start one node in the foreground: a saved ring (ring.json in --data) wins; else --members; else a cluster of one, waiting for `cluster join`')
    .requiredOption('--name <name>', 'this node\'s name, as in --members')
    .requiredOption('--data <dir>', 'data directory (LevelDB lives under it)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--cluster-port <port>', 'node-to-node port')
    .requiredOption('--client-port <port>', 'client protocol port')
    .requiredOption('--http-port <port>', 'HTTP port (/ping, /stats)')
    .option('--pb-port <port>', "Riak's Protocol Buffers port", String(PB.defaultPort))
    .option('--members <list>', 'static members for a new data directory: n1@host:clusterPort,n2@host:clusterPort,...')
    .option('--ring-size <q>', 'partitions in the ring (power of two)', String(RING.defaultPartitions))
    .option('--target-n <n>', 'replicas per key the claim spreads for', '3')
    .option('--bucket-props <file>', 'JSON file of bucket property overrides ({"default/patients": {"n": 3}})')
    .option('--sync-writes', 'fsync every write before acknowledging it')
    .option('--reap-delay-ms <ms>', 'delay before tombstones are reaped')
    .option('--backend <kind>', 'level (LevelDB on disk) or memory (lost on restart; for benchmarks)', 'level')
    .option('--aae <on|off>', 'active anti-entropy: trees and exchanges (off: neither, no write cost)', AAE.enabled ? 'on' : 'off')
    .option('--aae-tick-ms <ms>', `how often anti-entropy exchanges start (default ${AAE.tickMs})`)
    .action(async (o: StartOpts) => {
      try {
        await runNode(o)
      } catch (e) {
        fail(e)
      }
    })
}

async function runNode(o: StartOpts): Promise<void> {
  if (!isNodeName(o.name)) usage(`--name "${o.name}" must be 1-64 letters, digits, _ . -`)
  const log = createLogger({ node: o.name })
  const running = await startNodeProcess(
    {
      name: o.name,
      host: o.host,
      dataDir: o.data,
      clusterPort: intArg('cluster-port', o.clusterPort, 1, 65535)!,
      clientPort: intArg('client-port', o.clientPort, 1, 65535)!,
      httpPort: intArg('http-port', o.httpPort, 1, 65535)!,
      pbPort: intArg('pb-port', o.pbPort, 1, 65535)!,
      members: o.members ? parseMembers(o.members) : [],
      q: intArg('ring-size', o.ringSize, RING.minPartitions, RING.maxPartitions),
      targetN: intArg('target-n', o.targetN, 1, 16),
      bucketProps: o.bucketProps ? readProps(o.bucketProps) : undefined,
      syncWrites: o.syncWrites === true,
      tombstoneReapDelayMs: intArg('reap-delay-ms', o.reapDelayMs, 0, 86_400_000),
      backend: o.backend === 'memory' ? 'memory' : o.backend === 'level' ? 'level' : usage('--backend must be level or memory'),
      aae: {
        enabled: o.aae === 'on' ? true : o.aae === 'off' ? false : usage('--aae must be on or off'),
        ...(o.aaeTickMs !== undefined ? { tickMs: intArg('aae-tick-ms', o.aaeTickMs, 10, 86_400_000) } : {}),
      },
    },
    log,
  )
  // A fault in one request must not take the node down; log it and keep serving.
  process.on('uncaughtException', (err) => log.error({ err: err.stack ?? String(err) }, 'uncaught exception'))
  process.on('unhandledRejection', (err) => log.error({ err: String(err) }, 'unhandled rejection'))
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  // A node that left the cluster (it handed everything off) shuts down by itself.
  void running.exited.then(() => stop('left the cluster'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

function readProps(file: string): BucketPropsOverrides {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BucketPropsOverrides
  } catch (e) {
    return usage(`--bucket-props ${file}: ${(e as Error).message}`)
  }
}
