/**
 * A consensus-replicated reference: a 3-member etcd cluster on loopback (Debian's etcd-server),
 * started in a temporary directory and stopped afterwards, driven over its HTTP/JSON gateway
 * (/v3/kv/put, /v3/kv/range; keys and values base64). Requests go round-robin to the members, which
 * forward writes to the leader. etcd fsyncs its log on every write (spinekv by default does not).
 */
import { join } from 'node:path'
import { BENCH } from '../../../src/config.js'
import { BaselineUnavailable, type KvStore } from '../kvStore.js'
import { jsonPoster } from './httpJson.js'
import { freePorts, ServerGroup, waitFor, which } from './processes.js'

const MEMBERS = 3

export async function etcdBaseline(connections: number = BENCH.defaultConcurrency): Promise<KvStore> {
  const bin = which('etcd')
  if (!bin) throw new BaselineUnavailable('etcd is not installed (Debian: apt-get install etcd-server)')
  const ports = await freePorts(2 * MEMBERS)
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ name: `e${i + 1}`, client: ports[2 * i]!, peer: ports[2 * i + 1]! }))
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',')
  const group = new ServerGroup('etcd')
  for (const m of members) {
    group.start(m.name, bin, [
      '--name', m.name,
      '--data-dir', join(group.dir, m.name),
      '--listen-client-urls', `http://127.0.0.1:${m.client}`,
      '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', 'spinekv-bench',
      // Old revisions would otherwise pile up for the whole run.
      '--auto-compaction-mode', 'revision',
      '--auto-compaction-retention', '10000',
      '--log-level', 'warn',
    ])
  }
  const http = await jsonPoster(connections)
  const origins = members.map((m) => `http://127.0.0.1:${m.client}`)
  const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64')
  const close = async (): Promise<void> => {
    await http.close()
    await group.stop()
  }
  const ready = await waitFor(async () => {
    for (const o of origins) await http.post(o, '/v3/kv/put', { key: b64('probe'), value: b64('1') })
    return true
  }, BENCH.baselineStartTimeoutMs, () => group.exited())
  if (!ready) {
    await close()
    throw new BaselineUnavailable(`etcd did not form a cluster within ${BENCH.baselineStartTimeoutMs} ms`)
  }
  let rr = 0
  const origin = (): string => origins[rr++ % origins.length]!
  return {
    name: 'etcd',
    description: `3-member etcd cluster on loopback (Raft, fsync per write), HTTP/JSON gateway via ${http.via}`,
    async get(key) {
      const r = (await http.post(origin(), '/v3/kv/range', { key: b64(key) })) as { kvs?: unknown[] }
      return (r.kvs?.length ?? 0) > 0
    },
    async put(key, value) {
      await http.post(origin(), '/v3/kv/put', { key: b64(key), value: b64(value) })
    },
    close,
  }
}
