// The error catalog as the agent, the CLI and the web UI see it (defined once in src/core).
export {
  ERROR_CATALOG,
  ERROR_CODES,
  ERROR_KINDS,
  isErrorCode,
  kindOfCode,
  statusOfCode,
  type ErrorCode,
  type ErrorKind,
  type ErrorSpec,
} from '../core/error-catalog.ts';
