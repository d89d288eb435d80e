// The REST calls of the guests, moves (migrate, evacuate, undo evacuate) and HA views, typed by the
// contract. Every change has a dry run (?dryRun=true) that answers the plan and changes nothing.
import type { EvacuateRequest, EvacuationPlanView, EvacuationView, UndoPlanView } from '../../../src/contract/evacuation.contract.ts';
import type { z } from 'zod';
import type { guestMigrateBody, guestMigratePlan, guestMoveOutcome, GuestView } from '../../../src/contract/guest.contract.ts';
import type { HaStatus } from '../../../src/contract/ha.contract.ts';
import type { ClusterStatusView } from '../../../src/contract/cluster.contract.ts';
import { request, requestPage } from './api-client.ts';

const enc = encodeURIComponent;

/** POST /guests/:id/migrate body (maxDowntimeMs defaults to 100 ms on the controller). */
export type MigrateRequest = z.input<typeof guestMigrateBody>;
/** The migrate dry run: target, kind, expected downtime, blockers, and the scheduler's decision. */
export type MigratePlan = z.infer<typeof guestMigratePlan>;
/** The guest.migrate task's result: measured downtime and total time. */
export type MoveOutcome = z.infer<typeof guestMoveOutcome>;

/** What a started change answers: its task. */
export interface Started {
  taskId: string;
}

/** The dry run of a change: the plan, and nothing changes. */
const dryRun = (path: string): string => `${path}?dryRun=true`;

export const clusterApi = {
  guests: (path: string) => requestPage<GuestView>(path),
  migratePlan: (guest: string, body: MigrateRequest) => request<MigratePlan>('POST', dryRun(`/guests/${enc(guest)}/migrate`), body),
  migrate: (guest: string, body: MigrateRequest) => request<Started>('POST', `/guests/${enc(guest)}/migrate`, body),
  cancelMigration: (guest: string) => request<unknown>('POST', `/guests/${enc(guest)}/migrate/cancel`, {}),
  evacuatePlan: (host: number, body: EvacuateRequest) => request<EvacuationPlanView>('POST', dryRun(`/hosts/${host}/evacuate`), body),
  evacuate: (host: number, body: EvacuateRequest) => request<Started>('POST', `/hosts/${host}/evacuate`, body),
  undoPlan: (host: number) => request<UndoPlanView>('POST', dryRun(`/hosts/${host}/undo-evacuate`), {}),
  undo: (host: number, body: { maxParallel?: number }) => request<Started>('POST', `/hosts/${host}/undo-evacuate`, body),
  evacuations: () => request<EvacuationView[]>('GET', '/evacuations'),
  haStatus: () => request<HaStatus>('GET', '/ha/status'),
  haEnable: (heartbeatVolume: string, failuresToTolerate?: number) =>
    request<HaStatus>('POST', '/ha/enable', { heartbeatVolume, ...(failuresToTolerate === undefined ? {} : { failuresToTolerate }) }),
  haDisable: () => request<unknown>('POST', '/ha/disable'),
  controlPlane: () => request<ClusterStatusView>('GET', '/cluster'),
};
