// A refusal or failure of the agent: a catalog code (which gives the HTTP status) and a message that
// says what was refused and why; the controller rebuilds the same coded error from the answer.
import { statusOfCode, type ErrorCode } from '../contract/error-catalog.contract.ts';

export class AgentError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
  }
  get status(): number {
    return statusOfCode(this.code);
  }
}

export const isAgentError = (e: unknown): e is AgentError => e instanceof AgentError;
