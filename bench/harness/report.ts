/**
 * result.json and report.html: a self-contained page (inline SVG, no script, nothing fetched) with
 * the run's settings and machine, the summary tables, the baseline ratios, and per target the
 * throughput over time and each operation's latency percentiles over time.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchResult, RunResult } from './result.js'
import { errorsText, int, ms } from './summary.js'

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

interface Series {
  name: string
  points: Array<[number, number]>
}

/** Round axis ticks: 1, 2 or 5 times a power of ten. */
function niceStep(range: number, ticks: number): number {
  const raw = range / ticks
  const p = 10 ** Math.floor(Math.log10(raw || 1))
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
}

/** A line chart; logY for latencies, whose spread covers decades. */
export function lineChart(title: string, yLabel: string, series: Series[], logY = false): string {
  const W = 760, H = 280, L = 64, R = 150, T = 28, B = 40
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!logY || y > 0))
  if (!pts.length) return `<p>${esc(title)}: no data</p>`
  const xMax = Math.max(...pts.map(([x]) => x), 1)
  let yMin = logY ? Math.min(...pts.map(([, y]) => y)) : 0
  let yMax = Math.max(...pts.map(([, y]) => y))
  if (logY) {
    yMin = 10 ** Math.floor(Math.log10(yMin))
    yMax = 10 ** Math.ceil(Math.log10(yMax))
    if (yMax <= yMin) yMax = yMin * 10
  } else yMax = yMax > 0 ? yMax * 1.05 : 1
  const fy = (y: number): number => (logY ? (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : y / yMax)
  const px = (x: number): number => L + (x / xMax) * (W - L - R)
  const py = (y: number): number => H - B - fy(y) * (H - T - B)
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`]
  out.push(`<text x="${L}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`)
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`)
  const yTicks: number[] = []
  if (logY) for (let v = yMin; v <= yMax * 1.0001; v *= 10) yTicks.push(v)
  else for (let v = 0, s = niceStep(yMax, 5); v <= yMax; v += s) yTicks.push(v)
  for (const v of yTicks) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#eee"/>`)
    out.push(`<text x="${L - 4}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${esc(v >= 1000 ? int(v) : +v.toPrecision(3))}</text>`)
  }
  for (let v = 0, s = niceStep(xMax, 8); v <= xMax; v += s) out.push(`<text x="${px(v).toFixed(1)}" y="${H - B + 14}" text-anchor="middle">${esc(+v.toPrecision(4))}</text>`)
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">seconds</text>`)
  out.push(`<text x="14" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">${esc(yLabel)}</text>`)
  series.forEach((s, i) => {
    const c = COLOURS[i % COLOURS.length]!
    const d = s.points.filter(([, y]) => Number.isFinite(y) && (!logY || y > 0)).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
    if (d.length) out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.6" points="${d.join(' ')}"/>`)
    out.push(`<line x1="${W - R + 10}" x2="${W - R + 28}" y1="${T + 10 + i * 16}" y2="${T + 10 + i * 16}" stroke="${c}" stroke-width="2"/>`)
    out.push(`<text x="${W - R + 32}" y="${T + 14 + i * 16}">${esc(s.name)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n')
}

function summaryTable(r: RunResult): string {
  const head = ['op', 'count', 'ops/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms'].map((h) => `<th>${h}</th>`).join('')
  const rows = Object.entries(r.ops).map(([name, s]) => {
    const cells = [name, int(s.count), int(s.opsPerSec), errorsText(s.errors), ms(s.latency.p50Ms), ms(s.latency.p95Ms), ms(s.latency.p99Ms), ms(s.latency.p999Ms), ms(s.latency.maxMs)]
    return `<tr>${cells.map((c, i) => `<td${i ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`
  })
  return `<table><tr>${head}</tr>${rows.join('')}</table>`
}

function runCharts(r: RunResult): string {
  const names = Object.keys(r.ops).filter((n) => n !== 'all')
  const tp: Series[] = names.map((n) => ({ name: n, points: r.timeline.map((p) => [p.t, (p.ops[n]?.count ?? 0) / (p.dt || 1)] as [number, number]) }))
  tp.unshift({ name: 'all', points: r.timeline.map((p) => [p.t, names.reduce((a, n) => a + (p.ops[n]?.count ?? 0), 0) / (p.dt || 1)] as [number, number]) })
  const parts = [lineChart(`${r.target}: throughput`, 'ops/s', tp)]
  for (const n of names) {
    const pct = (['p50Ms', 'p95Ms', 'p99Ms', 'p999Ms', 'maxMs'] as const).map((k) => ({
      name: k === 'maxMs' ? 'max' : k.replace('Ms', '').replace('p999', 'p99.9'),
      points: r.timeline.map((p) => [p.t, p.ops[n]?.[k] ?? NaN] as [number, number]),
    }))
    parts.push(lineChart(`${r.target}: ${n} latency per ${r.timeline[0]?.dt ?? 1} s interval`, 'ms (log)', pct, true))
  }
  return parts.join('\n')
}

export function reportHtml(res: BenchResult): string {
  const m = res.machine
  const cfg = Object.entries(res.config).filter(([, v]) => v !== undefined)
  const body: string[] = [
    `<h1>spinekv bench: ${esc(res.config.workload)}</h1>`,
    `<p><code>${esc(res.command)}</code></p>`,
    `<p>${esc(res.date)} — ${m.cores} cores (${esc(m.cpuModel)}), ${m.memoryGiB} GiB, Node ${esc(m.node)}, ${esc(m.platform)}, load average ${m.loadAverage} at the start.</p>`,
    `<details><summary>settings</summary><table>${cfg.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(JSON.stringify(v))}</td></tr>`).join('')}</table></details>`,
    `<p>Latency is measured from each operation's ${res.config.rate ? 'intended start (open loop: queueing delay included, no coordinated omission)' : 'sending (closed loop)'}.</p>`,
  ]
  for (const r of res.runs) {
    body.push(`<h2>${esc(r.target)}</h2><p>${esc(r.description)}; ${r.seconds.toFixed(1)} s measured${r.load ? `; loaded ${int(r.load.stored)} records in ${r.load.seconds.toFixed(1)} s (${int(r.load.recordsPerSec)}/s)` : ''}${r.abandoned ? `; ${r.abandoned} operations unanswered at the end` : ''}.</p>`)
    body.push(summaryTable(r))
  }
  if (Object.keys(res.ratios).length || res.skipped.length) {
    body.push('<h2>Baselines</h2><ul>')
    for (const [b, x] of Object.entries(res.ratios)) body.push(`<li>spinekv ops/s ÷ ${esc(b)} ops/s = <b>${x.toFixed(3)}</b></li>`)
    for (const s of res.skipped) body.push(`<li>${esc(s.baseline)} skipped: ${esc(s.reason)}</li>`)
    body.push('</ul>')
  }
  for (const r of res.runs) body.push(`<h2>${esc(r.target)} over time</h2>`, runCharts(r))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>spinekv bench ${esc(res.config.workload)} ${esc(res.date)}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px}td.n{text-align:right}svg{display:block;margin:1em 0}</style>
</head><body>
${body.join('\n')}
</body></html>
`
}

export function writeOutputs(dir: string, res: BenchResult): void {
  mkdirSync(dir, { recursive: true })
  // NaN (an operation with no answers) is not JSON; null says "no value".
  writeFileSync(join(dir, 'result.json'), JSON.stringify(res, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n')
  writeFileSync(join(dir, 'report.html'), reportHtml(res))
}
