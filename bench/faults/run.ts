#!/usr/bin/env node
/**
 * `node dist/bench/faults/run.js [flags]` (what `spinekv jepsen` runs): one fault run, its summary
 * on stdout. Exit 0 when the checker finds the history valid, 1 when it does not (an
 * acknowledged write lost, or a set that could not be read at the end), 2 when this machine
 * cannot run it (not root, no network namespaces), with the reason.
 */
import { fail } from '../../src/cli/format.js'
import { runJepsen } from './jepsen.js'
import { Netns } from './netns.js'
import { jepsenCommand, type JepsenOptions } from './options.js'
import { summaryLines } from './report.js'

async function main(o: JepsenOptions): Promise<void> {
  // Ctrl-C or a kill mid-run: the namespaces (and every node in them) go with the run.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`jepsen: ${sig}; tearing the namespaces down\n`)
      new Netns(o.prefix).downSync()
      process.exit(130)
    })
  }
  const outcome = await runJepsen(o)
  if ('skipped' in outcome) {
    process.stderr.write(`jepsen: cannot run here: ${outcome.skipped}\n`)
    process.exit(2)
  }
  const lines = summaryLines(outcome.run, outcome.verdict)
  process.stdout.write([...lines, `report: ${outcome.dir}/report.md (history.jsonl, faults.jsonl, report.json, availability.svg beside it)`].join('\n') + '\n')
  process.exit(outcome.verdict.valid ? 0 : 1)
}

await jepsenCommand((o) => main(o).catch((e: unknown) => fail(e)))
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 1))
  .parseAsync(process.argv)
