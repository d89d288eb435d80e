// A refusal the agent answers with: HTTP status + coded JSON body `{ error: { code, message } }`
// (the `agentError` schema of the protocol). Anything else thrown by a handler is a 500.
export class AgentError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'AgentError';
    this.status = status;
    this.code = code;
  }
}

export const isAgentError = (e: unknown): e is AgentError => e instanceof AgentError;
