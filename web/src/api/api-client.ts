// The REST client: bearer token from the session, JSON in and out, and the API's error body turned
// into an ApiError whose message is shown to the user as is. A 401 anywhere ends the session.
import type { HistoryMetric, HistoryView } from '../../../src/contract/stats.contract.ts';
import type { ErrorBody } from '../../../src/contract/common.ts';
import { isErrorCode, type ErrorCode } from '../../../src/contract/error-catalog.contract.ts';
import type { HostAddRequest, HostNic, HostSummary, HostView } from '../../../src/contract/host.contract.ts';
import type { Subnet, SubnetName } from '../../../src/contract/subnet.contract.ts';
import type { TaskView } from '../../../src/contract/task.contract.ts';
import type { LoginResponse, WhoAmI } from '../../../src/contract/auth.contract.ts';
import type { EventView } from '../../../src/contract/event.contract.ts';
import { NEXT_CURSOR_HEADER } from '../../../src/contract/paging.contract.ts';

export const API = '/api/v1';
const TOKEN_KEY = 'grappe.token';
const USER_KEY = 'grappe.user';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** A catalog code; 'http' for an answer that is not the API's (a proxy's page), 'network' when nothing answered. */
    readonly code: ErrorCode | 'http' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Unauthorized = (message: string) => void;
let onUnauthorized: Unauthorized = () => undefined;

/** Called (once per failing request) when the API answers 401: the app goes back to the login page. */
export function whenUnauthorized(handler: Unauthorized): void {
  onUnauthorized = handler;
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  user: (): string | null => sessionStorage.getItem(USER_KEY),
  save(login: LoginResponse): void {
    sessionStorage.setItem(TOKEN_KEY, login.token);
    sessionStorage.setItem(USER_KEY, login.username);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    const code = body.error?.code ?? '';
    if (body.error?.message) return new ApiError(res.status, isErrorCode(code) ? code : 'http', body.error.message);
  } catch {
    // not the API's error body (a proxy's page, say): fall through
  }
  return new ApiError(res.status, 'http', `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export async function request<T>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
  const res = await send(method, path, body, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** One page of a paged list (?limit=&cursor=): its items, and the next page's cursor (null after the last). */
export interface ListPage<T> {
  readonly items: T[];
  readonly nextCursor: number | null;
}

export async function requestPage<T>(path: string): Promise<ListPage<T>> {
  const res = await send('GET', path);
  const next = res.headers.get(NEXT_CURSOR_HEADER);
  return { items: JSON.parse(await res.text()) as T[], nextCursor: next === null ? null : Number(next) };
}

/** The request, answered with a success status; any other is thrown as an ApiError. */
async function send(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token();
  if (opts.auth !== false && token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    throw new ApiError(0, 'network', `the controller did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401 && opts.auth !== false) onUnauthorized(error.message);
    throw error;
  }
  return res;
}

const enc = encodeURIComponent;

/** Every endpoint the UI uses, typed by the contract. */
export const api = {
  login: (username: string, password: string) => request<LoginResponse>('POST', '/auth/login', { username, password }, { auth: false }),
  logout: () => request<void>('POST', '/auth/logout'),
  me: () => request<WhoAmI>('GET', '/auth/me'),
  ticket: () => request<{ ticket: string; expiresAt: string }>('POST', '/auth/ticket'),
  hosts: () => request<HostSummary[]>('GET', '/hosts'),
  host: (id: number) => request<HostView>('GET', `/hosts/${id}`),
  addHost: (body: HostAddRequest) => request<{ taskId: string }>('POST', '/hosts', body),
  enable: (id: number) => request<HostView>('POST', `/hosts/${id}/enable`),
  maintenance: (id: number) => request<HostView>('POST', `/hosts/${id}/maintenance`),
  rename: (id: number, name: string) => request<HostView>('PATCH', `/hosts/${id}`, { name }),
  remove: (id: number) => request<HostView>('DELETE', `/hosts/${id}`),
  updateConnector: (id: number) => request<{ taskId: string }>('POST', `/hosts/${id}/update-connector`),
  editNic: (id: number, nic: string, subnet: SubnetName, ip: string) => request<HostNic>('PUT', `/hosts/${id}/nics/${enc(nic)}`, { subnet, ip }),
  subnets: () => request<Subnet[]>('GET', '/subnets'),
  tasks: (limit = 20) => request<TaskView[]>('GET', `/tasks?limit=${limit}`),
  task: (id: string) => request<TaskView>('GET', `/tasks/${enc(id)}`),
  recentEvents: (limit = 50) => request<EventView[]>('GET', `/events/recent?limit=${limit}`),
  history: (subject: string, metric: HistoryMetric, span: string) =>
    request<HistoryView>('GET', `/history?subject=${enc(subject)}&metric=${metric}&span=${span}`),
};
