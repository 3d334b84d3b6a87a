/** The package's main export is the client library, resolved by name through package.json "exports". */
import { existsSync } from 'node:fs'
import t from 'tap'

t.test("import { connect } from 'spinekv' resolves to the built client with its types", async (t) => {
  const mod = (await import('spinekv')) as Record<string, unknown>
  t.type(mod.connect, 'function')
  t.type(mod.SpineError, 'function')
  t.ok(mod.ERROR_CODES && typeof mod.ERROR_CODES === 'object')
  t.ok(existsSync(new URL('../dist/src/client/index.d.ts', import.meta.url)), 'type declarations are built')
})

t.test('connect with no reachable seed fails with NO_SEED_ANSWERED', async (t) => {
  const { connect, SpineError } = (await import('spinekv')) as typeof import('../src/client/index.js')
  const err = await connect({ seeds: ['127.0.0.1:1'], connectTimeoutMs: 500 }).catch((e: unknown) => e)
  t.ok(err instanceof SpineError)
  t.equal((err as InstanceType<typeof SpineError>).code, 'NO_SEED_ANSWERED')
  const none = await connect({ seeds: [] }).catch((e: unknown) => e)
  t.equal((none as InstanceType<typeof SpineError>).code, 'INVALID_ARGUMENT')
})
