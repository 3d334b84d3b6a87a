/**
 * The peer's side of an exchange: its tree's root, branches and segments, and the keys of some
 * segments with their hashes. Only the owner of a partition answers (exchanges are between
 * primaries); a vnode whose trees are rebuilding answers `built: false` and the exchange waits.
 */
import { SpineError } from '../../shared/errors.js'
import { u32ToBytes } from '../../core/tictacTree.js'
import type { KvEnv } from '../../kv/env.js'
import type { AaeRequest } from '../messages.js'
import type { AaeManager } from './manager.js'
import type { TreeStore } from './treeStore.js'

export interface AaeServer {
  store: TreeStore
  manager: AaeManager
  maxKeysPerListing: number
  maxListingBytes: number
}

export async function serveAae(env: KvEnv, aae: AaeServer | undefined, req: AaeRequest): Promise<unknown> {
  if (req.op === 'aaeStatus') {
    if (!aae) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps no anti-entropy trees')
    return aae.manager.status()
  }
  if (!aae) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps no anti-entropy trees')
  if (env.ring().owners[req.p] !== env.self) throw new SpineError('NOT_OWNER', `${env.self} does not own partition ${req.p}`, { partition: req.p })
  const tree = aae.store.tree(req.p, req.hp, req.n)
  if (!tree) return { built: false }
  switch (req.op) {
    case 'aaeRoot':
      return { built: true, root: tree.root, shape: [tree.shape.branches, tree.shape.segmentsPerBranch] }
    case 'aaeBranches':
      return { built: true, l1: u32ToBytes(tree.level1) }
    case 'aaeSegs': {
      // Each branch at most once: the reply is 4 bytes per segment asked, so this bounds it by the tree's size.
      if (req.b.some((b) => b >= tree.shape.branches) || new Set(req.b).size !== req.b.length) throw new SpineError('INVALID_ARGUMENT', 'branch out of range or asked twice')
      const spb = tree.shape.segmentsPerBranch
      const out = new Uint32Array(req.b.length * spb)
      req.b.forEach((b, i) => out.set(tree.branch(b), i * spb))
      return { built: true, segs: u32ToBytes(out) }
    }
    case 'aaeKeys': {
      const keys = await aae.store.keysIn(req.p, req.hp, req.n, new Set(req.s), { keys: aae.maxKeysPerListing, bytes: aae.maxListingBytes })
      return { built: true, keys }
    }
  }
}
