/** `spinekv kv get|put|delete` and `spinekv debug replicas`: support work against a node's client port. */
import type { Command } from 'commander'
import { SpineError } from '../shared/errors.js'
import type { Sibling } from '../client/types.js'
import { HOST_HELP, withClient } from './client.js'
import { fail, printJson, table } from './format.js'
import { contextArg, intArg, quorumArg, valueArg } from './parse.js'
import { registerForget } from './forget.js'

interface Common {
  host?: string
  type?: string
  json?: boolean
  timeout?: string
}

function common(cmd: Command): Command {
  return cmd
    .option('--host <host:port>', HOST_HELP)
    .option('--type <type>', 'bucket type', 'default')
    .option('--timeout <ms>', 'operation timeout in ms')
    .option('--json', 'JSON output')
}

export function registerKv(program: Command): void {
  const kv = program.command('kv').description('get, put and delete keys (exit 0 ok, 3 not found, 1 failure)')
  common(kv.command('get <bucket> <key>').description('read a key; prints every sibling'))
    .option('--r <r>', 'read quorum (number, one, quorum, all)')
    .option('--pr <pr>', 'primary read quorum')
    .action((bucket: string, key: string, o: Common & { r?: string; pr?: string }) => get(bucket, key, o).catch(fail))
  common(kv.command('put <bucket> <key> <value>').description('write VALUE (or @file)'))
    .option('--w <w>', 'write quorum')
    .option('--pw <pw>', 'primary write quorum')
    .option('--dw <dw>', 'durable write quorum')
    .option('--content-type <ct>', 'content type', 'application/octet-stream')
    .option('--context <b64>', 'causal context from kv get (resolves the siblings it saw)')
    .action((bucket: string, key: string, value: string, o: Common & PutFlags) => put(bucket, key, value, o).catch(fail))
  common(kv.command('delete <bucket> <key>').description('delete a key (a tombstone, reaped later)'))
    .option('--w <w>', 'write quorum')
    .option('--context <b64>', 'causal context from kv get')
    .action((bucket: string, key: string, o: Common & { w?: string; context?: string }) => del(bucket, key, o).catch(fail))

  const debug = program.command('debug').description('operator diagnostics')
  debug
    .command('replicas <bucket> <keys...>')
    .description("each primary's own copy of each key, without read repair")
    .option('--host <host:port>', 'client port of the node to ask')
    .option('--type <type>', 'bucket type', 'default')
    .option('--json', 'JSON output')
    .action((bucket: string, keys: string[], o: Common) => replicas(bucket, keys, o).catch(fail))
  registerForget(debug)
}

interface PutFlags {
  w?: string
  pw?: string
  dw?: string
  contentType: string
  context?: string
}

function timeoutOf(o: Common): number | undefined {
  return intArg('timeout', o.timeout, 1, 120_000)
}

/** Values print as UTF-8; --json carries them the same way (patient records are JSON text). */
function show(s: Sibling): string {
  return s.value.toString('utf8')
}

async function get(bucket: string, key: string, o: Common & { r?: string; pr?: string }): Promise<void> {
  const opts = { type: o.type, r: quorumArg('r', o.r), pr: quorumArg('pr', o.pr), timeoutMs: timeoutOf(o) }
  const res = await withClient(o, (c) => c.get(bucket, key, opts))
  const context = res.context?.toString('base64') ?? null
  if (o.json) {
    printJson({ found: res.found, context, siblings: res.siblings.map((s) => ({ ...s, value: s.value.toString('utf8') })) })
  } else if (res.siblings.length === 1) {
    process.stdout.write(show(res.siblings[0]!) + '\n')
  } else {
    res.siblings.forEach((s, i) => process.stdout.write(`--- sibling ${i + 1} of ${res.siblings.length} (${s.contentType}, ${new Date(s.lastModified).toISOString()})\n${show(s)}\n`))
  }
  if (!o.json && context) process.stderr.write(`context: ${context}\n`)
  if (!res.found) throw new SpineError('NOT_FOUND', `${bucket}/${key} not found`)
}

async function put(bucket: string, key: string, value: string, o: Common & PutFlags): Promise<void> {
  const opts = {
    type: o.type,
    w: quorumArg('w', o.w),
    pw: quorumArg('pw', o.pw),
    dw: quorumArg('dw', o.dw),
    contentType: o.contentType,
    context: contextArg(o.context),
    timeoutMs: timeoutOf(o),
  }
  const bytes = valueArg(value)
  const res = await withClient(o, (c) => c.put(bucket, key, bytes, opts))
  if (o.json) printJson({ ok: true, context: res.context.toString('base64') })
  else process.stdout.write(`stored ${bucket}/${key}\n`)
}

async function del(bucket: string, key: string, o: Common & { w?: string; context?: string }): Promise<void> {
  const opts = { type: o.type, w: quorumArg('w', o.w), context: contextArg(o.context), timeoutMs: timeoutOf(o) }
  await withClient(o, (c) => c.delete(bucket, key, opts))
  if (o.json) printJson({ ok: true })
  else process.stdout.write(`deleted ${bucket}/${key}\n`)
}

async function replicas(bucket: string, keys: string[], o: Common): Promise<void> {
  const results = await withClient(o, async (c) => Promise.all(keys.map(async (key) => ({ key, replicas: await c.replicas(bucket, key, { type: o.type }) }))))
  if (o.json) return printJson(results)
  const rows = results.flatMap(({ key, replicas: rs }) =>
    rs.map((r) => [key, r.node, r.partition, r.error ? `error ${r.error}` : r.found ? (r.deleted ? 'tombstone' : 'found') : 'notfound', (r.clock ?? []).map(([a, n]) => `${a}:${n}`).join(' ')]),
  )
  process.stdout.write(table(['key', 'node', 'partition', 'copy', 'clock'], rows) + '\n')
}
