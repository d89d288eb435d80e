// The control plane in the API: status (like `onezone show` / `pvecm status`), join tokens, joining,
// and removing a controller.
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  caView,
  clusterStatusView,
  joinAnswer,
  joinRequest,
  joinTokenRequest,
  joinTokenView,
  type ClusterStatusView,
} from '../../contract/cluster.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { fingerprint } from '../../pki/pki.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControlPlaneAccess, ControllerContext, RouteSpec } from '../platform/types.ts';

const removeParams = z.object({ name: z.string().min(1).max(64) });
const removeAnswer = z.object({ removed: z.string(), remaining: z.number() });

/** One controller on SQLite: a cluster of one, always the leader, always with quorum. */
function singleStatus(): ClusterStatusView {
  const name = hostname() || 'controller';
  return {
    mode: 'single',
    store: 'sqlite',
    me: name,
    meLeading: true,
    leader: null,
    quorum: { has: true, reachable: 1, total: 1, needs: 1 },
    leaseRemainingMs: 0,
    vip: null,
    controllers: [{ name, apiUrl: null, state: 'leader', etcdMember: null, raftTerm: null, committedIndex: null, appliedIndex: null, since: null }],
  };
}

function planeOf(ctx: ControllerContext, action: string): ControlPlaneAccess {
  if (!ctx.controlPlane)
    throw new GrappeError('singleController', `${action} refused: this controller runs alone on SQLite; run \`grappe cluster create\` first`);
  return ctx.controlPlane;
}

export const clusterRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/cluster',
    summary: "The controllers: each one's state (leader/follower/offline), raft term and indexes, the lease, quorum",
    tags: ['cluster'],
    errors: [],
    response: clusterStatusView,
    handler: async () => ({ body: ctx.controlPlane ? await ctx.controlPlane.status() : singleStatus() }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cluster/ca',
    summary: "The cluster CA certificate and its SHA-256 fingerprint (a joining controller checks it against its token's)",
    tags: ['cluster'],
    auth: false,
    errors: [],
    response: caView,
    handler: async () => ({ body: { caCert: ctx.cluster.caCertPem, fingerprint: fingerprint(ctx.cluster.caCertPem) } }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cluster/tokens',
    summary: 'A single-use token for `grappe cluster join` (shown once; stored hashed)',
    tags: ['cluster'],
    errors: ['singleController'],
    body: joinTokenRequest,
    response: joinTokenView,
    audit: 'cluster.token',
    handler: async ({ body, actor }) => ({
      status: 201,
      body: await planeOf(ctx, 'a join token').joinToken(actor.username, body.ttlMinutes),
      auditTarget: 'cluster',
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cluster/join',
    summary: 'A new controller joins with a join token: it becomes an etcd member and receives the cluster identity',
    tags: ['cluster'],
    auth: false,
    errors: ['singleController', 'joinTokenInvalid', 'duplicate', 'etcdRefused'],
    body: joinRequest,
    response: joinAnswer,
    audit: 'cluster.join',
    handler: async ({ body }) => ({ status: 201, body: await planeOf(ctx, 'joining').admit(body), auditTarget: `controller:${body.name}` }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cluster/controllers/:name',
    summary: 'Remove a controller from the cluster (never the last one, never one whose removal breaks quorum)',
    tags: ['cluster'],
    errors: ['singleController', 'controllerNotFound', 'removalBreaksQuorum', 'etcdRefused'],
    params: removeParams,
    response: removeAnswer,
    audit: 'cluster.delnode',
    handler: async ({ params }) => ({
      body: await planeOf(ctx, `removing controller '${params.name}'`).remove(params.name),
      auditTarget: `controller:${params.name}`,
    }),
  }),
];
