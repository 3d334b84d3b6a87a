/**
 * Seeded chance (xoshiro128**) for the simulator and synthetic data. Each purpose
 * (network, faults, workload) takes its own stream with fork(label), derived from the seed and the
 * label alone, so drawing more numbers in one stream never shifts the choices of another: a change
 * to the workload does not silently change which messages the network drops.
 */
import { createHash } from 'node:crypto'
import type { Random } from './env.js'

const TWO_32 = 2 ** 32

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** 128 bits of state from a key string; SHA-256 so nearby seeds give unrelated streams. */
function stateFrom(key: string): [number, number, number, number] {
  const d = createHash('sha256').update(key).digest()
  const s: [number, number, number, number] = [d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12)]
  // xoshiro's one forbidden state is all zeros.
  if (s.every((w) => w === 0)) s[0] = 1
  return s
}

export class SeededRandom implements Random {
  private readonly s: [number, number, number, number]

  /** key names the stream: `seed:1234`, `seed:1234/net`, ... */
  constructor(readonly key: string) {
    this.s = stateFrom(key)
  }

  static forSeed(seed: number): SeededRandom {
    return new SeededRandom(`seed:${seed}`)
  }

  /** A separate stream for one purpose; does not consume draws from this one. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.key}/${label}`)
  }

  next(): number {
    return this.nextU32() / TWO_32
  }

  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Integer in [lo, hi], both ends included. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[this.int(items.length)] as T
  }

  /** Exponentially distributed with the given mean: the usual model of waiting times. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean
  }

  /** A random subset of items, in their original order. */
  subset<T>(items: readonly T[], p = 0.5): T[] {
    return items.filter(() => this.chance(p))
  }

  private nextU32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0
    const t = (s[1] << 9) >>> 0
    s[2] = (s[2] ^ s[0]) >>> 0
    s[3] = (s[3] ^ s[1]) >>> 0
    s[1] = (s[1] ^ s[2]) >>> 0
    s[0] = (s[0] ^ s[3]) >>> 0
    s[2] = (s[2] ^ t) >>> 0
    s[3] = rotl(s[3], 11)
    return result
  }
}
