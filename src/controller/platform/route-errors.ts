// Which error codes a route may answer: the ones it declares (its refusals and its task's failures)
// and the ones every route shares (bad requests, sessions, input validation, internal). The OpenAPI
// document lists them per route; a route that answers a code it does not declare is logged, and
// refused outright when the controller runs with strictErrorCodes (the tests do).
import type { ErrorCode } from '../../core/error-catalog.ts';
import { errors, isGrappeError } from '../../core/errors.ts';
import type { RouteSpec } from './types.ts';

/** What any request can be refused with before or around its handler. */
const EVERY_ROUTE: readonly ErrorCode[] = [
  'internal',
  'corruptRecord',
  'recordTooNew',
  'malformedRequest',
  'malformedJson',
  'badContentLength',
  'unsupportedMediaType',
  'bodyTooLarge',
  'badRequest',
  // A cluster of controllers: the store cannot answer, no majority, or a deposed leader's write.
  'storeUnavailable',
  'noQuorum',
  'notLeader',
];
const WITH_SESSION: readonly ErrorCode[] = [
  'unauthenticated',
  'tokenMalformed',
  'tokenUnknown',
  'tokenExpired',
  'authorizationMalformed',
  'forbidden',
  'userDisabled',
];

export function routeErrorCodes(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>([...spec.errors, ...EVERY_ROUTE]);
  if (spec.auth !== false) WITH_SESSION.forEach((c) => codes.add(c));
  if (spec.ticketInQuery) codes.add('ticketInvalid');
  codes.add('invalidInput'); // every route refuses unknown query parameters, and most check more
  return [...codes].sort();
}

/**
 * The error to answer with: the one thrown, or — in strict mode — an internal error naming the
 * undeclared code, so a test that provokes it fails until the route declares it.
 */
export function checkDeclared(spec: RouteSpec, err: unknown, strict: boolean, warn: (message: string) => void): unknown {
  if (!isGrappeError(err) || routeErrorCodes(spec).includes(err.code)) return err;
  const message = `route ${spec.method} ${spec.url} answered error code '${err.code}', which it does not declare`;
  warn(message);
  return strict ? errors.internal(`${message} (${err.message})`) : err;
}

// Groups routes declare from: what a call to a connector can answer, for guests and for volumes.
export const CONNECTOR_CALL: readonly ErrorCode[] = ['unreachable', 'agentFailed', 'untrustedAgent'];
export const GUEST_ON_HOST: readonly ErrorCode[] = [
  ...CONNECTOR_CALL,
  'noSuchGuest',
  'guestBusy',
  'incorrectState',
  'guestRunning',
  'guestNotRunning',
  'guestExists',
  'guestCreateFailed',
  'guestStartFailed',
  'guestStopFailed',
  'guestDestroyFailed',
  'diskVolumeMissing',
  'volumeFormatMismatch',
  'volumeNotExported',
  'localVolumeElsewhere',
  'bridgeMissing',
  'bridgeFailed',
  'corruptSpec',
  'qmpTimeout',
  'qmpUnreachable',
  'qmpClosed',
  'qmpCommandFailed',
  'controllerRestarted',
];
export const VOLUME_ON_HOST: readonly ErrorCode[] = [
  ...CONNECTOR_CALL,
  'noSuchVolume',
  'noSuchExport',
  'volumeExists',
  'volumeExported',
  'volumeInUse',
  'volumeBusy',
  'volumeFailed',
  'volumeShrinkRefused',
  'tgtFailed',
  'tgtdFailed',
  'checksumMismatch',
  'transferFailed',
  'controllerRestarted',
];
export const PLACEMENT: readonly ErrorCode[] = ['guestTooLarge', 'noSuitableHost', 'noHostAvailable', 'notProcessingHost', 'incorrectState'];
