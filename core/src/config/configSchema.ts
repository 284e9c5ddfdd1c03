import * as v from 'valibot';
import { typeName } from './formatSchemaIssue';

const nonEmpty = v.pipe(v.string(), v.minLength(1));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** String keys to anything. Not an array: valibot's own record would take one, keyed "0", "1"... */
export const RecordSchema = v.pipe(
  v.custom<Record<string, unknown>>(isObject, (issue) => `expected record, received ${typeName(issue.input)}`),
  v.record(v.string(), v.unknown()),
);

/** valibot's strictObject, but refusing an array as the whole value (valibot reads `[]` as `{}`). */
export function strictObject<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  const schema = v.strictObject(entries);
  return v.pipe(v.custom<v.InferInput<typeof schema>>(isObject, (issue) => `expected object, received ${typeName(issue.input)}`), schema);
}

/** A plugin reference: a name (`grub`, `arbor-plugin-x`, a path) or `[name, options]`. */
export const PluginReferenceSchema = v.union([
  nonEmpty,
  v.strictTuple([nonEmpty, RecordSchema]),
]);

/** A bootloader writer's name; checked against the names plugins register once they are applied. */
/**
 * Changes to the plugins that presets brought, by plugin name, applied after the presets
 * expand and before the list's own `plugins` are added: `replace` swaps one in place,
 * `override` merges options into one, `exclude` drops one.
 */
export const PluginChangesEntries = {
  replace: v.optional(v.record(nonEmpty, PluginReferenceSchema)),
  override: v.optional(v.record(nonEmpty, RecordSchema)),
  exclude: v.optional(v.array(nonEmpty)),
};

export const BootloaderSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a bootloader name such as "grub", "systemd-boot", "bls" or "none"'));

/** A storage strategy's name (a `checkout` tap): `hardlink`, `reflink`, `copy`, or a plugin's. */
export const StorageSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a storage strategy name such as "hardlink", "reflink" or "copy"'));

/**
 * The config file (`arbor.config.*`, `.arborrc*`, `package.json#arbor`). Strict: an unknown key
 * is an error with a suggestion, so a typo never silently does nothing.
 */
export const ConfigSchema = strictObject({
  /** Presets to expand first, in order; `default` when absent. */
  preset: v.optional(v.union([nonEmpty, v.array(nonEmpty)])),
  /** The user's own plugins, applied after every preset's. */
  plugins: v.optional(v.array(PluginReferenceSchema)),
  ...PluginChangesEntries,
  bootloader: v.optional(BootloaderSchema),
  /** How deploy materializes a commit; `hardlink` when absent. */
  storage: v.optional(StorageSchema),
  /** The EFI system partition, for systemd-boot; `SYSROOT/boot/efi` when absent. */
  esp: v.optional(nonEmpty),
});

export type ConfigFile = v.InferOutput<typeof ConfigSchema>;
export type PluginReference = v.InferOutput<typeof PluginReferenceSchema>;
export type Bootloader = v.InferOutput<typeof BootloaderSchema>;
