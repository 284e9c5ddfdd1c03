import { ArborError, v } from '@arbor/core';
import { SystemdBootErrorCode } from './SystemdBootErrorCode';

/** systemd's own default for new entries (kernel-install's `$KERNEL_INSTALL_BOOT_COUNTING`-style +3). */
export const DEFAULT_TRIES = 3;

export const SystemdBootOptionsSchema = v.strictObject({
  /**
   * Boot counting (systemd.io/AUTOMATIC_BOOT_ASSESSMENT): `true` names new entries `ID+3.conf`,
   * a number sets the tries. systemd-boot counts them down and, once an entry is out of tries,
   * boots the next one of the set; systemd-bless-boot drops the counter after a good boot.
   */
  bootCounting: v.optional(v.union([v.boolean(), v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(99))])),
  /**
   * The Extended Boot Loader partition (XBOOTLDR), absolute or relative to the sysroot. With
   * one, entries and kernels go there and only loader.conf stays on the ESP, as the Boot
   * Loader Specification lays it out.
   */
  xbootldr: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export type SystemdBootOptions = v.InferOutput<typeof SystemdBootOptionsSchema>;

/** The writer's settings: the plugin's options, overridden by those the sysroot records. */
export function resolveSystemdBootOptions(plugin: SystemdBootOptions, recorded: Record<string, unknown> | undefined): { tries?: number; xbootldr?: string } {
  const result = v.safeParse(SystemdBootOptionsSchema, recorded ?? {});
  if (!result.success) {
    const issue = result.issues[0]!;
    const key = issue.path?.map((item) => String(item.key)).join('.') ?? '';
    throw new ArborError(SystemdBootErrorCode.OPTIONS_INVALID, `The sysroot's systemd-boot options: ${key ? `${key}: ` : ''}${issue.message}`);
  }
  const merged = { ...plugin, ...result.output };
  const counting = merged.bootCounting;
  return {
    ...(counting === true ? { tries: DEFAULT_TRIES } : typeof counting === 'number' ? { tries: counting } : {}),
    ...(merged.xbootldr ? { xbootldr: merged.xbootldr } : {}),
  };
}
