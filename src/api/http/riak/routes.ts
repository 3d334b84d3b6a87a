/**
 * Where Riak's HTTP resources are mounted: objects under /types/T/buckets/B/keys/K,
 * /buckets/B/keys/K and the legacy /riak/B/K; a bucket's keys (POST for a new key, GET to list
 * them) under .../keys and /riak/B; bucket listings on /buckets and /types/T/buckets; secondary index queries under .../index (indexRoutes.ts); and /, /ping
 * and /stats. Bucket properties (.../props) are mounted by their own route file.
 */
import type { KvEnv } from '../../../kv/env.js'
import type { MethodTable } from '../methodTable.js'
import type { CounterWindow } from './counterWindow.js'
import { registerIndexRoutes } from './indexRoutes.js'
import { listHandlers } from './listRoutes.js'
import { objectHandlers } from './objectRoutes.js'
import { rootHandlers } from './rootRoutes.js'

type Route = (url: string, table: MethodTable) => void

export interface RiakRouteDeps {
  env: KvEnv
  maxInFlight: number
  window: CounterWindow
  /** spinekv's own /stats fields, beside Riak's. */
  stats(): Record<string, unknown>
}

export function registerRiakRoutes(route: Route, deps: RiakRouteDeps): void {
  const o = objectHandlers(deps.env, deps.maxInFlight)
  const l = listHandlers(deps.env)
  const r = rootHandlers(deps.env, deps.window, deps.stats)

  const object: MethodTable = { GET: o.get, PUT: o.put, POST: o.put, DELETE: o.del }
  route('/types/:type/buckets/:bucket/keys/:key', object)
  route('/buckets/:bucket/keys/:key', object)
  route('/riak/:bucket/:key', object)

  const keys: MethodTable = { GET: l.keys, POST: o.create }
  route('/types/:type/buckets/:bucket/keys', keys)
  route('/buckets/:bucket/keys', keys)
  route('/riak/:bucket', keys)

  const buckets: MethodTable = { GET: l.buckets }
  route('/types/:type/buckets', buckets)
  route('/buckets', buckets)

  registerIndexRoutes(route, deps.env)

  route('/', { GET: r.root })
  route('/ping', { GET: r.ping })
  route('/stats', { GET: r.stats })
}
