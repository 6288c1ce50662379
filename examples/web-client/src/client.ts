/**
 * A typed GraphQL client for the entitlement API with no framework: fetch, the documents codegen wrote to ./gql,
 * and one error type. `persisted: true` sends only the operation's hash (Apollo's APQ wire format), which is what
 * a server with TRUSTED_DOCUMENTS=only accepts.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode } from 'graphql';

export interface EntitlementClientOptions {
  /** The service's base URL (`http://localhost:4000`) or its GraphQL endpoint (`…/graphql`). */
  readonly url: string;
  /** A bearer token, or a function returning a fresh one per request. */
  readonly token?: string | (() => string | Promise<string>);
  /** Send `extensions.persistedQuery.sha256Hash` instead of the document text. */
  readonly persisted?: boolean;
  readonly fetch?: typeof globalThis.fetch;
}

export interface EntitlementClient {
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
}

export interface GraphqlErrorBody {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: string; readonly [key: string]: unknown };
}

/** The first error of a response, or an HTTP failure; `code` is the API's `extensions.code` (README error table). */
export class EntitlementApiError extends Error {
  override readonly name = 'EntitlementApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly errors: readonly GraphqlErrorBody[] = [],
  ) {
    super(message);
  }
}

export function createEntitlementClient(options: EntitlementClientOptions): EntitlementClient {
  const endpoint = /\/graphql\/?$/.test(options.url) ? options.url : `${options.url.replace(/\/+$/, '')}/graphql`;
  const doFetch = options.fetch ?? globalThis.fetch;

  return {
    async request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
      const operationName = operationNameOf(document);
      const body = options.persisted
        ? { operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(document) } } }
        : { operationName, variables, query: print(document) };
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      let result: { data?: R | null; errors?: GraphqlErrorBody[] };
      try {
        result = JSON.parse(text) as typeof result;
      } catch {
        throw new EntitlementApiError(
          'HTTP_ERROR',
          `HTTP ${response.status}: the response is not JSON`,
          response.status,
        );
      }
      const first = result.errors?.[0];
      if (first) {
        throw new EntitlementApiError(
          first.extensions?.code ?? 'UNKNOWN',
          first.message,
          response.status,
          result.errors,
        );
      }
      if (result.data == null) {
        throw new EntitlementApiError(
          'HTTP_ERROR',
          `HTTP ${response.status}: no data in the response`,
          response.status,
        );
      }
      return result.data;
    },
  };
}

/** The id codegen put on the document (`sha256:<hex>`), as the bare hex APQ expects. */
function hashOf(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') {
    throw new TypeError('This document has no persisted hash: generate it with codegen (persistedDocuments: true)');
  }
  return hash.replace(/^sha256:/, '');
}

function operationNameOf(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}
