import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isObjectId, type ObjectId } from '../store/ObjectId';
import { refNameProblem } from '../store/RefName';

/**
 * The summary: the index of a repo's branches that clients read first (docs/format.md),
 * served as `summary` with its detached signatures in `summary.sig` (the commitsig encoding).
 * It is JSON so `curl URL/summary` is readable; the signature covers the bytes exactly as
 * served, so it is never re-serialized before checking.
 *
 *   {"format":"arbor-summary","version":1,"timestamp":S,
 *    "refs":{"os/main":{"commit":ID,"timestamp":S,"sizes":ID}}}
 *
 * `timestamp` per ref is the commit's, so a client can see a downgrade before fetching the
 * commit; `sizes` is the BLAKE3 of the commit's size index (SizeIndex.ts), which makes that
 * index as trustworthy as the signed summary.
 */
export interface SummaryRef {
  commit: ObjectId;
  timestamp: number;
  sizes?: ObjectId;
}

export interface Summary {
  /** When the summary was written, seconds since the epoch. */
  timestamp: number;
  refs: Record<string, SummaryRef>;
}

const FORMAT = 'arbor-summary';
const VERSION = 1;

export const SUMMARY_FILE = 'summary';
export const SUMMARY_SIGNATURE_FILE = 'summary.sig';

export function encodeSummary(summary: Summary): Buffer {
  const refs: Record<string, SummaryRef> = {};
  for (const name of Object.keys(summary.refs).sort()) {
    const ref = summary.refs[name]!;
    refs[name] = { commit: ref.commit, timestamp: ref.timestamp, ...(ref.sizes ? { sizes: ref.sizes } : {}) };
  }
  return Buffer.from(`${JSON.stringify({ format: FORMAT, version: VERSION, timestamp: summary.timestamp, refs })}\n`);
}

/** Parses a summary fetched from `source`; anything off is ARBOR_PULL_SUMMARY_INVALID naming it. */
export function decodeSummary(bytes: Buffer, source: string): Summary {
  const invalid = (reason: string) => new ArborError(ErrorCode.PULL_SUMMARY_INVALID, `Summary from ${source} is invalid: ${reason}`);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('not JSON');
  }
  if (value?.format !== FORMAT) throw invalid('not an Arbor summary');
  if (value.version !== VERSION) throw invalid(`unsupported version ${String(value.version)}`);
  if (!isTimestamp(value.timestamp)) throw invalid('bad timestamp');
  const rawRefs = value.refs;
  if (!rawRefs || typeof rawRefs !== 'object' || Array.isArray(rawRefs)) throw invalid('no refs');
  const refs: Record<string, SummaryRef> = {};
  for (const [name, raw] of Object.entries(rawRefs as Record<string, unknown>)) {
    const problem = refNameProblem(name);
    if (problem) throw invalid(`ref "${name.slice(0, 80)}": ${problem}`);
    const { commit, timestamp, sizes } = (raw ?? {}) as Record<string, unknown>;
    if (typeof commit !== 'string' || !isObjectId(commit)) throw invalid(`ref ${name} has no valid commit ID`);
    if (!isTimestamp(timestamp)) throw invalid(`ref ${name} has a bad timestamp`);
    if (sizes !== undefined && (typeof sizes !== 'string' || !isObjectId(sizes))) throw invalid(`ref ${name} has a bad size index ID`);
    refs[name] = { commit, timestamp, ...(sizes ? { sizes } : {}) };
  }
  return { timestamp: value.timestamp, refs };
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
