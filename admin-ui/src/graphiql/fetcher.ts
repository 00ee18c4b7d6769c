// How GraphiQL reaches the API: queries and mutations as JSON POSTs to
// /graphql, subscriptions over /graphql/ws (graphql-transport-ws). The
// headers editor's `Authorization` goes with both: as a header, and as the
// WebSocket's connection_init payload, which is where the server reads it.
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import type { Fetcher, FetcherParams } from '@graphiql/toolkit';

/** One socket per distinct Authorization value (changing the token reconnects). */
const sockets = new Map<string, Client>();

function socketFor(authorization: string): Client {
  let client = sockets.get(authorization);
  if (!client) {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    client = createClient({
      url: `${scheme}//${window.location.host}/graphql/ws`,
      connectionParams: authorization ? { authorization } : {},
      lazy: true,
    });
    sockets.set(authorization, client);
  }
  return client;
}

function isSubscription(params: FetcherParams): boolean {
  try {
    const operation = getOperationAST(parse(params.query), params.operationName ?? undefined);
    return operation?.operation === 'subscription';
  } catch {
    // Not parseable: the server answers with the syntax error.
    return false;
  }
}

/** The headers editor's headers, with lower-case names. */
function headersOf(given: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
  }
  return headers;
}

export const fetcher: Fetcher = (params, options) => {
  const headers = headersOf(options?.headers);
  if (isSubscription(params)) {
    const results = socketFor(headers['authorization'] ?? '').iterate({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    });
    // Results off the wire carry errors as plain JSON, which is what
    // GraphiQL shows; its type names the richer GraphQLError.
    return results as unknown as ReturnType<Fetcher>;
  }
  return fetch('/graphql', {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify(params),
  }).then((response) => response.json());
};
