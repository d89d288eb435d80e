import { z } from 'zod';

// GET /cluster: the controllers of the control plane, like `onezone show` / `pvecm status`.
export const controllerStatusView = z.object({
  name: z.string(),
  apiUrl: z.string().nullable(),
  state: z.enum(['leader', 'follower', 'offline']),
  etcdMember: z.object({ id: z.string(), clientUrl: z.string(), reachable: z.boolean(), raftLeader: z.boolean() }).nullable(),
  raftTerm: z.number().nullable(),
  committedIndex: z.number().nullable(),
  appliedIndex: z.number().nullable(),
  since: z.string().nullable(),
  why: z.string().optional(),
});
export type ControllerStatusView = z.infer<typeof controllerStatusView>;

export const clusterStatusView = z.object({
  /** 'single': one controller on the embedded SQLite store; 'cluster': controllers on etcd. */
  mode: z.enum(['single', 'cluster']),
  store: z.enum(['sqlite', 'etcd']),
  me: z.string(),
  /** Whether the controller that answers acts as the leader right now (its own belief, not the key's). */
  meLeading: z.boolean(),
  leader: z.object({ name: z.string(), apiUrl: z.string(), term: z.number(), since: z.string() }).nullable(),
  quorum: z.object({ has: z.boolean(), reachable: z.number(), total: z.number(), needs: z.number() }),
  leaseRemainingMs: z.number(),
  vip: z.string().nullable(),
  controllers: z.array(controllerStatusView),
});
export type ClusterStatusView = z.infer<typeof clusterStatusView>;

const controllerNamePattern = /^[a-z][a-z0-9-]{0,31}$/;
const hostPort = /^[^/\s:]+:\d{1,5}$/;

// POST /cluster/tokens: a single-use join token, shown once.
export const joinTokenRequest = z.object({
  ttlMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
});
export const joinTokenView = z.object({ token: z.string(), expiresAt: z.string(), caFingerprint: z.string() });
export type JoinTokenView = z.infer<typeof joinTokenView>;

// POST /cluster/join (no session: the token is the credential).
export const joinRequest = z.object({
  token: z.string().min(10).max(200),
  name: z.string().regex(controllerNamePattern, 'a controller name: 1–32 lowercase letters, digits and dashes, starting with a letter'),
  /** address:port of the new controller's API, its etcd client and peer endpoints. */
  api: z.string().regex(hostPort, 'address:port'),
  etcdClient: z.string().regex(hostPort, 'address:port'),
  etcdPeer: z.string().regex(hostPort, 'address:port'),
});
export type JoinRequest = z.infer<typeof joinRequest>;

export const joinAnswer = z.object({
  cluster: z.object({ id: z.string(), name: z.string(), createdAt: z.string() }),
  pki: z.object({
    caCert: z.string(),
    caKey: z.string(),
    controllerCert: z.string(),
    controllerKey: z.string(),
    apiCert: z.string(),
    apiKey: z.string(),
  }),
  etcd: z.object({
    endpoints: z.array(z.string()),
    namespace: z.string(),
    initialCluster: z.array(z.string()),
    clusterToken: z.string(),
  }),
  leaseTtlSeconds: z.number(),
  vipAddress: z.string().nullable(),
});
export type JoinAnswer = z.infer<typeof joinAnswer>;

export const caView = z.object({ caCert: z.string(), fingerprint: z.string() });
