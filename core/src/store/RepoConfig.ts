import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * The repo's `config` file: INI text in ostree's and git's style (`[core]`, `key=value`). It is
 * plain text so a static HTTP server can serve it and a client learns the mode before fetching
 * objects. Sections and keys this module does not know (remotes, added by the replication
 * code) are kept in order when the file is rewritten.
 */
export class RepoConfig {
  private readonly sections: Array<{ name: string; entries: Array<[string, string]> }> = [];

  static parse(text: string, file: string): RepoConfig {
    const config = new RepoConfig();
    let current: { name: string; entries: Array<[string, string]> } | undefined;
    text.split('\n').forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
      const section = /^\[([^\]]+)\]$/.exec(line);
      if (section) {
        current = { name: section[1]!.trim(), entries: [] };
        config.sections.push(current);
        return;
      }
      const equals = line.indexOf('=');
      if (!current || equals <= 0) {
        throw new ArborError(ErrorCode.STORE_NOT_A_REPO, `${file}:${index + 1}: not a config line: ${line.slice(0, 60)}`);
      }
      current.entries.push([line.slice(0, equals).trim(), line.slice(equals + 1).trim()]);
    });
    return config;
  }

  get(section: string, key: string): string | undefined {
    const found = this.sections.find((candidate) => candidate.name === section);
    return found?.entries.find(([name]) => name === key)?.[1];
  }

  set(section: string, key: string, value: string): void {
    if (/[\n\r]/.test(value) || /[\n\r=[\]]/.test(key)) throw new Error(`Bad config entry ${key}=${value}`);
    let found = this.sections.find((candidate) => candidate.name === section);
    if (!found) {
      found = { name: section, entries: [] };
      this.sections.push(found);
    }
    const entry = found.entries.find(([name]) => name === key);
    if (entry) entry[1] = value;
    else found.entries.push([key, value]);
  }

  delete(section: string, key?: string): void {
    const index = this.sections.findIndex((candidate) => candidate.name === section);
    if (index < 0) return;
    if (key === undefined) this.sections.splice(index, 1);
    else this.sections[index]!.entries = this.sections[index]!.entries.filter(([name]) => name !== key);
  }

  sectionNames(): string[] {
    return this.sections.map((section) => section.name);
  }

  entries(section: string): Array<[string, string]> {
    return [...(this.sections.find((candidate) => candidate.name === section)?.entries ?? [])];
  }

  toString(): string {
    return this.sections
      .map((section) => `[${section.name}]\n${section.entries.map(([key, value]) => `${key}=${value}\n`).join('')}`)
      .join('\n');
  }
}
