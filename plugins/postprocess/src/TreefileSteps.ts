import fs from 'node:fs';
import path from 'node:path';
import { ArborError, ErrorCode, runInTree, treeHasProgram, type ComposeTree, type HookContext } from '@arbor/core';

/** The treefile keys this plugin acts on, as compose validated them (docs/compose.md). */
interface PostprocessKeys {
  'remove-files'?: string[];
  'add-files'?: [string, string][];
  units?: string[];
  'postprocess-script'?: string;
}

function keys(compose: ComposeTree): PostprocessKeys {
  return compose.treefile as PostprocessKeys;
}

/** A path inside the tree from a treefile path, refusing ones that climb out of it. */
export function treePath(tree: string, inside: string, key: string): string {
  const normalized = path.posix.normalize(`/${inside}`);
  if (normalized.split('/').includes('..')) {
    throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `${key}: "${inside}" leaves the tree`);
  }
  return path.join(tree, normalized);
}

/**
 * `units`: enables systemd units the way `systemctl enable` would for a preset-less image: a
 * symlink in `<target>.wants/` for each target the unit's [Install] WantedBy= names
 * (multi-user.target when it names none), under usr/lib/systemd/system so it survives as a
 * vendor default. A unit the tree does not have is an error.
 */
export async function enableUnits(compose: ComposeTree, context: HookContext): Promise<void> {
  const unitDir = path.join(compose.tree, 'usr/lib/systemd/system');
  for (const unit of keys(compose).units ?? []) {
    const file = [path.join(unitDir, unit), path.join(compose.tree, 'etc/systemd/system', unit)].find((candidate) => fs.existsSync(candidate));
    if (!file) {
      throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `units: ${unit} is not in the tree (usr/lib/systemd/system or etc/systemd/system)`);
    }
    const wantedBy = [...fs.readFileSync(file, 'utf8').matchAll(/^\s*WantedBy\s*=\s*(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    for (const target of wantedBy.length ? wantedBy : ['multi-user.target']) {
      const wants = path.join(unitDir, `${target}.wants`);
      fs.mkdirSync(wants, { recursive: true });
      const link = path.join(wants, unit);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(`/usr/lib/systemd/system/${unit}`, link);
      context.logger.debug(`enabled ${unit} for ${target}`);
    }
  }
}

/** `remove-files`: paths relative to the tree's root, deleted recursively (rpm-ostree's semantics). */
export async function removeFiles(compose: ComposeTree, context: HookContext): Promise<void> {
  for (const entry of keys(compose)['remove-files'] ?? []) {
    const target = treePath(compose.tree, entry, 'remove-files');
    if (!fs.existsSync(target) && !isSymlink(target)) {
      context.logger.warn(`remove-files: ${entry} is not in the tree`);
      continue;
    }
    fs.rmSync(target, { recursive: true, force: true });
  }
}

/** `add-files`: `[source, destination]`, source relative to the treefile, copied with its mode. */
export async function addFiles(compose: ComposeTree): Promise<void> {
  for (const [source, destination] of keys(compose)['add-files'] ?? []) {
    const from = path.resolve(compose.treefileDir, source);
    if (!fs.existsSync(from)) {
      throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `add-files: ${source} does not exist (looked in ${compose.treefileDir})`);
    }
    const to = treePath(compose.tree, destination, 'add-files');
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true, force: true, preserveTimestamps: false });
  }
}

/**
 * `postprocess-script`: copied into the tree's /tmp and run there with the tree as root (in
 * bubblewrap, like rpm-ostree), so it uses the tree's own interpreter. Its shebang names that
 * interpreter; a tree without it, or a non-zero exit, fails the compose.
 */
export async function runPostprocessScript(compose: ComposeTree, context: HookContext): Promise<void> {
  const script = keys(compose)['postprocess-script'];
  if (!script) return;
  const source = path.resolve(compose.treefileDir, script);
  let body: string;
  try {
    body = fs.readFileSync(source, 'utf8');
  } catch {
    throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `postprocess-script: cannot read ${source}`);
  }
  // Only the first line is the shebang: `#!/usr/bin/env bash` or `#!/bin/sh -e` (one optional argument, as the kernel passes it).
  const shebang = /^#![ \t]*(\S+)(?:[ \t]+([^\n]*\S))?/.exec(body);
  const argv = shebang ? [shebang[1]!, ...(shebang[2] ? [shebang[2]] : [])] : ['/bin/sh'];
  if (!treeHasProgram(compose.tree, argv[0]!)) {
    throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `postprocess-script: the tree has no ${argv[0]} to run ${script} with`);
  }
  const inside = '/tmp/arbor-postprocess';
  const result = await runInTree({ tree: compose.tree, argv: [...argv, inside], inputs: { [inside]: body }, signal: context.signal });
  if (result.status !== 0) {
    const detail = result.output.trim().split('\n').pop() ?? '';
    throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, `postprocess-script ${script} exited with status ${result.status}${detail ? `: ${detail}` : ''}`);
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
