/**
 * JSON over HTTP POST with kept-alive connections, for etcd's gateway: undici when it is installed
 * in node_modules (several times faster than node:http here, docs/decisions.md), else node:http with
 * a keep-alive agent. undici is loaded by a computed name so the build does not depend on it.
 */
import http from 'node:http'

export interface JsonPoster {
  readonly via: 'undici' | 'node:http'
  post(origin: string, path: string, body: unknown): Promise<unknown>
  close(): Promise<void>
}

/** The slice of undici's API used here. */
interface Undici {
  Agent: new (o: { connections: number }) => { close(): Promise<void> }
  request(
    url: string,
    o: { method: string; body: string; headers: Record<string, string>; dispatcher: unknown },
  ): Promise<{ statusCode: number; body: { text(): Promise<string> } }>
}

function httpError(status: number, text: string): Error {
  return Object.assign(new Error(`HTTP ${status}: ${text.slice(0, 120)}`), { code: `HTTP_${status}` })
}

async function undiciPoster(connections: number): Promise<JsonPoster | undefined> {
  const name = 'undici'
  let u: Undici
  try {
    u = (await import(name)) as Undici
  } catch {
    return undefined
  }
  const dispatcher = new u.Agent({ connections })
  return {
    via: 'undici',
    async post(origin, path, body) {
      const r = await u.request(origin + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher })
      const text = await r.body.text()
      if (r.statusCode >= 300) throw httpError(r.statusCode, text)
      return JSON.parse(text) as unknown
    },
    close: () => dispatcher.close(),
  }
}

function nodePoster(connections: number): JsonPoster {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  return {
    via: 'node:http',
    post(origin, path, body) {
      const payload = JSON.stringify(body)
      return new Promise((resolve, reject) => {
        const req = http.request(origin + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if ((res.statusCode ?? 500) >= 300) reject(httpError(res.statusCode ?? 500, text))
            else {
              try {
                resolve(JSON.parse(text) as unknown)
              } catch (e) {
                reject(e as Error)
              }
            }
          })
        })
        req.on('error', reject)
        req.end(payload)
      })
    },
    async close() {
      agent.destroy()
    },
  }
}

export async function jsonPoster(connections: number): Promise<JsonPoster> {
  return (await undiciPoster(connections)) ?? nodePoster(connections)
}
