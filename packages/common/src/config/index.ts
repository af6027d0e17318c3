export { loadConfiguration, parseKeyValuePairs, type Configuration, type ConfigurationSources } from './load-configuration.js';
export { CONFIG_KEYS, CONFIG_OPTIONS, JOB_SCOPED_KEYS, environmentVariableOf, isConfigKey, type ConfigKey, type ConfigOption } from './options.js';
