import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { backendConformance } from './backend.conformance.js'
import { LevelBackend } from './level.js'

backendConformance(
  t,
  'level',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spinekv-level-test-'))
    const backend = new LevelBackend(dir)
    const cleanup = async (): Promise<void> => {
      await backend.close()
      await rm(dir, { recursive: true, force: true })
    }
    return { backend, cleanup }
  },
  true,
)

t.test('level: a second backend on an open directory is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spinekv-level-test-'))
  const first = new LevelBackend(dir)
  const second = new LevelBackend(dir)
  t.teardown(async () => {
    await first.close()
    await second.close()
    await rm(dir, { recursive: true, force: true })
  })
  await first.open()
  await t.rejects(() => second.open())
  await t.rejects(() => second.get(0, Buffer.from('k')), { code: 'SHUTTING_DOWN' }, 'the refused backend stays closed')
})

t.test('level: concurrent opens share one database', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spinekv-level-test-'))
  const backend = new LevelBackend(dir, { cacheSize: 1024 * 1024, writeBufferSize: 1024 * 1024 })
  t.teardown(async () => {
    await backend.close()
    await rm(dir, { recursive: true, force: true })
  })
  await Promise.all([backend.open(), backend.open()])
  await backend.put(0, Buffer.from('k'), Buffer.from('v'))
  t.equal(Buffer.from((await backend.get(0, Buffer.from('k'))) ?? []).toString(), 'v')
})
