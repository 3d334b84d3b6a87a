/** How a CLI command reaches a node: `--host`, else SPINEKV_HOST, else the default client port. */
import { connect, type SpineClient } from '../client/client.js'
import { CLIENT } from '../config.js'

export const HOST_HELP = `client port of the node to ask (env SPINEKV_HOST, default 127.0.0.1:${CLIENT.defaultPort})`

export function hostOf(o: { host?: string }): string {
  return o.host ?? process.env.SPINEKV_HOST ?? `127.0.0.1:${CLIENT.defaultPort}`
}

/** One client routed to the asked node only (an operator means that node), closed afterwards. */
export async function withClient<T>(o: { host?: string }, fn: (c: SpineClient) => Promise<T>): Promise<T> {
  const client = await connect({ seeds: [hostOf(o)], routing: 'seed', maxRetries: 0 })
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}
