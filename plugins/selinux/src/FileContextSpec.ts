import { ArborError } from '@arbor/core';
import type { FileContextLine } from './FileContextsParser';
import { translatePcre, UntranslatableRegex } from './PcreTranslator';
import { SelinuxErrorCode } from './SelinuxErrorCode';

/** A file_contexts spec compiled for matching, with the facts libselinux derives from its text. */
export interface FileContextSpec {
  readonly source: FileContextLine;
  /** The context to give, null for `<<none>>`. */
  readonly context: string | null;
  /** S_IFMT bits, 0 for any type. */
  readonly mode: number;
  /**
   * libselinux's stem (get_stem_from_spec): the text up to the second `/` when it holds no regex
   * metacharacter, else null. A spec with a stem is only tried on paths with that same stem.
   */
  readonly stem: string | null;
  /** No metacharacter at all (spec_hasMetaChars): libselinux sorts these after the others. */
  readonly exact: boolean;
  /** Every path the spec matches starts with this text (the trie key). */
  readonly requiredPrefix: string;
  /** Tests a path (a latin1 byte string, cleaned and substituted). */
  readonly matches: (path: string) => boolean;
}

// The characters libselinux treats as regex metacharacters (label_file.h).
const META = '.^$?*+|[({';

/** Compiles one spec line; a regex we cannot translate or compile is an error naming file and line. */
export function compileSpec(line: FileContextLine): FileContextSpec {
  const where = `${line.file}:${line.line}`;
  let translated;
  try {
    translated = translatePcre(line.regex);
  } catch (error) {
    if (!(error instanceof UntranslatableRegex)) throw error;
    throw new ArborError(SelinuxErrorCode.REGEX_UNSUPPORTED, `${where}: cannot translate ${error.construct} (${error.reason}) in the regex ${line.regex}`, {
      hint: 'Arbor matches file_contexts with JavaScript regexes; rewrite the spec without this PCRE2 construct.',
    });
  }
  let matches: (path: string) => boolean;
  const literal = translated.literal;
  if (literal !== null) {
    const withNewline = `${literal}\n`;
    matches = (path) => path === literal || path === withNewline;
  } else {
    let regex: RegExp;
    try {
      regex = new RegExp(translated.source, 's');
    } catch (error) {
      throw new ArborError(SelinuxErrorCode.REGEX_UNSUPPORTED, `${where}: invalid regex ${line.regex}: ${(error as Error).message}`);
    }
    matches = (path) => regex.test(path);
  }
  return {
    source: line,
    context: line.context,
    mode: line.mode,
    stem: specStem(line.regex),
    exact: !hasMetaChars(line.regex),
    requiredPrefix: translated.requiredPrefix,
    matches,
  };
}

/** get_stem_from_spec(): up to (not including) the second `/`, if no metacharacter comes before it. */
function specStem(regex: string): string | null {
  const slash = regex.indexOf('/', 1);
  if (slash < 0) return null;
  for (let i = 0; i < slash; i++) if (META.includes(regex[i]!)) return null;
  return regex.slice(0, slash);
}

/** spec_hasMetaChars(): a backslash hides the character after it. */
function hasMetaChars(regex: string): boolean {
  for (let i = 0; i < regex.length; i++) {
    if (regex[i] === '\\') i++;
    else if (META.includes(regex[i]!)) return true;
  }
  return false;
}

/** The stem of a path (get_stem_from_file_name): up to the second `/`, null when there is none. */
export function pathStem(path: string): string | null {
  const slash = path.indexOf('/', 1);
  return slash < 0 ? null : path.slice(0, slash);
}
