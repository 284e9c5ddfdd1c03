/**
 * `@arbor/core/remote`: remotes, pull and serve, and the wire formats a server publishes
 * (summary, size index), for tools and transports built outside the CLI.
 */
export { addRemote, readRemote, listRemotes, deleteRemote, type Remote, type AddRemoteOptions } from '../remote/RemoteConfig';
export { pull, type PullOptions, type PullResult } from '../remote/pull';
export { RepoServer, type RepoServerOptions } from '../remote/RepoServer';
export { writeSummary, type WriteSummaryOptions, type WriteSummaryResult } from '../remote/writeSummary';
export { encodeSummary, decodeSummary, SUMMARY_FILE, SUMMARY_SIGNATURE_FILE, type Summary, type SummaryRef } from '../remote/Summary';
export { encodeSizeIndex, isCurrentSizeIndex, sizeIndexPath, SizeIndex, type SizeEntry } from '../remote/SizeIndex';
