/**
 * Availability over time as a standalone SVG, written by plain code: per bucket (a second by
 * default) the operations that completed ok, failed and timed out, stacked; each fault's span
 * shaded in its kind's colour; each unavailability window marked under the axis.
 */
import type { Window } from './checker.js'
import type { FaultKind, FaultRecord, Op } from './history.js'

const KIND_COLOUR: Record<FaultKind, string> = { kill: '#d62728', partition: '#9467bd', split: '#8c564b', cut: '#1f77b4', loss: '#e7a800' }
const RESULT_COLOUR = { ok: '#2ca02c', fail: '#d62728', timeout: '#ff7f0e' } as const

export interface ChartInput {
  ops: readonly Op[]
  faults: readonly FaultRecord[]
  windows: readonly Window[]
  start: number
  end: number
  bucketMs: number
  title: string
}

interface Bucket { ok: number; fail: number; timeout: number }

export function buckets(ops: readonly Op[], start: number, end: number, bucketMs: number): Bucket[] {
  const out: Bucket[] = Array.from({ length: Math.max(1, Math.ceil((end - start) / bucketMs)) }, () => ({ ok: 0, fail: 0, timeout: 0 }))
  for (const o of ops) {
    if (o.type === 'final' || o.complete < start || o.complete > end) continue
    const b = out[Math.min(out.length - 1, Math.floor((o.complete - start) / bucketMs))]!
    b[o.result]++
  }
  return out
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function niceStep(span: number, target: number): number {
  const raw = span / target
  const p = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
}

export function availabilitySvg(c: ChartInput): string {
  const W = 1100
  const H = 380
  const m = { l: 56, r: 20, t: 40, b: 64 }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const bs = buckets(c.ops, c.start, c.end, c.bucketMs)
  const max = Math.max(1, ...bs.map((b) => b.ok + b.fail + b.timeout))
  const spanS = (c.end - c.start) / 1000
  const x = (t: number) => m.l + ((t - c.start) / (c.end - c.start)) * pw
  const y = (v: number) => m.t + ph - (v / max) * ph
  const bw = pw / bs.length
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`)
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  parts.push(`<text x="${m.l}" y="18" font-size="14" font-weight="bold">${esc(c.title)}</text>`)
  for (const f of c.faults) {
    const x0 = Math.max(m.l, x(f.start))
    const x1 = Math.min(m.l + pw, x(f.end))
    if (x1 <= x0) continue
    parts.push(`<rect x="${x0.toFixed(1)}" y="${m.t}" width="${(x1 - x0).toFixed(1)}" height="${ph}" fill="${KIND_COLOUR[f.kind]}" fill-opacity="0.15"><title>${esc(f.what)}</title></rect>`)
    parts.push(`<text x="${(x0 + 2).toFixed(1)}" y="${m.t + 10}" fill="${KIND_COLOUR[f.kind]}" font-size="9">${esc(f.kind)}</text>`)
  }
  bs.forEach((b, i) => {
    let base = 0
    for (const r of ['ok', 'fail', 'timeout'] as const) {
      if (b[r] === 0) continue
      const top = y(base + b[r])
      parts.push(`<rect x="${(m.l + i * bw).toFixed(2)}" y="${top.toFixed(2)}" width="${Math.max(0.5, bw - 0.3).toFixed(2)}" height="${(y(base) - top).toFixed(2)}" fill="${RESULT_COLOUR[r]}"/>`)
      base += b[r]
    }
  })
  for (const w of c.windows) {
    parts.push(`<rect x="${x(w.start).toFixed(1)}" y="${m.t + ph + 3}" width="${Math.max(1, x(w.end) - x(w.start)).toFixed(1)}" height="5" fill="black"><title>no successful operation for ${(w.ms / 1000).toFixed(1)} s</title></rect>`)
  }
  parts.push(`<line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}" stroke="black"/>`)
  parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" stroke="black"/>`)
  const ys = niceStep(max, 4)
  for (let v = 0; v <= max; v += ys) parts.push(`<text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
  const xs = niceStep(spanS, 12)
  for (let s = 0; s <= spanS; s += xs) parts.push(`<text x="${x(c.start + s * 1000).toFixed(1)}" y="${m.t + ph + 20}" text-anchor="middle">${s}</text>`)
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 36}" text-anchor="middle">seconds since the workload began (bars: operations completed per ${c.bucketMs / 1000} s; black marks: no success for a window)</text>`)
  parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">operations</text>`)
  let lx = m.l
  const legend: Array<[string, string, number]> = [
    ...(['ok', 'fail', 'timeout'] as const).map((r): [string, string, number] => [r, RESULT_COLOUR[r], 1]),
    ...(Object.keys(KIND_COLOUR) as FaultKind[]).map((k): [string, string, number] => [k, KIND_COLOUR[k], 0.3]),
  ]
  for (const [label, colour, opacity] of legend) {
    parts.push(`<rect x="${lx}" y="${H - 16}" width="10" height="10" fill="${colour}" fill-opacity="${opacity}"/><text x="${lx + 14}" y="${H - 7}">${label}</text>`)
    lx += 24 + label.length * 7
  }
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
