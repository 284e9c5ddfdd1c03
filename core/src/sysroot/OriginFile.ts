import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { LayerRequests } from '../hooks';
import { KeyFile } from './KeyFile';
import { writeFileAtomic } from './writeFileAtomic';

const ORIGIN = 'origin';
const DEPLOYMENT = 'deployment';
const ETC_MERGE = 'etc-merge';
const PACKAGES = 'packages';
const OVERRIDES = 'overrides';

/**
 * A deployment's `.origin` file: where it came from and how to redo it. Like ostree's, it is
 * a key file beside the deployment directory:
 *
 *     [origin]
 *     refspec=os:os/x86_64/stable
 *
 *     [deployment]
 *     kargs=root=/dev/vda2;quiet;
 *     pinned=false
 *
 *     [etc-merge]
 *     conflicts=ssh/sshd_config;
 *
 *     [packages]
 *     requested=htop;
 *     requested-local=/arbor/packages/<id>.rpm;
 *
 *     [overrides]
 *     remove=nano;
 *     replace-local=/arbor/packages/<id>.rpm;
 *
 * `override-commit` in [origin] pins the commit `deploy <commit>` chose while `refspec` still
 * names what `upgrade` follows from there.
 *
 * Groups this class does not know are kept as they are when the file is rewritten.
 */
export class OriginFile {
  private constructor(private readonly keys: KeyFile) {}

  static create(options: { refspec: string; kargs?: readonly string[]; pinned?: boolean }): OriginFile {
    const origin = new OriginFile(new KeyFile());
    origin.refspec = options.refspec;
    origin.kargs = options.kargs ?? [];
    origin.pinned = options.pinned ?? false;
    return origin;
  }

  static parse(text: string, source: string): OriginFile {
    let keys: KeyFile;
    try {
      keys = KeyFile.parse(text, source);
      keys.getBoolean(DEPLOYMENT, 'pinned');
    } catch (error) {
      throw new ArborError(ErrorCode.ORIGIN_INVALID, `Origin file ${source} is invalid: ${(error as Error).message}`);
    }
    if (!keys.get(ORIGIN, 'refspec')) {
      throw new ArborError(ErrorCode.ORIGIN_INVALID, `Origin file ${source} has no [origin] refspec`);
    }
    return new OriginFile(keys);
  }

  static read(file: string): OriginFile {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new ArborError(ErrorCode.ORIGIN_INVALID, `Cannot read origin file ${file}: ${(error as Error).message}`);
    }
    return OriginFile.parse(text, file);
  }

  get refspec(): string {
    return this.keys.get(ORIGIN, 'refspec')!;
  }

  set refspec(value: string) {
    this.keys.set(ORIGIN, 'refspec', value);
  }

  /** The commit `arbor deploy <commit>` pinned; upgrade clears it and follows the refspec again. */
  get overrideCommit(): string | undefined {
    return this.keys.get(ORIGIN, 'override-commit');
  }

  set overrideCommit(value: string | undefined) {
    if (value) this.keys.set(ORIGIN, 'override-commit', value);
    else this.keys.delete(ORIGIN, 'override-commit');
  }

  /** The package requests layered on the base commit (empty lists when there are none). */
  get layers(): LayerRequests {
    return {
      packages: this.keys.getList(PACKAGES, 'requested') ?? [],
      localPackages: this.keys.getList(PACKAGES, 'requested-local') ?? [],
      removals: this.keys.getList(OVERRIDES, 'remove') ?? [],
      replacements: this.keys.getList(OVERRIDES, 'replace-local') ?? [],
    };
  }

  set layers(value: LayerRequests) {
    this.setListOrDelete(PACKAGES, 'requested', value.packages);
    this.setListOrDelete(PACKAGES, 'requested-local', value.localPackages);
    this.setListOrDelete(OVERRIDES, 'remove', value.removals);
    this.setListOrDelete(OVERRIDES, 'replace-local', value.replacements);
  }

  /** Whether the origin asks for anything on top of its base commit. */
  get hasLayers(): boolean {
    const layers = this.layers;
    return [layers.packages, layers.localPackages, layers.removals, layers.replacements].some((list) => list.length > 0);
  }

  get kargs(): string[] {
    return this.keys.getList(DEPLOYMENT, 'kargs') ?? [];
  }

  set kargs(value: readonly string[]) {
    this.keys.setList(DEPLOYMENT, 'kargs', value);
  }

  /** The storage strategy that checked the deployment out; removing it goes through the same one. */
  get storage(): string | undefined {
    return this.keys.get(DEPLOYMENT, 'storage');
  }

  set storage(value: string | undefined) {
    if (value) this.keys.set(DEPLOYMENT, 'storage', value);
    else this.keys.delete(DEPLOYMENT, 'storage');
  }

  /** A pinned deployment survives `cleanup` whatever its place in the boot order. */
  get pinned(): boolean {
    return this.keys.getBoolean(DEPLOYMENT, 'pinned') ?? false;
  }

  set pinned(value: boolean) {
    this.keys.setBoolean(DEPLOYMENT, 'pinned', value);
  }

  /** The conflicts the /etc merge reported when this deployment was made (`arbor etc diff`). */
  get etcConflicts(): string[] {
    return this.keys.getList(ETC_MERGE, 'conflicts') ?? [];
  }

  set etcConflicts(value: readonly string[]) {
    if (value.length) this.keys.setList(ETC_MERGE, 'conflicts', value);
    else this.keys.delete(ETC_MERGE, 'conflicts');
  }

  private setListOrDelete(group: string, key: string, items: readonly string[]): void {
    if (items.length) this.keys.setList(group, key, items);
    else this.keys.delete(group, key);
  }

  toString(): string {
    return this.keys.toString();
  }

  /** Replaces the file atomically: a reader sees the old origin or the new one, never half. */
  write(file: string): void {
    writeFileAtomic(file, this.toString());
  }
}
