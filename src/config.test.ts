/** How the limits in config.ts must relate: one message of a batch always fits in a frame. */
import t from 'tap'
import { KV, LIMITS, NET, PATIENT } from './config.js'

t.test('a batched replica message fits a frame, whatever its objects', async (t) => {
  // A message holds up to maxReplicaBatchBytes of objects, or one object alone up to maxObjectBytes;
  // a quarter of the frame is left for keys, clocks, field names and framing.
  const worst = Math.max(KV.maxReplicaBatchBytes, LIMITS.maxObjectBytes)
  t.ok(worst <= NET.maxFrameBytes * 0.75, `worst message ${worst} bytes within 3/4 of the ${NET.maxFrameBytes}-byte frame`)
  t.ok(KV.maxReplicaBatchItems <= KV.maxBatchItems)
})

t.test('a whole load request goes out as one batched put', async (t) => {
  t.ok(PATIENT.maxLoadBatch <= KV.maxBatchItems)
})
