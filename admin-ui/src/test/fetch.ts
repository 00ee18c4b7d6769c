import { vi } from 'vitest';

type Answer = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** Replaces fetch with answers by operation name; records what was sent. */
export function mockGraphql(answers: Record<string, Answer | ((vars: Record<string, unknown>) => Answer)>) {
  const calls: { operationName: string; variables: Record<string, unknown> }[] = [];
  const fn = vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    calls.push({ operationName: body.operationName, variables: body.variables });
    const a = answers[body.operationName];
    const answer = typeof a === 'function' ? a(body.variables) : a ?? { errors: [{ message: `no mock for ${body.operationName}` }] };
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/graphql-response+json' } });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

export const unknownField = (name: string): Answer => ({
  errors: [{ message: `Unknown field "${name}" on type "Query".`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
});

export const badInput = (field: string, message: string): Answer => ({
  errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field } }],
});
