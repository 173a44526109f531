export { settings, type ServerConfig, type SettingName } from './settings.js';
export { loadServerConfig, ConfigError, type ConfigSources } from './load.js';
export { clientDefaults } from './client.js';
export { GITHUB_PRESET, PROVIDER_ID, type OidcProviderSetting } from './oidc-providers.js';
