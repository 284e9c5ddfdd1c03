/** `@arbor/core/errors`: the one error class every package throws, and the shared codes. */
export { ArborError, isArborError, type ArborErrorOptions } from '../errors/ArborError';
export { ErrorCode, type ErrorCodeValue } from '../errors/codes';
