// The one catalog of error codes, shared by the controller, the agent, the CLI and the web UI.
// Each code has its kind (the category clients branch on, which gives the HTTP status), the fields
// its details carry, and the template its message follows ({field} marks what varies; the message
// itself is written where the error is raised, with the words of the situation). An error whose code
// is not here cannot be built: GrappeError and the agent's AgentError take an ErrorCode, and
// error-catalog.test.ts fails on any code or status written outside this file.

/** Kinds, with the HTTP status each gives unless the code says otherwise. */
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
  /** The control plane cannot take the request now (no quorum, not the leader): retry later. */
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

export interface ErrorSpec {
  readonly kind: ErrorKind;
  /** The message's shape; {name} is a part that varies (often one of the fields). */
  readonly message: string;
  /** The keys the error's details may carry. */
  readonly fields: readonly string[];
  /** When the status is more precise than the kind's (405, 413, 415, 426, 400). */
  readonly status?: number;
}

const spec = <const F extends readonly string[] = readonly []>(kind: ErrorKind, message: string, fields?: F, status?: number) =>
  ({ kind, message, fields: (fields ?? []) as F, ...(status === undefined ? {} : { status }) }) as const;

export const ERROR_CATALOG = {
  // ── Requests (both the controller's API and the agent's) ───────────────────────────────────────
  invalidInput: spec('invalidInput', 'request refused: {problem}', [
    'issues',
    'field',
    'fields',
    'value',
    'action',
    'file',
    'path',
    'line',
    'guest',
    'host',
    'image',
    'ip',
    'network',
    'subnet',
    'subnets',
    'sizeMiB',
    'imageMiB',
    'currentMiB',
    'kind',
    'purpose',
    'volume',
  ]),
  malformedRequest: spec('invalidInput', 'the request is not valid HTTP/1.1: {cause}', [], 400),
  malformedJson: spec('invalidInput', 'the request body is not valid JSON: {cause}', [], 400),
  badContentLength: spec('invalidInput', 'the Content-Length header does not match the body received', [], 400),
  unsupportedMediaType: spec('invalidInput', "unsupported content type: {type}; send JSON with 'Content-Type: application/json'", [], 415),
  bodyTooLarge: spec('invalidInput', 'the request body is too large (limit {limit})', [], 413),
  badRequest: spec('invalidInput', 'bad request: {cause}', [], 400),
  methodNotAllowed: spec('invalidInput', '{method} is not allowed on {path}; allowed: {allowed}', [], 405),
  noSuchRoute: spec('notFound', 'no API route {method} {path}; see /api/v1/openapi.json'),
  notFound: spec('notFound', 'nothing at {method} {path}'),
  unknownPath: spec('notFound', 'no agent endpoint {path}'),
  upgradeRequired: spec('invalidInput', 'console refused: it is served over a WebSocket; send the request with Upgrade: websocket', [], 426),
  internal: spec('internal', 'internal error: {what} failed; see its log', ['originalCode']),

  // ── Sessions and trust ─────────────────────────────────────────────────────────────────────────
  unauthenticated: spec('unauthenticated', 'authentication required: log in and send "Authorization: Bearer <token>"'),
  badCredentials: spec('unauthenticated', 'login refused: wrong username or password'),
  tokenMalformed: spec('unauthenticated', 'malformed token: expected the token returned by POST /api/v1/auth/login'),
  tokenUnknown: spec('unauthenticated', 'unknown token (logged out, or never issued): log in again'),
  tokenExpired: spec('unauthenticated', 'token expired at {expiresAt}: log in again', ['expiresAt']),
  authorizationMalformed: spec('unauthenticated', "malformed Authorization header: expected 'Bearer <token>'"),
  forbidden: spec('forbidden', '{action} refused: {why}', ['privilege', 'path']),
  tooManyAttempts: spec('forbidden', 'login refused: too many failed attempts {for}; try again in {retryAfterSeconds} s', ['retryAfterSeconds'], 429),
  ticketInvalid: spec('unauthenticated', 'the ticket is unknown, used or expired: ask for a new one (POST /api/v1/auth/ticket)'),
  userDisabled: spec('forbidden', "refused: user '{user}' is disabled", ['user']),
  noSuchUser: spec('notFound', "no user '{user}'", ['user']),
  noSuchGroup: spec('notFound', "no group '{group}'", ['group']),
  noSuchRole: spec('notFound', "no role '{role}' (roles: {roles})", ['role', 'roles']),
  noSuchApiToken: spec('notFound', "no API token '{token}'", ['token']),
  noSuchGrant: spec('notFound', 'no grant of {role} to {subject} on {path}', ['role', 'subject', 'path']),
  lastAdministrator: spec('incorrectState', '{action} refused: {user} is the last one with every right on /; grant Administrator on / to another user first', [
    'user',
  ]),
  builtinRole: spec('incorrectState', "role '{role}' is built in: it cannot be changed or deleted", ['role']),
  roleInUse: spec('incorrectState', "role '{role}' is granted ({grants}): revoke those grants first", ['role', 'grants']),
  untrustedAgent: spec('forbidden', "host '{host}' was refused: its connector did not present a certificate from this cluster's CA ({cause})", [
    'host',
    'cause',
  ]),
  wrongPassword: spec('forbidden', 'enrollment refused: wrong password for this host'),
  passwordChangeRequired: spec('forbidden', 'enrollment refused: the host still has the factory-default password; a new one must be set'),
  badCertificate: spec('invalidInput', 'enrollment refused: {why}'),
  notEnrolled: spec('forbidden', 'refused: this host is not enrolled in a cluster yet; only hello and enroll are served'),
  clientCertificateRequired: spec('unauthenticated', "refused: this host is enrolled; calls need the cluster controller's client certificate"),
  untrustedClientCertificate: spec('forbidden', "refused: the client certificate was not issued by this host's cluster CA ({why})"),
  notController: spec('forbidden', "refused: the client certificate is not the controller's (CN '{cn}')"),
  checksumMismatch: spec('invalidInput', "{what} refused: the content's SHA-256 is {actual}, not the announced {expected}"),
  updateUnsupported: spec('conflict', 'update refused: this agent runs from source, not from a bundle'),

  // ── Data dir and store ─────────────────────────────────────────────────────────────────────────
  alreadyInitialised: spec('conflict', "data dir '{dataDir}' is already initialised (found {found})", ['dataDir']),
  notInitialised: spec('notFound', "no cluster in data dir '{dataDir}' ({missing} is missing): run `grappe init` first", ['dataDir']),
  badDataDir: spec('internal', "'{file}' is damaged: it is not the JSON that `grappe init` writes"),
  storeBadWatch: spec('invalidInput', 'store: refused the watch: the listener must be a function'),
  storeClosed: spec('internal', "store: refused the call: the store '{path}' is closed"),
  storeSchemaTooNew: spec('conflict', "store: refused to open '{file}': its schema is version {version}, newer than this Grappe's {known}", [
    'file',
    'version',
    'known',
  ]),
  storeBadKey: spec('invalidInput', 'store: refused {what} {key}: {why}'),
  storeBadLimit: spec('invalidInput', 'store: refused list limit {limit}: it must be an integer ≥ 1'),
  storeValueNotJson: spec('invalidInput', "store: refused the value for '{key}': {problem}; values must be plain JSON", ['key']),
  storeBadTxn: spec('invalidInput', 'store: refused the transaction: {problem}', ['key']),
  storeUnavailable: spec('unavailable', 'store: could not {what}: etcd did not answer ({cause}); is a majority of the controllers up?', ['endpoints']),

  // ── Control plane (several controllers) ────────────────────────────────────────────────────────
  notLeader: spec('unavailable', 'refused: {controller} is not the leader ({why}); send it to the leader {leader}', ['leader']),
  joinTokenInvalid: spec('unauthenticated', 'join refused: the join token is {problem}; make a new one with `grappe cluster token` on a controller'),
  singleController: spec('incorrectState', '{action} refused: this controller runs alone on SQLite; run `grappe cluster create` first'),
  controllerNotFound: spec('notFound', "no controller '{name}' in this cluster (controllers: {names})", ['name']),
  removalBreaksQuorum: spec('incorrectState', "removing controller '{name}' refused: {why}", ['name']),
  etcdRefused: spec('toolFailed', 'etcd refused {action}: {cause}', ['cause']),
  noQuorum: spec('unavailable', 'no quorum: {reachable} of {total} controllers reachable (needs {needs}); no change is made without a majority', [
    'reachable',
    'total',
    'needs',
  ]),
  corruptRecord: spec('internal', "stored record '{key}' is damaged: {problem}; {fix}", ['key', 'kind', 'version', 'issues']),
  recordTooNew: spec('conflict', "stored record '{key}' is version {version}, newer than this Grappe's {known}; run a newer Grappe", [
    'key',
    'kind',
    'version',
    'known',
  ]),
  concurrentChange: spec('conflict', '{subject} changed while being edited; try again'),

  // ── Hosts, NICs, subnets ───────────────────────────────────────────────────────────────────────
  noSuchHost: spec('notFound', "no host '{host}' in this cluster", ['host']),
  noSuchTask: spec('notFound', "no task '{task}'", ['task']),
  noSuchNic: spec('notFound', "host '{host}' has no network interface '{nic}'", ['host', 'nic']),
  noSuchSubnet: spec('notFound', "no logical subnet '{subnet}' (known: LAN, SAN, RAN)", ['subnet']),
  duplicate: spec('conflict', "{what} '{value}' is already used in this cluster", ['name', 'guest', 'id', 'address', 'host', 'nic', 'subnet', 'value']),
  incorrectState: spec('incorrectState', 'cannot {action} {subject}: it is {current}, and {action} needs {needed}', [
    'current',
    'needed',
    'action',
    'host',
    'decision',
  ]),
  removeRefused: spec('conflict', "cannot remove host '{host}': only processing hosts can be removed, and it is a {purpose} host", ['purpose']),
  alreadyUpToDate: spec('conflict', "cannot update the connector of host '{host}': it is already at version {installed}", ['installed', 'shipped']),
  hostHasGuests: spec('conflict', "cannot remove host '{host}': it still holds {guests} guest(s); move them first", ['guests']),
  alreadyEnrolled: spec('conflict', "cannot add host '{host}': its connector already belongs to cluster {clusterId}; remove it there first", ['clusterId']),
  addInProgress: spec('conflict', "an add of host '{host}' ({address}) is already running; wait for its task to end", ['key']),
  newPasswordRequired: spec('invalidInput', 'the host still has the factory-default password; set a new one with newPassword', ['field']),
  ipOutsideSubnet: spec('invalidInput', '{ip} is outside {subnet} {cidr}, or is its network or broadcast address', ['ip', 'subnet', 'cidr', 'address']),
  managementNic: spec('conflict', "cannot change NIC '{nic}': it carries the host's management address {address}", ['nic', 'address']),
  subnetAlreadyAttached: spec('conflict', "cannot attach NIC '{nic}' to {subnet}: another NIC of this host is already on it; one NIC per subnet", [
    'nic',
    'subnet',
  ]),
  nicsOutsideSubnet: spec('conflict', 'cannot change {subnet} to {cidr}: {nics} would fall outside it; move them first', ['nics']),
  loopbackRefused: spec('invalidInput', "the loopback interface 'lo' cannot be configured: it is not a network interface of the cluster"),
  nicVanished: spec('internal', "network interface '{nic}' disappeared while being configured"),
  ipFailed: spec('agentFailed', 'ip {command} failed: {error}'),

  // ── Connectors (agents) and their tools ────────────────────────────────────────────────────────
  unreachable: spec('unreachable', '{what} is unreachable: {cause}', ['cause']),
  agentFailed: spec('agentFailed', "the connector on '{host}' failed: {message}", ['host', 'agentStatus', 'agentCode']),
  usageUnreadable: spec('toolFailed', 'the usage figures of {what} could not be read: {cause}'),
  imageBuildFailed: spec('toolFailed', 'building the tiny images failed: {cause}'),
  qmpTimeout: spec('agentFailed', 'QMP {what} on {socket}: no answer within {timeoutMs} ms'),
  qmpUnreachable: spec('agentFailed', 'cannot connect to QMP socket {socket}: {cause}'),
  qmpClosed: spec('agentFailed', 'the QMP connection to {socket} closed before {what}'),
  qmpCommandFailed: spec('agentFailed', "QMP '{command}' refused by QEMU: {cause}"),
  tgtdFailed: spec('toolFailed', 'the iSCSI target daemon tgtd {what}: {error}'),
  tgtFailed: spec('toolFailed', '{what}: tgtadm failed: {error}'),
  bridgeFailed: spec('toolFailed', "bridge '{bridge}' {what}: {error}"),
  bridgeMissing: spec('conflict', "container start refused: its bridge '{bridge}' does not exist on this host"),
  notABridge: spec('conflict', "bridge '{bridge}' refused: an interface of that name exists and is not a bridge"),
  heartbeatVolumeNotConfigured: spec('conflict', 'slots refused: no heartbeat volume is configured on this host'),

  // ── Guests ─────────────────────────────────────────────────────────────────────────────────────
  noSuchGuest: spec('notFound', "no guest '{guest}' in this cluster (ids look like vm:100 or ct:101)", ['guest']),
  guestBusy: spec('conflict', "guest '{guest}' is busy with another action; wait for its task to end", ['guest']),
  guestExists: spec('conflict', "{what} refused: '{guest}' already exists on this host"),
  guestRunning: spec('conflict', "{what} of '{guest}' refused: it is running; stop it first"),
  guestNotRunning: spec('conflict', "{what} of '{guest}' refused: it is not running"),
  guestCreateFailed: spec('toolFailed', "guest '{guest}' was not created: {error}"),
  guestStartFailed: spec('toolFailed', "guest '{guest}' did not start: {error}"),
  guestStopFailed: spec('toolFailed', "guest '{guest}' did not stop: {error}"),
  guestDestroyFailed: spec('toolFailed', "guest '{guest}' was not destroyed: {error}"),
  corruptSpec: spec('internal', "the stored definition of guest '{guest}' is unreadable; redefine the guest"),
  diskVolumeMissing: spec('conflict', "start of '{guest}' refused: its disk volume '{volume}' is not in this host's pool"),
  volumeFormatMismatch: spec('conflict', "start of '{guest}' refused: volume '{volume}' is {actual}, not {expected}"),
  cdromFailed: spec('toolFailed', "CD-ROM change of '{guest}' failed: QEMU says: {error}"),
  consoleUnavailable: spec('agentFailed', "the console of '{guest}' cannot be opened: {cause}"),
  consoleNotOpen: spec('conflict', 'console attach refused: the guest console is not open'),
  noFreeGuestId: spec('conflict', 'no free guest id is left'),
  guestTooLarge: spec('invalidInput', 'cannot place {guest}: it asks for {asked}, and {why}', ['asked', 'largest', 'decision']),
  noSuitableHost: spec('conflict', 'cannot place {guest}: {why}', ['decision', 'filter', 'host']),
  noHostAvailable: spec('conflict', 'cannot place {guest}: there is no UP processing host', ['decision']),
  notProcessingHost: spec('conflict', "cannot place on or evacuate to host '{host}': it is a {purpose} host, and guests run on processing hosts", [
    'decision',
    'filter',
    'host',
  ]),

  // ── Storage, images, guest networks ────────────────────────────────────────────────────────────
  noSuchPool: spec('notFound', "no storage pool '{pool}' (known: {known})", ['pool']),
  noSuchVolume: spec('notFound', "no volume '{volume}' in this cluster", ['volume']),
  noSuchImage: spec('notFound', "no image '{image}'", ['image']),
  imageFileMissing: spec('incorrectState', "image '{image}' has no file on this controller ({path})", ['image', 'path']),
  noSuchNetwork: spec('notFound', "no guest network '{network}' in this cluster", ['network']),
  noSuchExport: spec('notFound', "unexport refused: volume '{volume}' is not exported on this host"),
  volumeInUse: spec('conflict', "cannot {action} volume '{volume}': it is attached to guest '{guest}'; detach it first", ['volume', 'guest']),
  volumeBusy: spec('conflict', "cannot {action} volume '{volume}': it is being {state}", ['volume', 'state']),
  volumeChanged: spec('conflict', "cannot delete volume '{volume}': it changed meanwhile (attached or resized); try again", ['volume']),
  volumeAttached: spec('conflict', "cannot attach volume '{volume}' to guest '{guestId}': it is already attached to guest '{guest}'", ['volume', 'guest']),
  volumeNotExported: spec('conflict', "cannot use volume '{volume}' on host '{host}': it is not exported yet", ['volume']),
  volumeExported: spec('conflict', '{what}: it is already exported as {iqn}'),
  volumeExists: spec('conflict', "{what} refused: volume '{volume}' already exists"),
  volumeFailed: spec('toolFailed', "{what} of volume '{volume}' failed: qemu-img says: {error}"),
  volumeShrinkRefused: spec('invalidInput', "resize of volume '{volume}' refused: {asked} bytes is smaller than its {current} bytes"),
  localVolumeElsewhere: spec('conflict', "cannot use volume '{volume}' on host '{host}': it lives in local pool '{pool}'", ['volume', 'pool', 'host']),
  noSanAddress: spec('conflict', "{what} refused: host '{host}' has no SAN address", ['pool', 'host']),
  transferFailed: spec('agentFailed', '{what} failed: the stream broke off ({cause})'),
  unsupportedImageFormat: spec('invalidInput', "import of '{file}' refused: its format is {format}; only raw and qcow2 are supported", ['file', 'format']),
  imageInUse: spec('conflict', "cannot delete image '{image}': volume(s) {volumes} are being created from it", ['image', 'volumes']),
  buildRunning: spec('conflict', 'cannot build the tiny images: task {taskId} is building them now', ['taskId']),
  networkInUse: spec('conflict', "cannot delete guest network '{network}': guest(s) {guests} have a NIC on it", ['network', 'guests']),
  defaultNetwork: spec('conflict', "cannot delete guest network '{network}': it is where guests go when no network is named", ['network']),
  networkChanged: spec('conflict', "cannot delete guest network '{network}': it changed meanwhile; try again"),

  // ── Migration and evacuation ───────────────────────────────────────────────────────────────────
  moveBlocked: spec('conflict', "cannot move guest '{guest}' {where}: {blockers}", ['guest', 'blockers']),
  moveConflict: spec('conflict', "cannot record guest '{guest}' as moved: its record changed meanwhile", ['guest', 'expected', 'actual', 'volume']),
  moveUninterruptible: spec('conflict', "cannot cancel the migration of guest '{guest}': {why}", ['guest']),
  guestNotStopped: spec('conflict', "cold move of '{guest}' refused: it is {state}; a cold move needs it stopped", ['guest', 'state']),
  migrationFailed: spec('agentFailed', "live migration of '{guest}' to '{host}' failed: QEMU says: {error}; the guest still runs where it was", [
    'guest',
    'host',
  ]),
  migrationCancelled: spec('conflict', "live migration of '{guest}' to '{host}' was cancelled; the guest still runs on '{from}'", ['guest']),
  migrationRunning: spec('conflict', "live migration of '{guest}' refused: one is already running ({phase})"),
  migrationEnded: spec('conflict', "cancel refused: the live migration of '{guest}' already ended ({phase})"),
  noMigration: spec('conflict', "cannot cancel: no live migration of guest '{guest}' is running", ['guest']),
  evacuationInProgress: spec('conflict', 'cannot {action}: evacuation {running} is still running; only one evacuation runs at a time', ['running']),
  evacuationIncomplete: spec('conflict', "{run} of host '{host}' ended with {count} guest(s) not moved: {guests}", [
    'id',
    'host',
    'kind',
    'moved',
    'failed',
    'skipped',
    'evacuation',
  ]),
  nothingToUndo: spec('conflict', "nothing to undo: host '{host}' has never been evacuated", ['host', 'evacuation']),
  alreadyUndone: spec('conflict', "evacuation '{evacuation}' of host '{host}' was already undone", ['evacuation']),
  tooManyMigrations: spec('conflict', 'cannot start moving {guest}: {maxParallel} migration(s) already run, the most allowed at once', ['maxParallel']),
  sameHost: spec('conflict', "cannot evacuate host '{host}' to itself: choose another processing host, or spread"),
  targetNotUp: spec('conflict', "cannot evacuate host '{host}' to '{target}': {why}", ['state']),

  // ── High availability ──────────────────────────────────────────────────────────────────────────
  notAgile: spec('conflict', "cannot protect guest '{guest}' with HA: it is not agile: {problems}", ['guest', 'problems']),
  planBreaksTolerance: spec('conflict', "cannot set guest '{guest}' to restart '{restart}': the pool could then survive only {tolerable} failure(s)", [
    'guest',
    'restart',
    'tolerable',
    'configured',
  ]),
  toleranceTooHigh: spec('conflict', 'cannot set host failures to tolerate to {asked}: the pool can survive only {tolerable}', ['asked', 'tolerable']),
  invalidPlan: spec('invalidInput', 'HA plan refused: {problem}'),
  invalidHaTiming: spec('invalidInput', 'HA timing refused: {problem}'),
  heartbeatVolumeTooSmall: spec('invalidInput', "cannot use volume '{volume}' as the HA heartbeat volume: it is {sizeBytes} bytes, it needs {minBytes}", [
    'volume',
    'sizeBytes',
    'minBytes',
  ]),
  heartbeatVolumeNotShared: spec('invalidInput', "cannot use volume '{volume}' as the HA heartbeat volume: it must be on shared iSCSI storage", [
    'volume',
    'pool',
  ]),
  heartbeatVolumeInUse: spec('conflict', "cannot use volume '{volume}' as the HA heartbeat volume: it is attached to guest '{attachedTo}'", [
    'volume',
    'attachedTo',
  ]),
  haAlreadyEnabled: spec('conflict', "cannot enable HA: it is already enabled (heartbeat volume '{volume}'); disable it first", ['volume']),
  haNotEnabled: spec('conflict', 'cannot {action}: HA is not enabled (run `grappe ha enable --heartbeat-volume VOL` first)'),
  haHostUnreachable: spec('unreachable', "HA not enabled: host '{host}' could not be configured ({cause}); nothing was changed", ['host']),
  haConfigChanged: spec('conflict', "cannot enable HA: volume '{volume}' or the HA settings changed meanwhile; try again", ['volume']),
  noHaPlan: spec('notFound', "guest '{guest}' has no HA plan", ['guest']),
  notHaHost: spec('invalidInput', "cannot simulate the failure of host '{host}': HA covers processing hosts that are UP", ['host']),

  // ── Notifications ──────────────────────────────────────────────────────────────────────────────
  noSuchNotifyTarget: spec('notFound', "no notification target '{target}' (targets: {names})", ['target']),
  noSuchNotifyRule: spec('notFound', "no notification rule '{rule}'", ['rule']),
  notifyNameTaken: spec('conflict', "a notification {what} named '{name}' exists already", ['name']),
  notifyTargetInUse: spec('incorrectState', "target '{target}' is used by rule(s) {rules}: delete or change them first", ['target', 'rules']),
  notifyDeliveryFailed: spec('unreachable', "the test notification to '{target}' failed after {attempts} attempt(s): {detail}", [
    'target',
    'attempts',
    'detail',
  ]),

  // ── Tasks ──────────────────────────────────────────────────────────────────────────────────────
  controllerRestarted: spec('internal', 'the controller restarted while this task ran; nothing resumes it: check the target and retry'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Every code, in catalog order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG).filter((c): c is ErrorCode => Object.hasOwn(ERROR_CATALOG, c));

type FieldsOf<C extends ErrorCode> = (typeof ERROR_CATALOG)[C]['fields'][number];

/** Details any error may carry besides its own fields: the undo steps that failed after it (revert). */
export interface CommonDetails {
  readonly undoFailures?: readonly { readonly step: string; readonly error: string }[];
  /** The host whose connector raised the error, when the controller relays an agent's answer. */
  readonly agentHost?: string;
}

/** The details an error of code C may carry: only its catalog fields. */
export type ErrorDetails<C extends ErrorCode> = [FieldsOf<C>] extends [never] ? Record<string, never> : { readonly [K in FieldsOf<C>]?: unknown };

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOG, code);

export const kindOfCode = (code: ErrorCode): ErrorKind => ERROR_CATALOG[code].kind;

/** The HTTP status an error of this code is answered with (by the controller and by the agent). */
export const statusOfCode = (code: ErrorCode): number => {
  const entry: ErrorSpec = ERROR_CATALOG[code];
  return entry.status ?? ERROR_KINDS[entry.kind];
};
