/** GetServerInfo's server_version: spinekv's own, from package.json, so a client's log says what it spoke to. */
import { readFileSync } from 'node:fs'

function packageVersion(): string {
  // Built, this file is dist/src/api/pb/version.js; run from source (tests), src/api/pb/version.ts.
  for (const up of ['../../../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === 'spinekv' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not this one
    }
  }
  return 'unknown'
}

/** spinekv's version (package.json), alone: /stats's riak_kv_version. */
export const VERSION = packageVersion()

export const SERVER_VERSION = `spinekv ${VERSION}`
