import { ArborError } from '@arbor/core';
import { SystemdBootErrorCode } from './SystemdBootErrorCode';

/**
 * systemd-boot's `loader/loader.conf` (loader.conf(5)): one `key value` per line, `#`
 * comments, blank lines. We own one line, `default`, and only while its value is one of our
 * patterns (or there is none): a `default` the admin wrote is theirs, and every other line
 * (`timeout`, `editor`, `console-mode` ...) survives our rewrite byte for byte.
 */
export class LoaderConf {
  private constructor(private readonly lines: string[]) {}

  static parse(text: string | undefined, source = 'loader.conf'): LoaderConf {
    const lines = (text ?? '').split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (!/^[A-Za-z0-9_-]+(\s|$)/.test(trimmed)) {
        throw new ArborError(SystemdBootErrorCode.LOADER_CONF_INVALID, `${source}, line ${index + 1}: expected "key value", got "${trimmed}"`);
      }
    });
    return new LoaderConf(lines);
  }

  /** The `default` value, as systemd-boot reads it: the last one wins. */
  get default(): string | undefined {
    let value: string | undefined;
    for (const line of this.lines) {
      const match = /^\s*default(?:\s+(.*?))?\s*$/.exec(line);
      if (match) value = match[1] ?? '';
    }
    return value;
  }

  /** True when we may set `default`: there is none, or it is one of ours (starts with `prefix`). */
  defaultIsOurs(prefix: string): boolean {
    const value = this.default;
    return value === undefined || value === '' || value.startsWith(prefix);
  }

  /** The file with `default` set to `value`: the last `default` line rewritten, or one appended. */
  withDefault(value: string): string {
    const lines = [...this.lines];
    let index = -1;
    lines.forEach((line, i) => {
      if (/^\s*default(\s|$)/.test(line)) index = i;
    });
    if (index >= 0) lines[index] = `default ${value}`;
    else lines.push(`default ${value}`);
    return `${lines.join('\n')}\n`;
  }

  toString(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}
