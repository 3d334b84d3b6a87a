/** The reference pages must keep up with the code: every limit and every error code is documented. */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERROR_CODES } from '../src/shared/errors.js'
import * as config from '../src/config.js'

const configuration = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')
const api = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8')

t.test('every config group and name is in docs/configuration.md', async (t) => {
  for (const [group, values] of Object.entries(config)) {
    t.match(configuration, new RegExp(`## ${group}\\b`), `group ${group}`)
    for (const name of Object.keys(values as object)) t.match(configuration, `\`${name}\``, `${group}.${name}`)
  }
})

t.test('every error code is in the docs/api.md table', async (t) => {
  for (const code of Object.keys(ERROR_CODES)) t.match(api, new RegExp(`\\| \`${code}\` \\|`), code)
})
