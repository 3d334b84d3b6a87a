/**
 * The ledger of every dot a vnode ever minted, per key, read off the coordinated writes as the
 * vnodes serve them. A stored object may only hold dots from this ledger and clock entries no
 * higher than its actor ever went for that key; and no vnode may mint the same dot twice (that is
 * Riak's kv679: a vnode that forgot a key reuses its counters, and a replica that remembers the
 * old clock silently drops the new write as already seen).
 */
import { decodeObject } from '../core/objectCodec.js'
import type { Dot, KvObject } from '../core/object.js'
import { isActorOf } from '../node/vnodeEpoch.js'
import type { NodeName, Payload } from '../net/transport.js'

export interface Reissue {
  key: string
  actor: string
  counter: number
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export function keyId(k: Uint8Array): string {
  return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex')
}

/** The name of a node's vnode (Vnode.base), asked of the node rather than guessed. */
export type VnodeName = (node: NodeName, partition: number) => string

export class DotLedger {
  /** `${key} ${actor} ${counter}` of every minted dot */
  private readonly minted = new Set<string>()
  /** `${key} ${actor}` → highest counter minted */
  private readonly highest = new Map<string, number>()
  readonly reissued: Reissue[] = []

  constructor(private readonly vnodeName: VnodeName) {}

  /** A ServeProbe: called with every request a node served and its reply. */
  observe(node: NodeName, body: Payload, reply: Payload): void {
    if (!isRecord(body) || body.op !== 'vcoord' || !(body.k instanceof Uint8Array) || typeof body.p !== 'number') return
    if (!isRecord(reply) || !(reply.o instanceof Uint8Array)) return
    const key = keyId(body.k)
    const minted = mintedDot(decodeObject(reply.o), this.vnodeName(node, body.p))
    if (!minted) return
    const { actor, counter } = minted
    const id = `${key} ${actor} ${counter}`
    if (this.minted.has(id)) this.reissued.push({ key, actor, counter })
    this.minted.add(id)
    const hk = `${key} ${actor}`
    this.highest.set(hk, Math.max(this.highest.get(hk) ?? 0, counter))
  }

  wasMinted(key: string, actor: string, counter: number): boolean {
    return this.minted.has(`${key} ${actor} ${counter}`)
  }

  wasReissued(key: string, actor: string, counter: number): boolean {
    return this.reissued.some((r) => r.key === key && r.actor === actor && r.counter === counter)
  }

  highestMinted(key: string, actor: string): number {
    return this.highest.get(`${key} ${actor}`) ?? 0
  }
}

/**
 * The dot a coordinated write minted: the newest sibling of any epoch of the coordinating vnode
 * (its counter rises across epochs, so the newest is the one just minted).
 */
function mintedDot(obj: KvObject, vnode: string): Dot | undefined {
  let best: Dot | undefined
  for (const s of obj.siblings) if (isActorOf(s.dot.actor, vnode) && (!best || s.dot.counter > best.counter)) best = s.dot
  return best
}
