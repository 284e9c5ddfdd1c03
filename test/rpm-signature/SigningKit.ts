import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openRpm, SigTag } from '@arbor/plugin-rpm';

export type Verdict = 'ok' | 'missing' | 'bad' | 'unknown-key' | 'unsupported';

export interface TestKey {
  /** The user ID's email, which rpmsign's %_gpg_name selects the key by. */
  email: string;
  /** The primary key's long key ID, lowercase. */
  keyId: string;
  fingerprint: string;
  /** Its public key, exported armored. */
  publicKey: string;
}

/**
 * Real OpenPGP keys and real signed packages for oracle tests: a private GNUPGHOME where
 * `gpg --batch --quick-gen-key` makes passphrase-less keys, `rpmsign --addsign` signing with
 * them, and `rpmkeys -Kv` (Debian's rpm 4.18) with the trusted keys imported into a temp rpmdb
 * as the oracle. close() stops the gpg-agent this GNUPGHOME started.
 */
export class SigningKit {
  readonly gnupgHome: string;

  constructor(readonly dir: string) {
    this.gnupgHome = path.join(dir, 'gnupg');
    fs.mkdirSync(this.gnupgHome, { recursive: true, mode: 0o700 });
  }

  generateKey(name: string, algorithm: 'rsa2048' | 'ed25519'): TestKey {
    const email = `${name}@arbor.test`;
    this.gpg('--batch', '--passphrase', '', '--quick-gen-key', `Arbor ${name} <${email}>`, algorithm, 'sign', 'never');
    const fingerprint = this.fingerprints(email)[0]!;
    return { email, keyId: fingerprint.slice(-16).toLowerCase(), fingerprint, publicKey: this.exportKey(email, name) };
  }

  /** Adds a signing subkey to `key` and exports the key again; returns the subkey's long key ID. */
  addSigningSubkey(key: TestKey, algorithm: 'rsa2048' | 'ed25519'): string {
    this.gpg('--batch', '--passphrase', '', '--quick-add-key', key.fingerprint, algorithm, 'sign', 'never');
    this.exportKey(key.email, path.basename(key.publicKey, '.asc'));
    return this.fingerprints(key.email).at(-1)!.slice(-16).toLowerCase();
  }

  /** A signed copy of `rpm` at `out`; `signer` is an email, or a subkey ID with `!` to force that subkey. */
  sign(rpm: string, out: string, signer: string): string {
    fs.copyFileSync(rpm, out);
    execFileSync('rpmsign', ['--addsign', '--define', `_gpg_name ${signer}`, '--define', `_gpg_path ${this.gnupgHome}`, '--define', '__gpg /usr/bin/gpg', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return out;
  }

  /** rpmkeys' verdict with exactly `keys` imported: BAD wins, then NOKEY; no signature line is "missing". */
  rpmkeysVerdict(rpm: string, keys: readonly string[]): Verdict {
    const db = fs.mkdtempSync(path.join(this.dir, 'rpmdb-'));
    try {
      // A key rpm cannot import (a V6 key, some subkey layouts in rpm 4.18) is simply not trusted by it.
      for (const key of keys) spawnSync('rpmkeys', ['--dbpath', db, '--import', key], { stdio: 'ignore' });
      const run = spawnSync('rpmkeys', ['-Kv', '--dbpath', db, rpm], { encoding: 'utf8' });
      const lines = run.stdout.split('\n').slice(1).map((line) => line.trim()).filter(Boolean);
      if (lines.some((line) => / BAD\b/.test(line))) return 'bad';
      if (lines.some((line) => /NOKEY$/.test(line))) return 'unknown-key';
      const signatures = lines.filter((line) => /signature/i.test(line));
      if (signatures.length === 0) return run.status === 0 ? 'missing' : 'bad';
      return run.status === 0 ? 'ok' : 'bad';
    } finally {
      fs.rmSync(db, { recursive: true, force: true });
    }
  }

  close(): void {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: this.gnupgHome }, stdio: 'ignore' });
  }

  private exportKey(email: string, name: string): string {
    const file = path.join(this.dir, `${name}.asc`);
    fs.writeFileSync(file, this.gpg('--export', '--armor', email));
    return file;
  }

  private fingerprints(email: string): string[] {
    return this.gpg('--with-colons', '--list-keys', email).split('\n').filter((line) => line.startsWith('fpr:')).map((line) => line.split(':')[9]!);
  }

  private gpg(...args: string[]): string {
    return execFileSync('gpg', ['--homedir', this.gnupgHome, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** A copy of `rpm` with one byte of the main header's data changed (inside `marker`, which must occur there). */
export function tamperHeader(rpm: string, out: string, marker: string): string {
  const bytes = fs.readFileSync(rpm);
  const at = bytes.indexOf(marker);
  if (at < 0) throw new Error(`${marker} is not in ${rpm}`);
  bytes[at] ^= 0x20;
  fs.writeFileSync(out, bytes);
  return out;
}

/** A copy of `rpm` whose last payload byte is changed. */
export function tamperPayload(rpm: string, out: string): string {
  const bytes = fs.readFileSync(rpm);
  bytes[bytes.length - 1] ^= 0x01;
  fs.writeFileSync(out, bytes);
  return out;
}

/** A copy of `rpm` whose header signature (RSAHEADER or DSAHEADER) has its last byte changed: digests still match. */
export async function tamperSignature(rpm: string, out: string): Promise<string> {
  const opened = await openRpm(rpm);
  opened.close();
  const signature = opened.signature.binary(SigTag.RSAHEADER) ?? opened.signature.binary(SigTag.DSAHEADER);
  if (!signature) throw new Error(`${rpm} has no header signature`);
  const bytes = fs.readFileSync(rpm);
  // The lead is 96 bytes; the signature header follows it.
  const offset = 96 + (signature.byteOffset - opened.signature.bytes.byteOffset) + signature.length - 1;
  bytes[offset] ^= 0x01;
  fs.writeFileSync(out, bytes);
  return out;
}
