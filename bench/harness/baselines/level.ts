/**
 * The storage ceiling: the same operations against one LevelDB opened in this process, through the
 * backend the nodes use (no replication, network or causality). Always available.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelBackend } from '../../../src/storage/level.js'
import type { KvStore } from '../kvStore.js'

export async function levelBaseline(): Promise<KvStore> {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-bench-level-'))
  const db = new LevelBackend(dir)
  await db.open()
  return {
    name: 'level',
    description: 'one LevelDB in the benchmark process (no replication, no network)',
    async get(key) {
      return (await db.get(0, Buffer.from(key))) !== undefined
    },
    put: (key, value) => db.put(0, Buffer.from(key), value),
    async close() {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
