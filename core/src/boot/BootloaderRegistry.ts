import { distance } from 'fastest-levenshtein';
import type { AsyncSeriesHook, HookMap } from 'tapable';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import type { BootloaderRequest, BootloaderWriter } from '../hooks';

/** `bootloader: none`: a sysroot whose boot configuration someone else manages. */
export const NO_BOOTLOADER = 'none';

/**
 * The bootloader writers a plugin set offers, keyed by name (ostree's bootloader interface,
 * one backend per plugin). Registering taps `hooks.bootloader.for(name)`, so writers show in
 * `arbor plugins` and their errors name the plugin like any tap's; the descriptor keeps what a
 * writer declares about itself (what it writes, whether its swap is atomic).
 */
export class BootloaderRegistry {
  private readonly writers = new Map<string, { plugin: string; writer: BootloaderWriter }>();

  constructor(private readonly hook: HookMap<AsyncSeriesHook<[BootloaderRequest, HookContext]>>) {
    this.writers.set(NO_BOOTLOADER, {
      plugin: 'arbor:core',
      writer: { name: NO_BOOTLOADER, writes: [], atomic: true, write: async () => {} },
    });
  }

  /** Called from a plugin's `apply()`; one writer per name. */
  register(plugin: string, writer: BootloaderWriter): void {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(writer.name)) {
      throw new ArborError(ErrorCode.PLUGIN_INVALID, `Plugin ${plugin} registers bootloader "${writer.name}": names are lowercase letters, digits, ".", "_" and "-"`);
    }
    const existing = this.writers.get(writer.name);
    if (existing) {
      throw new ArborError(ErrorCode.PLUGIN_DUPLICATE, `Bootloader "${writer.name}" is registered by ${existing.plugin} and again by ${plugin}`, {
        hint: 'Keep one of the two plugins in the config',
      });
    }
    this.writers.set(writer.name, { plugin, writer });
    this.hook.for(writer.name).tapPromise(plugin, (request, context) => writer.write(request, context));
  }

  get names(): string[] {
    return [...this.writers.keys()].sort();
  }

  has(name: string): boolean {
    return this.writers.has(name);
  }

  /** The writer and the plugin that registered it, for `arbor plugins` and the docs. */
  describe(): { name: string; plugin: string; writes: string[]; atomic: boolean }[] {
    return this.names.map((name) => {
      const { plugin, writer } = this.writers.get(name)!;
      return { name, plugin, writes: [...writer.writes], atomic: writer.atomic };
    });
  }

  /**
   * Checks a configured name, suggesting the closest registered one, or the shipped plugin
   * that registers it when that plugin is not loaded.
   */
  assertKnown(name: string, where: string): void {
    if (this.writers.has(name)) return;
    const candidates = [...new Set([...this.names, ...Object.keys(SHIPPED_WRITERS)])];
    const closest = candidates
      .map((known) => ({ known, d: distance(known, name) }))
      .sort((a, b) => a.d - b.d)[0];
    const meant = closest && closest.d <= Math.max(2, Math.floor(name.length / 3)) ? closest.known : undefined;
    const shipped = meant !== undefined && !this.writers.has(meant) ? SHIPPED_WRITERS[meant] : undefined;
    const hint = shipped
      ? `${meant === name ? '' : `Did you mean "${meant}"? `}It is registered by ${shipped.plugin}: add "${shipped.name}" to the config's plugins (${shipped.presets})`
      : `${meant !== undefined ? `Did you mean "${meant}"? ` : ''}Add the plugin that provides it to the config's plugins, or pick a known one`;
    throw new ArborError(ErrorCode.BOOTLOADER_UNKNOWN, `Bootloader "${name}" in ${where} is not registered by any plugin (known: ${this.names.join(', ')})`, { hint });
  }

  /** Runs the writer registered under `request.bootloader`. */
  async write(request: BootloaderRequest, context: HookContext): Promise<void> {
    this.assertKnown(request.bootloader, 'the sysroot config');
    if (request.bootloader === NO_BOOTLOADER) return;
    await this.hook.for(request.bootloader).promise(request, context);
  }
}

/** The writers Arbor's own plugins register, for the hint when the plugin is not loaded. */
const SHIPPED_WRITERS: Record<string, { plugin: string; name: string; presets: string }> = {
  bls: { plugin: '@arbor/plugin-bls', name: 'bls', presets: 'preset default has it' },
  grub: { plugin: '@arbor/plugin-grub', name: 'grub', presets: 'presets fedora and debian have it' },
  'systemd-boot': { plugin: '@arbor/plugin-systemd-boot', name: 'systemd-boot', presets: 'presets minimal and fedora-systemd-boot have it' },
};
