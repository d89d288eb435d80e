// The pure rules that the agent, the CLI and the web UI share with the controller, defined once in
// src/core and reached by them only through the contract (docs/architecture.md: agent, cli and web
// import src/contract, never src/core).
export { formatGuestId, guestIdFromSlug, guestSlug, parseGuestId, type GuestId } from '../core/guests/guest-id.ts';
export { isIpv4, parseCidr } from '../core/net/ipv4.ts';
export { HOST_PURPOSES, type HostAction, type HostPurpose } from '../core/hosts/host.ts';
export { DEFAULT_SERVICE_POOL, DEFAULT_STORAGE_LOCATION } from '../core/hosts/host-add-rules.ts';
export { randomHostName } from '../core/hosts/random-name.ts';
export { parseSizeMiB } from '../core/storage/image-rules.ts';
export type { HaEventType } from '../core/ha/ha-events.ts';
export { isGrappeError, messageOf } from '../core/errors.ts';
export { KERNEL_FEATURES, diskCheck, kernelFeatureCheck, nodeVersionCheck, notOk, ok, type CheckResult } from '../core/doctor/doctor-rules.ts';
