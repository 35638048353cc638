export {
  DEFAULT_LIBCAPI20,
  defaultAddonPath,
  type LoadOptions,
  loadNativeCapi,
  type NativeAppStats,
  type NativeCapiAddon,
} from './addon.js';
export { CAPI_INFO, LibCapi20MissingError, NativeAddonNotBuiltError } from './errors.js';
export { NativeApplication, NativeTransport, type NativeTransportOptions } from './native-transport.js';
export {
  CAPI_SHM_FILES,
  capiProcesses,
  cleanupCapiSharedMemory,
  type ShmCleanupOptions,
  type ShmCleanupResult,
} from './shm-cleanup.js';
