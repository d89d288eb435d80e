// How the control plane shows itself to clients: the API gate (307 to the leader, 503 without a
// majority, a Warning header on possibly stale reads) and the events it emits.
import type { FastifyInstance } from 'fastify';
import type { EventView } from '../../contract/event.contract.ts';
import { noQuorumMessage } from '../../core/cluster/quorum.ts';
import type { ControlPlane } from './control-plane.ts';
import type { HealthView } from './cluster-health.ts';

type NewEvent = Omit<EventView, 'seq' | 'at'>;

export function installControlPlaneGate(app: FastifyInstance, plane: ControlPlane): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const answer = plane.gate(request.method, request.url);
    if (answer === undefined) return;
    if ('staleReads' in answer) {
      void reply.header('warning', `110 grappe "${answer.staleReads}"`);
      return;
    }
    if ('redirect' in answer) {
      // 307 keeps the method and body: clients (the CLI, fetch) replay the write at the leader.
      return reply.code(307).header('location', answer.redirect).send({ redirect: answer.redirect });
    }
    throw answer.error;
  });
}

export function leaderChangedEvent(term: number, previous: { name: string; term: number } | undefined, me: string): NewEvent {
  const from = previous?.name ?? 'none';
  return {
    type: 'cluster.leader-changed',
    severity: previous && previous.name !== me ? 'warning' : 'info',
    subject: `controller:${me}`,
    message: `leader changed (term ${term - 1} → ${term}, from ${from} to ${me})`,
    data: { term, from, to: me },
  };
}

export function quorumEvent(has: boolean, view: HealthView): NewEvent {
  return has
    ? {
        type: 'cluster.quorum-regained',
        severity: 'info',
        subject: 'cluster',
        message: `quorum regained: ${view.reachable} of ${view.total} controllers reachable`,
      }
    : { type: 'cluster.quorum-lost', severity: 'error', subject: 'cluster', message: `quorum lost: ${noQuorumMessage(view)}` };
}
