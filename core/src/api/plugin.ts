/**
 * `@arbor/core/plugin`: what a plugin's `apply()` needs, and nothing that costs start-up (no
 * store, no config loader, no CLI). Hook payload types, `definePlugin`, errors and valibot.
 */
export * from '../hooks';
export type { HookContext, Logger, ProgressReporter, ProgressTask } from '../HookContext';
export type { Arbor } from '../Arbor';
export type { BootloaderRegistry } from '../boot/BootloaderRegistry';
export { definePlugin, assertPlugin, type ArborPlugin, type PluginFactory, type PluginDefinition } from '../Plugin';
export { definePreset, type Preset } from '../Preset';
export { ArborError, isArborError, type ArborErrorOptions } from '../errors/ArborError';
export { ErrorCode } from '../errors/codes';
export * as v from 'valibot';
