// Coded errors: every refusal in Grappe is a GrappeError whose code is in the catalog
// (error-catalog.ts), which gives its kind, HTTP status and fields. Messages say what was refused and
// why, so the CLI and UI can show them as they are.
import { ERROR_CATALOG, type CommonDetails, type ErrorCode, type ErrorDetails, type ErrorKind } from './error-catalog.ts';

export class GrappeError<C extends ErrorCode = ErrorCode> extends Error {
  readonly kind: ErrorKind;
  readonly code: C;
  readonly details: Record<string, unknown>;
  constructor(code: C, message: string, details?: ErrorDetails<C>) {
    super(message);
    this.name = 'GrappeError';
    this.kind = ERROR_CATALOG[code].kind;
    this.code = code;
    this.details = { ...(details ?? {}) };
  }
  /** The same error with more said: a longer message and details every code may carry (undo failures). */
  amended(message: string, extra: CommonDetails): GrappeError<C> {
    return relayedError(this.code, message, { ...this.details, ...extra });
  }
  toJSON(): { error: { code: string; kind: ErrorKind; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, kind: this.kind, message: this.message, details: this.details } };
  }
}

/** An error raised elsewhere (an agent's answer, a stored task result), said again here with its code. */
export function relayedError<C extends ErrorCode>(code: C, message: string, details: Record<string, unknown> & CommonDetails): GrappeError<C> {
  const e = new GrappeError(code, message);
  Object.assign(e.details, details);
  return e;
}

export const isGrappeError = (e: unknown): e is GrappeError => e instanceof GrappeError;

/** The words of anything thrown, for a message or a reason. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Constructors, named after the situation. Keep them small: the message is the contract.
export const errors = {
  invalidInput: (message: string, details: ErrorDetails<'invalidInput'> = {}) => new GrappeError('invalidInput', message, details),
  unauthenticated: (message = 'authentication required: log in and send "Authorization: Bearer <token>"') => new GrappeError('unauthenticated', message),
  forbidden: (message: string, details: ErrorDetails<'forbidden'> = {}) => new GrappeError('forbidden', message, details),
  noSuchHost: (ref: string | number) => new GrappeError('noSuchHost', `no host '${ref}' in this cluster`, { host: String(ref) }),
  noSuchTask: (id: string) => new GrappeError('noSuchTask', `no task '${id}'`, { task: id }),
  noSuchNic: (host: string, nic: string) => new GrappeError('noSuchNic', `host '${host}' has no network interface '${nic}'`, { host, nic }),
  noSuchSubnet: (name: string) => new GrappeError('noSuchSubnet', `no logical subnet '${name}' (known: LAN, SAN, RAN)`, { subnet: name }),
  notFound: (what: string) => new GrappeError('notFound', what),
  duplicate: (what: string, value: string) => new GrappeError('duplicate', `${what} '${value}' is already used in this cluster`, { [what]: value }),
  incorrectState: (subject: string, current: string, action: string, needed: string) =>
    new GrappeError('incorrectState', `cannot ${action} ${subject}: it is ${current}, and ${action} needs ${needed}`, {
      current,
      needed,
      action,
    }),
  unreachable: (what: string, cause: string) => new GrappeError('unreachable', `${what} is unreachable: ${cause}`, { cause }),
  agentFailed: (host: string, message: string) => new GrappeError('agentFailed', `the connector on '${host}' failed: ${message}`, { host }),
  internal: (message: string) => new GrappeError('internal', message),
  /** A system tool or package the controller drives (apt, mkfs, syslinux…) failed or is missing. */
  imageBuildFailed: (message: string) => new GrappeError('imageBuildFailed', message),
} as const;
