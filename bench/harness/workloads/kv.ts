/**
 * The key/value workloads: kv-9010 (90% get, 10% put), kv-5050, and custom (any weights of get and
 * put). Values are a fixed block of seeded random bytes (not a repeated byte, which LevelDB's
 * compression would shrink to nothing); keys are drawn by the key distribution.
 */
import { SeededRandom } from '../../../src/core/seededRandom.js'
import { keyChooser, type KeyDist } from '../keys.js'
import { kvKey, type KvStore } from '../kvStore.js'
import { Mix, type MixWeights, type Operation, type Workload } from '../workload.js'

export const KV_MIXES: Readonly<Record<string, MixWeights>> = {
  'kv-9010': { get: 90, put: 10 },
  'kv-5050': { get: 50, put: 50 },
}

export const KV_OPS = ['get', 'put'] as const

export interface KvWorkloadOptions {
  name: string
  mix: MixWeights
  records: number
  valueBytes: number
  keys: KeyDist
  seed: number
}

/** The value every put writes: the same bytes for every store, from the seed. */
export function kvValue(bytes: number, seed: number): Buffer {
  const r = new SeededRandom(`bench:${seed}/value`)
  const b = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) b[i] = r.int(256)
  return b
}

export function kvWorkload(store: KvStore, o: KvWorkloadOptions): Workload {
  for (const k of Object.keys(o.mix)) if (!(KV_OPS as readonly string[]).includes(k)) throw new RangeError(`the key/value workloads know get and put, not "${k}"`)
  // Separate streams for the mix and the keys, so changing the mix does not move the key sequence.
  const root = new SeededRandom(`bench:${o.seed}`)
  const mix = new Mix(o.mix, root.fork('mix'))
  const key = keyChooser(o.keys, o.records, root.fork('keys'))
  const value = kvValue(o.valueBytes, o.seed)
  return {
    name: o.name,
    opNames: mix.opNames,
    next(): Operation {
      const name = mix.pick()
      const k = kvKey(key())
      return name === 'get' ? { name, run: async () => void (await store.get(k)) } : { name, run: () => store.put(k, value) }
    },
  }
}
