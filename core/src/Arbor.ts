import type { Hook, HookMap, Tap } from 'tapable';
import { BootloaderRegistry } from './boot/BootloaderRegistry';
import { createHooks, type ArborHooks, type HookName } from './hooks';
import { assertPlugin, type ArborPlugin } from './Plugin';
import { ArborError } from './errors/ArborError';
import { ErrorCode } from './errors/codes';
import { wrapTapError } from './errors/wrapTapError';
import { silentLogger, silentProgress, type HookContext, type Logger, type ProgressReporter } from './HookContext';

/** One tap as `arbor plugins` reports it. */
export interface TapRecord {
  hook: HookName;
  /** For HookMaps (`fetch`, `source`): the key tapped, e.g. `https`. */
  key?: string;
  plugin: string;
  stage: number;
}

export interface ArborOptions {
  logger?: Logger;
  progress?: ProgressReporter;
}

type AnyHook = Hook<unknown[], unknown>;
type AnyTap = Tap & { fn: (...args: unknown[]) => unknown; type: string; stage?: number };

/**
 * The microkernel: it owns the hooks and the plugin list, and nothing concrete. Every
 * behavior (transports, storage, merge, bootloaders) comes from a plugin tapping a hook.
 */
export class Arbor {
  readonly hooks: Readonly<ArborHooks>;
  /** Bootloader writers by name; plugins register theirs in `apply()`. */
  readonly bootloaders: BootloaderRegistry;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  private readonly pluginList: ArborPlugin[] = [];
  private readonly tapList: TapRecord[] = [];

  constructor(options: ArborOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.progress = options.progress ?? silentProgress;
    this.hooks = createHooks();
    for (const [name, hook] of Object.entries(this.hooks) as [HookName, AnyHook | HookMap<AnyHook>][]) {
      if (isHookMap(hook)) {
        hook.intercept({
          factory: (key, created) => {
            this.instrument(name, created as AnyHook, String(key));
            return created;
          },
        });
      } else {
        this.instrument(name, hook);
      }
    }
    this.bootloaders = new BootloaderRegistry(this.hooks.bootloader);
  }

  /** Applies a plugin. Two plugins with the same name are an error, whatever their options. */
  use(plugin: ArborPlugin): this {
    assertPlugin(plugin, 'use()');
    if (this.pluginList.some((existing) => existing.name === plugin.name)) {
      throw new ArborError(ErrorCode.PLUGIN_DUPLICATE, `Plugin ${plugin.name} is applied twice`, {
        hint: 'Remove it from the config: a preset already includes it',
      });
    }
    this.pluginList.push(plugin);
    plugin.apply(this);
    return this;
  }

  get plugins(): readonly ArborPlugin[] {
    return this.pluginList;
  }

  /** Every tap, grouped by hook in the order the hook will run them (stage, then registration). */
  get taps(): readonly TapRecord[] {
    const order = new Map(Object.keys(this.hooks).map((name, index) => [name, index]));
    return this.tapList
      .map((tap, index) => ({ tap, index }))
      .sort((a, b) =>
        (order.get(a.tap.hook)! - order.get(b.tap.hook)!) ||
        (a.tap.key ?? '').localeCompare(b.tap.key ?? '') ||
        a.tap.stage - b.tap.stage ||
        a.index - b.index)
      .map(({ tap }) => tap);
  }

  /** The context object handed to every hook call; callers add repo or sysroot. */
  context(fields: Partial<HookContext> = {}): HookContext {
    return {
      logger: this.logger,
      progress: this.progress,
      signal: fields.signal ?? new AbortController().signal,
      ...fields,
    };
  }

  /** Wraps each tap as it registers: errors name the phase and plugin, and the tap is recorded. */
  private instrument(hook: HookName, target: AnyHook, key?: string): void {
    target.intercept({
      register: (tapInfo) => {
        const tap = tapInfo as AnyTap;
        this.tapList.push({ hook, key, plugin: tap.name, stage: tap.stage ?? 0 });
        return { ...tap, fn: wrapTapFunction(tap, hook) } as typeof tapInfo;
      },
    });
  }
}

function wrapTapFunction(tap: AnyTap, hook: HookName): (...args: unknown[]) => unknown {
  const original = tap.fn;
  switch (tap.type) {
    case 'promise':
      return async (...args) => {
        try {
          return await original(...args);
        } catch (error) {
          throw wrapTapError(error, hook, tap.name);
        }
      };
    case 'async':
      return (...args) => {
        const callback = args.pop() as (error?: unknown, result?: unknown) => void;
        try {
          original(...args, (error?: unknown, result?: unknown) =>
            error ? callback(wrapTapError(error, hook, tap.name)) : callback(null, result));
        } catch (error) {
          callback(wrapTapError(error, hook, tap.name));
        }
      };
    default:
      return (...args) => {
        try {
          return original(...args);
        } catch (error) {
          throw wrapTapError(error, hook, tap.name);
        }
      };
  }
}

function isHookMap(value: unknown): value is HookMap<AnyHook> {
  return typeof (value as HookMap<AnyHook>).for === 'function';
}
