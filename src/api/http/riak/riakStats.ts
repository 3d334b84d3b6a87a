/**
 * GET /stats: spinekv's own fields (the node's counters, vnodes, storage) and, beside them,
 * Riak's names for what spinekv measures, so dashboards and clients written for Riak's /stats
 * read it. One-minute fields come from CounterWindow and the get/put latency samples
 * (src/kv/opTimes.ts, microseconds as Riak's); `*_total` fields are since the node started.
 * Riak fields spinekv has no source for are left out rather than reported as zero.
 */
import type { KvEnv } from '../../../kv/env.js'
import { opTimes, type TimeSummary } from '../../../kv/opTimes.js'
import { VERSION } from '../../pb/version.js'
import type { CounterWindow } from './counterWindow.js'

function fsmTimes(prefix: string, t: TimeSummary): Record<string, number> {
  return {
    [`${prefix}_mean`]: t.mean,
    [`${prefix}_median`]: t.median,
    [`${prefix}_95`]: t.p95,
    [`${prefix}_99`]: t.p99,
    [`${prefix}_100`]: t.p100,
  }
}

export function riakStats(env: KvEnv, window: CounterWindow): Record<string, unknown> {
  const ring = env.ring()
  const now = env.clock.now()
  const recent = window.recent()
  const total = env.stats
  const times = opTimes(env.stats)
  const owned = new Map<string, number>()
  for (const o of ring.owners) owned.set(o, (owned.get(o) ?? 0) + 1)
  return {
    nodename: env.self,
    riak_kv_version: VERSION,
    node_gets: recent.gets,
    node_gets_total: total.gets,
    node_puts: recent.puts,
    node_puts_total: total.puts,
    vnode_gets: recent.vnodeGets,
    vnode_gets_total: total.vnodeGets,
    vnode_puts: recent.vnodePuts,
    vnode_puts_total: total.vnodePuts,
    read_repairs: recent.readRepairs,
    read_repairs_total: total.readRepairs,
    ...fsmTimes('node_get_fsm_time', times.get.summary(now)),
    ...fsmTimes('node_put_fsm_time', times.put.summary(now)),
    ring_members: [...ring.members],
    ring_num_partitions: ring.q,
    // Riak prints its ring ownership as an Erlang term: [{'node',partitions},...].
    ring_ownership: `[${[...owned].map(([n, c]) => `{'${n}',${c}}`).join(',')}]`,
    connected_nodes: ring.members.filter((m) => m !== env.self && env.isUp(m)),
  }
}
