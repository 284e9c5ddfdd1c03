import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import type { LayeredPackage, LayerRequests, LayerResult } from '../../hooks';
import { LocalPackages } from './LocalPackages';

/** One command's change to a deployment's requests. */
export type LayerChange =
  | { kind: 'install'; items: string[] }
  | { kind: 'uninstall'; items: string[] }
  | { kind: 'override-remove'; names: string[] }
  | { kind: 'override-replace'; files: string[] }
  | { kind: 'override-reset'; items: string[]; all?: boolean };

/** What an edit needs besides the requests: where files are kept, and what the last layering did. */
export interface EditContext {
  packages: LocalPackages;
  /** The layer result of the deployment being changed, to reset a replacement by package name. */
  result?: LayerResult;
  /** Package files this edit copied into the sysroot (a failed command deletes them again). */
  added: string[];
}

/** Characters a request cannot hold: the origin's list separator, whitespace, controls, paths. */
const NOT_IN_NAME = /[\s;/\\\x00-\x1f\x7f]/;

/** `FILE.rpm` or anything path-like is a file; everything else names a package. */
export function isPackageFile(item: string): boolean {
  return item.endsWith('.rpm') || item.includes('/');
}

/**
 * Applies a change to requests and returns the new requests, refusing, with the item named,
 * what cannot be done: an invalid name, installing what is requested, removing what is not.
 */
export function editRequests(current: LayerRequests, change: LayerChange, context: EditContext): LayerRequests {
  const next: LayerRequests = {
    packages: [...current.packages],
    localPackages: [...current.localPackages],
    removals: [...current.removals],
    replacements: [...current.replacements],
  };
  switch (change.kind) {
    case 'install':
      for (const item of nonEmpty(change.items, 'install')) {
        if (isPackageFile(item)) addOnce(next.localPackages, keep(item, context), item, 'installed');
        else addOnce(next.packages, packageName(item), item, 'installed');
      }
      break;
    case 'uninstall':
      for (const item of nonEmpty(change.items, 'uninstall')) {
        if (isPackageFile(item)) dropOnce(next.localPackages, matchFile(item, next.localPackages), item, 'installed');
        else if (next.packages.includes(item)) dropOnce(next.packages, packageName(item), item, 'installed');
        else dropOnce(next.localPackages, fileInstalling(packageName(item), next.localPackages, context.result?.added ?? []), item, 'installed', requestedNames(next, context));
      }
      break;
    case 'override-remove':
      for (const name of nonEmpty(change.names, 'override remove')) addOnce(next.removals, packageName(name), name, 'removed');
      break;
    case 'override-replace':
      for (const file of nonEmpty(change.files, 'override replace')) addOnce(next.replacements, keep(file, context), file, 'replaced');
      break;
    case 'override-reset':
      if (change.all) {
        if (next.removals.length + next.replacements.length === 0) {
          throw new ArborError(ErrorCode.LAYER_NOT_REQUESTED, 'No base package is removed or replaced: there are no overrides to reset');
        }
        next.removals = [];
        next.replacements = [];
        break;
      }
      for (const item of nonEmpty(change.items, 'override reset')) resetOne(next, item, context);
      break;
  }
  return next;
}

function resetOne(next: LayerRequests, item: string, context: EditContext): void {
  if (isPackageFile(item)) {
    dropOnce(next.replacements, matchFile(item, next.replacements), item, 'replaced');
    return;
  }
  const name = packageName(item);
  if (next.removals.includes(name)) {
    next.removals.splice(next.removals.indexOf(name), 1);
    return;
  }
  // A replacement is recorded by its file; by name it is found through what the last layering replaced.
  const replaced = context.result?.replaced.filter((entry) => entry.from.name === name || entry.to.name === name) ?? [];
  const file = fileInstalling(name, next.replacements, replaced.map((entry) => entry.to));
  if (next.replacements.includes(file)) {
    next.replacements.splice(next.replacements.indexOf(file), 1);
    return;
  }
  // A layering recorded before packages named their files: a lone replacement is the one meant.
  if (replaced.length && next.replacements.length === 1) {
    next.replacements = [];
    return;
  }
  throw new ArborError(ErrorCode.LAYER_NOT_REQUESTED, `${name} is not an override: no request removes it${replaced.length ? ', and several files replace base packages' : ' or replaces it'}`, {
    hint: next.removals.length + next.replacements.length
      ? `Overrides: ${[...next.removals, ...next.replacements].join(', ')}; reset a replacement by its file, or all with --all`
      : 'There are no overrides to reset',
  });
}

/**
 * The recorded file among `recorded` that layered a package called `name` (or of that NEVRA),
 * as the last layering reported it; `name` itself when none did, so the caller's "not
 * requested" error names what the admin typed.
 */
function fileInstalling(name: string, recorded: readonly string[], layered: readonly LayeredPackage[]): string {
  const byContent = new Map(recorded.map((entry) => [path.basename(entry), entry]));
  for (const pkg of layered) {
    if ((pkg.name === name || pkg.nevra === name) && pkg.file !== undefined) {
      const entry = byContent.get(path.basename(pkg.file));
      if (entry) return entry;
    }
  }
  return name;
}

/** What `uninstall` can take: the requested names, and the names the local package files installed. */
function requestedNames(requests: LayerRequests, context: EditContext): string[] {
  const local = new Set(requests.localPackages.map((entry) => path.basename(entry)));
  const fromFiles = (context.result?.added ?? []).filter((pkg) => pkg.file !== undefined && local.has(path.basename(pkg.file))).map((pkg) => `${pkg.name} (${path.basename(pkg.file!)})`);
  return [...requests.packages, ...fromFiles];
}

function nonEmpty(items: string[], command: string): string[] {
  if (items.length === 0) {
    throw new ArborError(ErrorCode.USAGE, `arbor ${command} needs at least one package`, { hint: `arbor ${command} --help shows examples`, exitCode: 2 });
  }
  return items;
}

/** A package name as a request: not empty, not an option, no path, nothing the origin cannot store. */
export function packageName(item: string): string {
  if (item.length === 0 || item.startsWith('-') || NOT_IN_NAME.test(item)) {
    throw new ArborError(ErrorCode.LAYER_REQUEST_INVALID, `"${item}" is not a package name`, {
      hint: 'Name a package (e.g. htop) or give the path of an .rpm file',
    });
  }
  return item;
}

function keep(file: string, context: EditContext): string {
  const kept = context.packages.keep(path.resolve(file));
  if (kept.added) context.added.push(kept.recorded);
  return kept.recorded;
}

/** The recorded entry a file argument means: the recorded path itself, or a file with the same content. */
function matchFile(item: string, recorded: readonly string[]): string {
  if (LocalPackages.isRecordedPath(item) && recorded.includes(item)) return item;
  if (!fs.existsSync(item)) return item;
  return LocalPackages.recordedPath(LocalPackages.idOf(path.resolve(item)));
}

function addOnce(list: string[], entry: string, item: string, verb: string): void {
  if (list.includes(entry)) {
    throw new ArborError(ErrorCode.LAYER_ALREADY_REQUESTED, `${item} is already ${verb} by a request of this deployment${entry !== item ? ` (${entry})` : ''}`, {
      hint: 'arbor status shows what each deployment requests',
    });
  }
  list.push(entry);
}

function dropOnce(list: string[], entry: string, item: string, verb: string, names: readonly string[] = list): void {
  const index = list.indexOf(entry);
  if (index < 0) {
    throw new ArborError(ErrorCode.LAYER_NOT_REQUESTED, `${item} is not ${verb} by a request of this deployment`, {
      hint: names.length ? `Requested: ${names.join(', ')}` : 'arbor status shows what each deployment requests',
    });
  }
  list.splice(index, 1);
}
