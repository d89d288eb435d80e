import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from './cli-error.ts';
import { ApiError } from './http-client.ts';
import { isTransient } from './task-follow.ts';

test('following a task: the network and a control plane busy electing are passing; a refusal is not', () => {
  assert.equal(isTransient(new CliError('cut', 1, 'network')), true);
  assert.equal(isTransient(new ApiError(503, 'noQuorum', 'unavailable', 'no quorum', {})), true);
  assert.equal(isTransient(new ApiError(502, 'http', 'http', 'bad gateway', {})), true);
  assert.equal(isTransient(new ApiError(404, 'noSuchTask', 'notFound', 'no task', {})), false);
  assert.equal(isTransient(new ApiError(401, 'unauthenticated', 'unauthenticated', 'log in', {})), false);
  assert.equal(isTransient(new Error('bug')), false);
});
