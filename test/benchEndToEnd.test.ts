/**
 * One short `spinekv bench --local 3` run, end to end through the built CLI: a tiny load, a few
 * seconds of an open-loop kv mix with the in-process LevelDB baseline, and the files it writes.
 * Nothing here asserts a speed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { execFile } from 'node:child_process'
import { CLI } from './harness/devCluster.js'

/** The CLI with a longer leash than the shared helper's 60 s: a 3-node start on a busy 2-core CI box is slow. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0
      resolve({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr })
    })
  })
}

t.test('bench --local 3 writes result.json and report.html', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'spinekv-bench-test-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const r = await cli(['bench', '--local', '3', '--workload', 'kv-9010', '--records', '200', '--load', '200', '--duration', '2', '--warmup', '0.5', '--rate', '200', '--concurrency', '8', '--value-bytes', '256', '--baseline', 'level', '--out', out, '--quiet'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /spinekv: local 3-node cluster/)
  t.match(r.stdout, /spinekv ÷ level: \d/)
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    runs: Array<{ target: string; ops: Record<string, { count: number; latency: { p99Ms: number } }>; timeline: unknown[]; load: { stored: number } }>
    machine: { cores: number; memoryGiB: number }
    config: { rate: number; seed: number }
    ratios: Record<string, number>
  }
  t.same(result.runs.map((x) => x.target), ['spinekv', 'level'])
  const spine = result.runs[0]!
  t.equal(spine.load.stored, 200)
  t.ok(spine.ops.all!.count > 0 && spine.ops.get!.count > 0, 'operations were measured')
  t.ok(spine.ops.all!.latency.p99Ms > 0)
  t.ok(spine.timeline.length >= 2, 'a timeline point per second')
  t.ok(result.machine.cores > 0 && result.machine.memoryGiB > 0)
  t.equal(result.config.rate, 200)
  t.ok(result.ratios.level! > 0)
  const html = readFileSync(join(out, 'report.html'), 'utf8')
  t.match(html, /<svg/)
  t.match(html, /spinekv: throughput/)
  t.match(html, /spinekv: get latency/)
  t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no script, nothing fetched')
  t.ok(existsSync(join(out, 'report.html')))
})

t.test('bad settings fail with one line', async (t) => {
  const r = await cli(['bench', '--workload', 'custom', '--local', '1'])
  t.equal(r.code, 1)
  t.match(r.stderr, /needs a mix/)
  t.equal(r.stderr.trim().split('\n').length, 1)
})
