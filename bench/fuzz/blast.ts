/**
 * Sends hostile frames (frames.ts) to live ports over many short connections, a fixed number at
 * once. Each connection (to the client port, or the cluster port after a hello) carries frames
 * until one breaks the stream or a per-connection count is reached, then a ping whose reply shows
 * the node read everything before it. The connection then ends one of three ways, each counted:
 * the node closed it (a frame fault), the ping was answered, or the node was still waiting for the
 * rest of a frame (a cut-off length, known in advance by decoding the payload here). A connection
 * that should have been answered or closed and was neither is counted as unanswered.
 */
import { connect, type Socket } from 'node:net'
import { SeededRandom } from '../../src/core/seededRandom.js'
import { encodeFrame, FrameDecoder } from '../../src/net/frame.js'
import { helloFrame, nextFrame, type FrameContext, type FrameKind, type Port } from './frames.js'

export interface Target {
  port: Port
  host: string
  portNumber: number
}

export interface BlastOptions {
  targets: readonly Target[]
  frames: number
  connections: number
  seed: number
  context: FrameContext
  /** Most frames on one connection. */
  maxFramesPerConnection: number
  /** How long a connection whose last frame is cut off (the node waits for the rest) is kept after the write. */
  idleMs: number
  /** How long any other connection waits for the node to answer the ping or close it; past it, `unanswered`. */
  answerMs: number
  /** Called every 10,000 frames or so with the frames drawn so far. */
  progress?: (sent: number) => void
}

export interface BlastCounts {
  framesSent: number
  byKind: Record<FrameKind, number>
  connections: number
  /** The node closed the connection (FRAME_TOO_LARGE, MALFORMED_FRAME, or a bad hello...). */
  closedByNode: number
  /** The closing ping was answered: the node read every frame and kept the connection. */
  pingAnswered: number
  /** The last frame was cut off, so the node waited for the rest of it; we closed it after idleMs. */
  leftWaiting: number
  /** Neither a ping reply nor a close within answerMs where one was due: a node that stopped serving. Should be 0. */
  unanswered: number
  /** Connections that could not be made (refused: the node was down or at a connection limit). */
  connectFailed: number
}

const PING_ID = 0xffff_fff0

/**
 * What the node must do with a payload, found by running the same frame decoder over it here:
 * close the connection (a frame fault), read it all and answer the closing ping (or close it for a
 * message it cannot take), or wait for the rest of a frame whose length runs past the payload.
 */
type Expect = 'close' | 'answer' | 'wait'

function expectOf(payload: Buffer, maxFrameBytes: number): Expect {
  const sim = new FrameDecoder(maxFrameBytes)
  try {
    sim.push(payload)
  } catch {
    return 'close'
  }
  return sim.pendingBytes > 0 ? 'wait' : 'answer'
}

type Outcome = 'closed' | 'answered' | 'waiting' | 'unanswered' | 'failed'

function oneConnection(target: Target, payload: Buffer, expect: Expect, idleMs: number, answerMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false
    let connected = false
    const decoder = new FrameDecoder(64 * 1024 * 1024)
    let socket: Socket | undefined = undefined
    const finish = (how: Outcome): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket?.destroy()
      resolve(how)
    }
    // A connection expected to wait is given idleMs after the write; any other answerMs, however loaded the machine.
    let timer = setTimeout(() => finish('failed'), answerMs)
    socket = connect({ host: target.host, port: target.portNumber }, () => {
      connected = true
      socket!.write(payload)
      clearTimeout(timer)
      timer = expect === 'wait' ? setTimeout(() => finish('waiting'), idleMs) : setTimeout(() => finish('unanswered'), answerMs)
    })
    socket.on('data', (chunk: Buffer) => {
      let replies: unknown[]
      try {
        replies = decoder.push(chunk)
      } catch {
        return finish('closed')
      }
      if (replies.some((m) => Array.isArray(m) && m[1] === PING_ID)) finish('answered')
    })
    socket.on('error', () => finish(connected ? 'closed' : 'failed'))
    socket.on('close', () => finish(connected ? 'closed' : 'failed'))
  })
}

export async function blast(o: BlastOptions): Promise<BlastCounts> {
  const rng = SeededRandom.forSeed(o.seed).fork('fuzz-frames')
  const counts: BlastCounts = {
    framesSent: 0,
    byKind: { valid: 0, bodyMutated: 0, frameMutated: 0, randomBody: 0, rawBytes: 0, oversized: 0, fieldReplaced: 0 },
    connections: 0,
    closedByNode: 0,
    pingAnswered: 0,
    leftWaiting: 0,
    unanswered: 0,
    connectFailed: 0,
  }
  let planned = 0
  let lastProgress = 0
  /** The next connection's bytes, drawn in order from the one stream so a seed replays the same frames. */
  const plan = (): { target: Target; payload: Buffer; frames: number; expect: Expect } | undefined => {
    if (planned >= o.frames) return undefined
    const target = o.targets[rng.int(o.targets.length)]!
    const parts: Buffer[] = []
    if (target.port === 'cluster' && !rng.chance(0.05)) parts.push(helloFrame(rng))
    const want = 1 + rng.int(o.maxFramesPerConnection)
    let frames = 0
    for (let i = 0; i < want && planned < o.frames; i++) {
      const f = nextFrame(rng, target.port, o.context)
      parts.push(f.bytes)
      planned++
      frames++
      counts.byKind[f.kind]++
      if (f.breaksStream) break
    }
    parts.push(encodeFrame([0, PING_ID, { op: 'ping' }]))
    const payload = Buffer.concat(parts)
    return { target, payload, frames, expect: expectOf(payload, o.context.maxFrameBytes) }
  }
  const worker = async (): Promise<void> => {
    for (let next = plan(); next !== undefined; next = plan()) {
      counts.connections++
      const how = await oneConnection(next.target, next.payload, next.expect, o.idleMs, o.answerMs)
      if (how === 'closed') counts.closedByNode++
      else if (how === 'answered') counts.pingAnswered++
      else if (how === 'waiting') counts.leftWaiting++
      else if (how === 'unanswered') counts.unanswered++
      else counts.connectFailed++
      // Frames of a connection that was never made were not sent.
      if (how !== 'failed') counts.framesSent += next.frames
      if (o.progress && planned - lastProgress >= 10_000) {
        lastProgress = planned
        o.progress(planned)
      }
    }
  }
  await Promise.all(Array.from({ length: o.connections }, () => worker()))
  return counts
}
