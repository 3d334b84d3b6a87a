/**
 * GET / (Riak's list of its HTTP resources: JSON with `Accept: application/json`, otherwise an
 * HTML list of links), /ping and /stats.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { KvEnv } from '../../../kv/env.js'
import type { Headers } from './headers.js'
import type { CounterWindow } from './counterWindow.js'
import { riakStats } from './riakStats.js'
import { accepts } from './siblings.js'

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/**
 * Riak's resource names and where they are served. Bucket properties (riak_kv_wm_props) and
 * secondary index queries (riak_kv_wm_index) are served by their own route files; map/reduce,
 * link walking and search are not served, so they are not listed.
 */
export const RESOURCES: Readonly<Record<string, string>> = {
  riak_kv_wm_buckets: '/buckets',
  riak_kv_wm_index: '/buckets',
  riak_kv_wm_keylist: '/buckets',
  riak_kv_wm_object: '/buckets',
  riak_kv_wm_ping: '/ping',
  riak_kv_wm_props: '/buckets',
  riak_kv_wm_stats: '/stats',
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function rootHandlers(env: KvEnv, window: CounterWindow, ownStats: () => Record<string, unknown>): { root: Handler; ping: Handler; stats: Handler } {
  return {
    root: async (req, reply) => {
      if (accepts(req.headers as Headers, 'application/json')) return reply.type('application/json; charset=utf-8').send(JSON.stringify(RESOURCES) + '\n')
      const items = Object.entries(RESOURCES)
        .map(([name, path]) => `<li><a href="${escapeHtml(path)}">${escapeHtml(name)}</a></li>`)
        .join('')
      return reply.type('text/html; charset=utf-8').send(`<html><head><title>spinekv</title></head><body><ul>${items}</ul></body></html>\n`)
    },
    ping: async (_req, reply) => reply.type('text/plain; charset=utf-8').send('OK'),
    stats: async (_req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify({ ...ownStats(), ...riakStats(env, window) }) + '\n'),
  }
}
