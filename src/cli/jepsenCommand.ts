/**
 * `spinekv jepsen`: a thin entry for the fault run in bench/faults (docs/testing.md, "Fault runs").
 * It starts `dist/bench/faults/run.js` as its own process with the same arguments rather than
 * importing it, so the CLI layer does not depend on bench; run.js owns the flags and the help.
 */
import { spawn } from 'node:child_process'
import type { Command } from 'commander'

export function registerJepsen(program: Command): void {
  program
    .command('jepsen')
    .description('Jepsen-style fault run on a netns cluster (root): `spinekv jepsen --help` for its flags')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]')
    .action((flags: string[]) => {
      const script = new URL('../../bench/faults/run.js', import.meta.url)
      const child = spawn(process.execPath, [script.pathname, ...flags], { stdio: 'inherit' })
      // The run tears its namespaces down on these; pass them on and wait for it to finish.
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig))
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
    })
}
