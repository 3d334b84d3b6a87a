#!/usr/bin/env node
/** The spinekv command line. */
import { Command, CommanderError } from 'commander'
import { registerBench } from './benchCommand.js'
import { registerCluster } from './clusterCommand.js'
import { registerDev } from './devCommand.js'
import { registerKv } from './kvCommand.js'
import { registerNode } from './nodeCommand.js'
import { registerPatient } from './patientCommand.js'
import { registerLoad } from './loadCommand.js'
import { registerJepsen } from './jepsenCommand.js'

const program = new Command()
program.name('spinekv').description('a Riak-style distributed key-value store for patient demographic records').version('0.1.0')
// Bad arguments exit 1 with commander's one-line reason (never a stack trace).
program.exitOverride((err: CommanderError) => {
  process.exit(err.exitCode === 0 ? 0 : 1)
})
registerNode(program)
registerDev(program)
registerKv(program)
registerCluster(program)
registerPatient(program)
registerLoad(program)
registerBench(program)
registerJepsen(program)
await program.parseAsync(process.argv)
