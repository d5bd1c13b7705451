/** Runs the `pnpm keys` CLI as a partner's operator would, against a given environment. */
export { createKey, runKeysCli } from '../../scripts/lib/keys-cli';
