/**
 * `spinekv debug forget --data DIR --fraction F [--seed S]`: a fire drill for a disk that lost
 * data. Run against a stopped node's data directory, it deletes that fraction of the node's
 * stored objects — each object independently, by a seeded draw, so a run is repeatable — and
 * nothing else: indexes, dot counters, epochs and saved anti-entropy trees stay as they were, as
 * they would on a disk that lost some blocks. The node must find out by itself (docs/operations.md).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { SpineError } from '../shared/errors.js'
import { SeededRandom } from '../core/seededRandom.js'
import { isObjectPartition } from '../node/partitionSpace.js'
import type { BatchOp } from '../storage/backend.js'
import { LevelBackend } from '../storage/level.js'
import { fail, printJson } from './format.js'
import { usage } from './format.js'

interface ForgetOpts {
  data: string
  fraction: string
  seed: string
  json?: boolean
}

export interface ForgetResult {
  dataDir: string
  fraction: number
  seed: number
  partitions: number
  objects: number
  forgotten: number
}

export function registerForget(debug: Command): void {
  debug
    .command('forget')
    .description("delete a fraction of a STOPPED node's stored objects (and nothing else): a fire drill for a disk that lost data")
    .requiredOption('--data <dir>', "the node's data directory")
    .requiredOption('--fraction <f>', 'share of objects to delete, 0..1')
    .option('--seed <s>', 'seed of the draw (the same seed forgets the same objects)', '1')
    .option('--json', 'JSON output')
    .action((o: ForgetOpts) => forgetCommand(o).catch(fail))
}

async function forgetCommand(o: ForgetOpts): Promise<void> {
  const fraction = Number(o.fraction)
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(o.fraction) || !(fraction >= 0 && fraction <= 1)) usage(`--fraction must be a number in 0..1, got "${o.fraction}"`)
  if (!/^\d+$/.test(o.seed)) usage(`--seed must be a non-negative integer, got "${o.seed}"`)
  const r = await forget(o.data, fraction, Number(o.seed))
  if (o.json) return printJson(r)
  process.stdout.write(`forgot ${r.forgotten} of ${r.objects} objects in ${r.partitions} partitions of ${r.dataDir} (fraction ${r.fraction}, seed ${r.seed})\n`)
}

export async function forget(dataDir: string, fraction: number, seed: number): Promise<ForgetResult> {
  const dbDir = join(dataDir, 'leveldb')
  if (!existsSync(dbDir)) throw new SpineError('INVALID_ARGUMENT', `${dataDir} holds no node data (no leveldb directory)`)
  const backend = new LevelBackend(dbDir)
  try {
    await backend.open()
  } catch (e) {
    throw new SpineError('INVALID_ARGUMENT', `cannot open ${dbDir} (is the node still running? stop it first): ${String(e)}`)
  }
  const rng = new SeededRandom(`forget:${seed}`)
  let objects = 0
  let forgotten = 0
  try {
    const partitions = (await backend.partitions()).filter(isObjectPartition)
    for (const p of partitions) {
      let ops: BatchOp[] = []
      for await (const [key] of backend.fold(p)) {
        objects++
        if (!rng.chance(fraction)) continue
        ops.push({ type: 'del', partition: p, key })
        forgotten++
        if (ops.length >= 1000) {
          await backend.batch(ops, { sync: true })
          ops = []
        }
      }
      if (ops.length) await backend.batch(ops, { sync: true })
    }
    return { dataDir, fraction, seed, partitions: partitions.length, objects, forgotten }
  } finally {
    await backend.close()
  }
}
