/**
 * The entitlement API through Apollo Client 4 (`@apollo/client`, the same core a React app gets through
 * `@apollo/client/react`), with the typed documents codegen wrote to examples/web-client/src/gql. Those documents
 * select `__typename` everywhere, which InMemoryCache needs to normalize results: in persisted mode the server runs
 * the manifest's text, not the text Apollo Client would have sent, so the manifest must carry `__typename` too.
 *
 * `persisted: true` sends only the operation's manifest id (Apollo's APQ wire format), which is what a server with
 * TRUSTED_DOCUMENTS=only accepts.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type TypedDocumentNode } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Kind, OperationTypeNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { EntitlementClient } from '../../web-client/src/client.js';
import * as generated from '../../web-client/src/gql/graphql.js';

export interface ApolloEntitlementClientOptions {
  /** The service's base URL (`http://localhost:4000`) or its GraphQL endpoint (`…/graphql`). */
  readonly url: string;
  /** A bearer token, or a function returning a fresh one per request. */
  readonly token?: string | (() => string | Promise<string>);
  /** Send the manifest id (`extensions.persistedQuery.sha256Hash`) instead of the document text. */
  readonly persisted?: boolean;
  readonly fetch?: typeof globalThis.fetch;
}

export function createApolloEntitlementClient(options: ApolloEntitlementClientOptions): ApolloClient {
  const uri = /\/graphql\/?$/.test(options.url) ? options.url : `${options.url.replace(/\/+$/, '')}/graphql`;
  const auth = new SetContextLink(async (prevContext) => {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return token
      ? {
          headers: { ...(prevContext.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` },
        }
      : {};
  });
  const http = new HttpLink({ uri, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const links: ApolloLink[] = [auth];
  if (options.persisted) links.push(new PersistedQueryLink({ generateHash: manifestIdOf }));
  links.push(http);
  return new ApolloClient({ link: ApolloLink.from(links), cache: new InMemoryCache() });
}

/**
 * The manifest id of the generated document with the operation's name. Apollo Client hands the link its own copy
 * of the document (with `__typename` added where missing), not codegen's object, so the id is found by name, as
 * `@apollo/persisted-query-lists` does; hashing Apollo's printed text would give an id the server does not know.
 */
const manifestIds: ReadonlyMap<string, string> = new Map(
  Object.values(generated).flatMap((value) => {
    const hash = (value as { __meta__?: { hash?: unknown } } | undefined)?.__meta__?.hash;
    const name = typeof hash === 'string' ? operationOf(value)?.name?.value : undefined;
    return name !== undefined ? [[name, (hash as string).replace(/^sha256:/, '')] as const] : [];
  }),
);

function manifestIdOf(document: DocumentNode): string {
  const name = operationOf(document)?.name?.value;
  const id = name === undefined ? undefined : manifestIds.get(name);
  if (id === undefined) {
    throw new TypeError(
      `The operation ${name ?? '(anonymous)'} is not in the persisted-documents manifest: add it to ` +
        'examples/operations/ and run npm run codegen.',
    );
  }
  return id;
}

function operationOf(document: DocumentNode): OperationDefinitionNode | undefined {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/**
 * The example web client's interface over Apollo Client, so that flow.ts runs unchanged on either. Queries go to
 * the network every time (the flow polls a binding until it is BOUND) and still land in the normalized cache.
 * Errors are Apollo Client's own: `CombinedGraphQLErrors` carries the API's `extensions.code`.
 */
export function asEntitlementClient(apollo: ApolloClient): EntitlementClient {
  return {
    async request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
      const vars = variables as Record<string, unknown>;
      if (operationOf(document)?.operation === OperationTypeNode.MUTATION) {
        const { data } = await apollo.mutate({ mutation: document, variables: vars });
        return data as R;
      }
      const { data } = await apollo.query({ query: document, variables: vars, fetchPolicy: 'network-only' });
      return data as R;
    },
  };
}
