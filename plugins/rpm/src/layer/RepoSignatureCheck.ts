import fs from 'node:fs';
import path from 'node:path';
import { ArborError, type ArborHooks, type HookContext } from '@arbor/core';
import { RpmErrorCode } from '../RpmError';
import { KEY_FILE_MAX_BYTES, RpmKeyring, type KeySource } from '../signature/RpmKeyring';
import { signatureError } from '../signature/SignatureReport';
import { verifyRpmSignature } from '../signature/verifyRpmSignature';
import { readDeploymentFile, type DeploymentRoots } from './DeploymentFile';
import { LayerErrorCode } from './LayerError';
import type { YumRepo } from './YumRepoFile';

/**
 * dnf's gpgcheck for the packages a layering downloads: each package from a repo with
 * gpgcheck=1 must verify against that repo's gpgkey= keys (and only those: a key trusted for
 * one repo does not vouch for another's packages), before any package is installed.
 * Local package files are not checked, as dnf's localpkg_gpgcheck defaults to 0.
 */
export class RepoSignatureCheck {
  private readonly keyrings = new Map<string, Promise<RpmKeyring>>();
  private copies = 0;

  /** `cacheDir` is the layering's private scratch directory; verified copies go below it. */
  constructor(
    private readonly hooks: Pick<ArborHooks, 'fetch'>,
    private readonly roots: DeploymentRoots,
    private readonly cacheDir: string,
    private readonly context: HookContext,
  ) {}

  /**
   * The config error dnf would also stop at: gpgcheck=1 and nothing to check with. Found when
   * a package from the repo is about to be checked, so a repo nothing is taken from does not
   * block the layering.
   */
  private static assertConfigured(repo: YumRepo): void {
    if (repo.gpgkeys.length) return;
    throw new ArborError(LayerErrorCode.REPO_CONFIG_INVALID, `${repo.file}:${repo.gpgcheckLine ?? repo.line}: repo [${repo.id}] has gpgcheck=1 and no gpgkey=`, {
      hint: `Give [${repo.id}] gpgkey=URL of its signing key (e.g. file:///etc/pki/rpm-gpg/...), or set gpgcheck=0`,
    });
  }

  /**
   * Verifies one downloaded package of `repo`; throws the signature's ArborError when it does
   * not pass. Returns the file to install: for a gpgcheck repo, the private copy that was
   * verified (a file:// repo's own file could be swapped between the check and the install).
   */
  async verify(repo: YumRepo, downloaded: string): Promise<string> {
    if (!repo.gpgcheck) return downloaded;
    const keyring = await this.keyring(repo);
    const packageFile = path.join(this.privateDir(), `${this.copies++}-${path.basename(downloaded)}`);
    await fs.promises.copyFile(downloaded, packageFile, fs.constants.COPYFILE_FICLONE);
    const started = performance.now();
    const report = await verifyRpmSignature(packageFile, keyring);
    this.context.logger.debug(`${path.basename(packageFile)}: signature ${report.verdict} in ${Math.round(performance.now() - started)} ms`);
    const error = signatureError(report, {
      where: `repo [${repo.id}] (${path.basename(repo.file)}, gpgcheck=1)`,
      keyIds: keyring.primaryKeyIds,
      hint: report.verdict === 'unknown-key'
        ? `Nothing was installed. Check that gpgkey= (${repo.file}:${repo.gpgkeyLine ?? repo.line}) names the key the repo signs with`
        : `Nothing was installed. Only packages signed by the repo's keys are layered from it (gpgcheck=1, ${repo.file}:${repo.gpgcheckLine ?? repo.line})`,
    });
    if (error) throw error;
    return packageFile;
  }

  private privateDir(): string {
    const dir = path.join(this.cacheDir, 'verified');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  private keyring(repo: YumRepo): Promise<RpmKeyring> {
    RepoSignatureCheck.assertConfigured(repo);
    let keyring = this.keyrings.get(repo.id);
    if (!keyring) {
      keyring = Promise.all(repo.gpgkeys.map((url) => this.readKey(repo, url))).then((sources) => RpmKeyring.read(sources));
      this.keyrings.set(repo.id, keyring);
    }
    return keyring;
  }

  /**
   * One gpgkey= file. file:// names a file on the deployment (its /etc, its /usr), as dnf on
   * the booted system reads it; http(s):// goes through the `fetch` hook's transports, the
   * body bounded by KEY_FILE_MAX_BYTES whatever length the server claims.
   */
  private async readKey(repo: YumRepo, url: string): Promise<KeySource> {
    const where = `${repo.file}:${repo.gpgkeyLine ?? repo.line}`;
    const unavailable = (reason: string, cause?: unknown) =>
      new ArborError(RpmErrorCode.KEY_INVALID, `Key ${url} of repo [${repo.id}] (${where}): ${reason}`, { hint: 'Fix the gpgkey= URL, or set gpgcheck=0', cause });
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') {
      const bytes = readDeploymentFile(this.roots, decodeURIComponent(parsed.pathname), KEY_FILE_MAX_BYTES);
      if (!bytes) throw unavailable('no such file on the deployment');
      return { name: url, bytes };
    }
    const scheme = parsed.protocol.slice(0, -1);
    const directory = new URL('.', parsed).href;
    const transport = await this.hooks.fetch.for(scheme).promise({ url: directory, remote: repo.id }, this.context);
    if (!transport) throw unavailable(`no plugin fetches ${scheme}:// URLs (add @arbor/plugin-http)`);
    try {
      return { name: url, bytes: await transport.get(path.posix.basename(parsed.pathname), { maxBytes: KEY_FILE_MAX_BYTES, signal: this.context.signal }) };
    } catch (error) {
      throw unavailable((error as Error).message, error);
    } finally {
      await transport.close();
    }
  }
}
