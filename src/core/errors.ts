// The one catalog of coded errors. Every refusal in Grappe is one of these; the controller maps
// `kind` to an HTTP status in one place (src/controller/platform/error-mapping.ts).
// Messages say what was refused and why, so the CLI and UI can show them as they are.

export const ERROR_KINDS = {
  invalidInput: 422,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  incorrectState: 409,
  unreachable: 502,
  agentFailed: 502,
  toolFailed: 502,
  internal: 500,
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

export class GrappeError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'GrappeError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
  toJSON(): { error: { code: string; kind: ErrorKind; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, kind: this.kind, message: this.message, details: this.details } };
  }
}

export const isGrappeError = (e: unknown): e is GrappeError => e instanceof GrappeError;

/** The words of anything thrown, for a message or a reason. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Constructors, named after the situation. Keep them small: the message is the contract.
export const errors = {
  invalidInput: (message: string, details: Record<string, unknown> = {}) => new GrappeError('invalidInput', 'invalidInput', message, details),
  unauthenticated: (message = 'authentication required: log in and send "Authorization: Bearer <token>"') =>
    new GrappeError('unauthenticated', 'unauthenticated', message),
  forbidden: (message: string) => new GrappeError('forbidden', 'forbidden', message),
  noSuchHost: (ref: string | number) => new GrappeError('notFound', 'noSuchHost', `no host '${ref}' in this cluster`, { host: String(ref) }),
  noSuchTask: (id: string) => new GrappeError('notFound', 'noSuchTask', `no task '${id}'`, { task: id }),
  noSuchNic: (host: string, nic: string) => new GrappeError('notFound', 'noSuchNic', `host '${host}' has no network interface '${nic}'`, { host, nic }),
  noSuchSubnet: (name: string) => new GrappeError('notFound', 'noSuchSubnet', `no logical subnet '${name}' (known: LAN, SAN, RAN)`, { subnet: name }),
  notFound: (what: string) => new GrappeError('notFound', 'notFound', what),
  duplicate: (what: string, value: string) => new GrappeError('conflict', 'duplicate', `${what} '${value}' is already used in this cluster`, { [what]: value }),
  incorrectState: (subject: string, current: string, action: string, needed: string) =>
    new GrappeError('incorrectState', 'incorrectState', `cannot ${action} ${subject}: it is ${current}, and ${action} needs ${needed}`, {
      current,
      needed,
      action,
    }),
  refused: (code: string, message: string, details: Record<string, unknown> = {}) => new GrappeError('conflict', code, message, details),
  unreachable: (what: string, cause: string) => new GrappeError('unreachable', 'unreachable', `${what} is unreachable: ${cause}`, { cause }),
  agentFailed: (host: string, message: string) => new GrappeError('agentFailed', 'agentFailed', `the connector on '${host}' failed: ${message}`, { host }),
  internal: (message: string) => new GrappeError('internal', 'internal', message),
  /** A system tool or package the controller drives (apt, mkfs, syslinux…) failed or is missing. */
  imageBuildFailed: (message: string) => new GrappeError('toolFailed', 'imageBuildFailed', message),
} as const;
