#!/usr/bin/env node
// A client-library workload for the netns cluster; run it in the control namespace:
//   netns.sh exec ctl node cluster/netns/client.mjs put SEED BUCKET PREFIX FROM TO [W|pw=PW]
//   netns.sh exec ctl node cluster/netns/client.mjs get SEED BUCKET PREFIX FROM TO [R]
//   netns.sh exec ctl node cluster/netns/client.mjs replicas SEED BUCKET PREFIX FROM TO
// put writes PREFIX-FROM .. PREFIX-(TO-1) (value = key); get reads them; replicas lists in missing
// the keys some primary replica does not hold yet. Prints one JSON line:
// { ok, failed, errors: {code: count}, missing: [keys not found], wrong: [keys with another value] }.
import { connect } from '../../dist/src/client/index.js'

const [op, seed, bucket, prefix, from, to, q] = process.argv.slice(2)
if (!['put', 'get', 'replicas'].includes(op) || !to) {
  console.error('usage: client.mjs put|get|replicas SEED BUCKET PREFIX FROM TO [W|R]')
  process.exit(1)
}
const client = await connect({ seeds: [seed], routing: 'seed', maxRetries: 0, timeoutMs: 3_000 })
const out = { ok: 0, failed: 0, errors: {}, missing: [], wrong: [] }
for (let i = Number(from); i < Number(to); i++) {
  const key = `${prefix}-${i}`
  try {
    if (op === 'put') {
      await client.put(bucket, key, key, q ? putQuorum(q) : {})
    } else if (op === 'replicas') {
      const views = await client.replicas(bucket, key)
      if (views.length === 0 || !views.every((v) => v.found)) out.missing.push(key)
    } else {
      const r = await client.get(bucket, key, q ? { r: qOf(q) } : {})
      if (!r.found) out.missing.push(key)
      else if (!r.siblings.some((s) => s.value.toString() === key)) out.wrong.push(key)
    }
    out.ok++
  } catch (e) {
    out.failed++
    const code = e?.code ?? String(e)
    out.errors[code] = (out.errors[code] ?? 0) + 1
  }
}
await client.close()
console.log(JSON.stringify(out))

// "2" or "all" is W; "pw=all" is PW (primaries only), the one quorum a partition can deny
// for certain: W counts fallback vnodes once the failure detector routes around a node.
function putQuorum(s) {
  const m = /^pw=(.+)$/.exec(s)
  return m ? { pw: qOf(m[1]) } : { w: qOf(s) }
}

function qOf(s) {
  return /^\d+$/.test(s) ? Number(s) : s
}
