import { ArborError } from '@arbor/core';
import { GrubErrorCode } from './GrubErrorCode';

/** GRUB's environment block is one fixed 1024-byte sector-aligned file (grub-core/lib/envblk.c). */
export const GRUBENV_SIZE = 1024;
export const GRUBENV_HEADER = '# GRUB Environment Block\n';

type EnvLine = { name: string; value: string } | { raw: string };

/**
 * A grubenv file: the header line, then `name=value` lines (a backslash escapes the next byte,
 * so `\` and newline in a value are written `\\` and `\<newline>`), then `#` padding to exactly
 * 1024 bytes. GRUB rewrites it in place, never changing its size, which is why the size is fixed.
 * Lines that are not variables (Debian's "# WARNING" line) are kept where they are.
 */
export class GrubEnv {
  /**
   * The file's size and any bytes after its `#` padding, kept as read so that an odd block
   * (grubby's test file with a newline after the padding) prints back unchanged; any change
   * resets them to the standard 1024 bytes with nothing after the padding.
   */
  private size = GRUBENV_SIZE;
  private trailer = '';

  private constructor(private readonly lines: EnvLine[]) {}

  static empty(): GrubEnv {
    return new GrubEnv([]);
  }

  static parse(data: Buffer | string, source = 'grubenv'): GrubEnv {
    // Work on bytes (one latin1 char per byte) so the block's size and padding stay exact.
    const text = (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('latin1');
    if (!text.startsWith(GRUBENV_HEADER)) {
      throw new ArborError(GrubErrorCode.GRUBENV_INVALID, `${source} does not start with "${GRUBENV_HEADER.trim()}"`);
    }
    const lines: EnvLine[] = [];
    let at = GRUBENV_HEADER.length;
    let trailer = '';
    while (at < text.length) {
      // The padding: `#` to the end of the block.
      const padding = /^#+(\s*)$/.exec(text.slice(at));
      if (padding) {
        trailer = padding[1]!;
        break;
      }
      let end = at;
      let raw = '';
      while (end < text.length && text[end] !== '\n') {
        if (text[end] === '\\' && end + 1 < text.length) {
          raw += text.slice(end, end + 2);
          end += 2;
        } else {
          raw += text[end++];
        }
      }
      const eq = raw.indexOf('=');
      if (raw.startsWith('#') || eq <= 0) lines.push({ raw });
      else lines.push({ name: raw.slice(0, eq), value: unescape(raw.slice(eq + 1)) });
      at = end + 1;
    }
    const env = new GrubEnv(lines);
    env.size = Math.max(text.length, GRUBENV_SIZE);
    env.trailer = trailer;
    return env;
  }

  /** The value of `name`, decoded as UTF-8. */
  get(name: string): string | undefined {
    for (const line of this.lines) if ('name' in line && line.name === name) return fromBytes(line.value);
    return undefined;
  }

  /** The variables in file order. */
  entries(): Array<[string, string]> {
    return this.lines.flatMap((line) => ('name' in line ? [[fromBytes(line.name), fromBytes(line.value)] as [string, string]] : []));
  }

  /** Sets `name` in place (or appends it), as `grub-editenv FILE set` does. */
  set(name: string, value: string): this {
    name = toBytes(name);
    value = toBytes(value);
    this.normalize();
    if (!/^[^=\n#\\][^=\n\\]*$/.test(name)) {
      throw new ArborError(GrubErrorCode.GRUBENV_INVALID, `"${name}" cannot be a GRUB environment variable name`);
    }
    const line = this.lines.find((entry) => 'name' in entry && entry.name === name);
    if (line && 'name' in line) line.value = value;
    else this.lines.push({ name, value });
    return this;
  }

  unset(name: string): this {
    name = toBytes(name);
    this.normalize();
    const index = this.lines.findIndex((entry) => 'name' in entry && entry.name === name);
    if (index >= 0) this.lines.splice(index, 1);
    return this;
  }

  /** The 1024-byte block. Values are bytes (latin1), as GRUB treats them. */
  toBuffer(source = 'grubenv'): Buffer {
    const body = GRUBENV_HEADER + this.lines.map((line) => ('raw' in line ? line.raw : `${line.name}=${escape(line.value)}`) + '\n').join('');
    const bytes = Buffer.from(body, 'latin1');
    const room = this.size - this.trailer.length;
    if (bytes.length > room) {
      throw new ArborError(GrubErrorCode.GRUBENV_FULL, `${source}: the variables take ${bytes.length} bytes, more than the block's ${room}`, {
        hint: 'Remove variables with grub-editenv FILE unset NAME, or shorten the kernel arguments kept in kernelopts',
      });
    }
    return Buffer.concat([bytes, Buffer.alloc(room - bytes.length, '#'), Buffer.from(this.trailer, 'latin1')]);
  }

  private normalize(): void {
    this.size = GRUBENV_SIZE;
    this.trailer = '';
  }
}

function escape(value: string): string {
  return value.replace(/[\\\n]/g, (char) => `\\${char}`);
}

function unescape(value: string): string {
  return value.replace(/\\([\s\S])/g, '$1');
}

function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function fromBytes(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
