import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, networkError, toApiError } from './errors';
import { getToken, setToken } from './session';

/** An operation from a .graphql file, typed by codegen (documentMode: string). */
export type Doc<R, V> = TypedDocumentString<R, V>;

export function source(doc: Doc<unknown, unknown>): string {
  return doc.toString();
}

export function operationName(doc: Doc<unknown, unknown>): string | undefined {
  return /\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(doc.toString())?.[1];
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
  doc: Doc<R, V>,
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
        query: source(doc as Doc<unknown, unknown>),
        operationName: operationName(doc as Doc<unknown, unknown>),
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
