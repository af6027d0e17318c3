import { environmentVariableOf, isConfigKey } from '@rivulet/common';

/**
 * `key=value` cluster settings (as given to a daemon's `-D`) as the RIVULET_*
 * variables the daemons and `rivulet run` read; `rivulet run` takes cluster
 * settings only from a file or the environment (its `--set` is for the job).
 * An unknown key is a mistake of the test: it throws, naming it.
 */
export function settingsEnvironment(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => {
    const [key, value] = pair.split(/=(.*)/s) as [string, string | undefined];
    if (value === undefined || !isConfigKey(key)) throw new Error(`not a key=value cluster setting: "${pair}"`);
    return [environmentVariableOf(key), value];
  }));
}
