import { ArborError } from '@arbor/core';
import { SelinuxErrorCode } from './SelinuxErrorCode';

/** One line of a file_contexts file, as libselinux's process_line() reads it. */
export interface FileContextLine {
  /** The regex as written (unanchored). */
  regex: string;
  /** The S_IFMT bits the spec is limited to, 0 for any file type. */
  mode: number;
  /** The context, or null for `<<none>>` (the path gets no label). */
  context: string | null;
  /** Where the line came from, for errors. */
  file: string;
  line: number;
}

// file_contexts' type column (label_file.h string_to_mode).
const FILE_TYPES: Record<string, number> = {
  '--': 0o100000,
  '-d': 0o040000,
  '-l': 0o120000,
  '-b': 0o060000,
  '-c': 0o020000,
  '-p': 0o010000,
  '-s': 0o140000,
};

/** C isspace() in the "C" locale: the field separators of read_spec_entries(). */
const FIELD = /[^ \t\n\v\f\r]+/g;

/**
 * Parses a file_contexts text (bytes as a latin1 string) into its specs, in file order:
 * `REGEX [TYPE] CONTEXT` separated by whitespace; lines whose first non-blank is `#`, and blank
 * lines, are skipped; a fourth field is ignored, as libselinux 3.4 ignores it. Refuses, naming
 * the file and line, what libselinux refuses: a lone field, an unknown type, non-ASCII text.
 */
export function parseFileContexts(text: string, file: string): FileContextLine[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const specs: FileContextLine[] = [];
  for (let index = 0; index < lines.length; index++) {
    const lineText = lines[index]!;
    const line = index + 1;
    const fields = lineText.match(FIELD)?.slice(0, 3) ?? [];
    if (fields.length === 0 || fields[0]!.startsWith('#')) continue;
    const malformed = (what: string): ArborError =>
      new ArborError(SelinuxErrorCode.FILE_CONTEXTS_MALFORMED, `${file}:${line}: ${what}: ${JSON.stringify(lineText)}`, {
        hint: 'Each line is REGEX [FILE_TYPE] CONTEXT, with FILE_TYPE one of --, -d, -l, -b, -c, -p, -s.',
      });
    if (fields.some((field) => /[^\x00-\x7f]/.test(field))) throw malformed('non-ASCII characters');
    if (fields.length < 2) throw malformed('missing fields');
    const [regex, typeField, contextField] = fields.length === 2 ? [fields[0]!, undefined, fields[1]!] : (fields as [string, string, string]);
    let mode = 0;
    if (typeField !== undefined) {
      const known = FILE_TYPES[typeField];
      if (known === undefined) throw malformed(`invalid file type ${typeField}`);
      mode = known;
    }
    specs.push({ regex, mode, context: contextField === '<<none>>' ? null : contextField, file, line });
  }
  return specs;
}
