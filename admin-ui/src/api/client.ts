import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { ApiError, networkError, toApiError } from './errors';
import { getToken, setToken } from './session';

const printed = new WeakMap<object, string>();
export function source(doc: TypedDocumentNode<unknown, unknown>): string {
  let s = printed.get(doc);
  if (!s) {
    s = print(doc);
    printed.set(doc, s);
  }
  return s;
}

export function operationName(doc: TypedDocumentNode<unknown, unknown>): string | undefined {
  for (const d of doc.definitions) {
    if (d.kind === 'OperationDefinition' && d.name) return d.name.value;
  }
  return undefined;
}

/** A signed-in request answered UNAUTHENTICATED: the token expired or was revoked. */
export function handleAuthFailure(err: ApiError): void {
  if (err.has('UNAUTHENTICATED') && getToken()) setToken(null);
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Sends one typed operation and returns its data, or throws an ApiError. */
export async function request<R, V>(
  doc: TypedDocumentNode<R, V>,
  variables?: V,
  signal?: AbortSignal,
): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
        ...authHeaders(),
      },
      body: JSON.stringify({
        query: source(doc as TypedDocumentNode<unknown, unknown>),
        operationName: operationName(doc as TypedDocumentNode<unknown, unknown>),
        variables: variables ?? {},
      }),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw networkError();
  }
  let body: { data?: R | null; errors?: { message?: string; extensions?: Record<string, unknown> }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError([{ message: `The server answered ${res.status} without a GraphQL body.`, code: 'BAD_RESPONSE' }]);
  }
  if (body.errors?.length) {
    const err = toApiError(body.errors, 'The request failed.');
    handleAuthFailure(err);
    throw err;
  }
  if (body.data == null) throw new ApiError([{ message: 'The server answered without data.', code: 'BAD_RESPONSE' }]);
  return body.data;
}
