/**
 * GraphiQL served from node_modules, checked in a real browser: Debian's Chromium driven by playwright-core
 * (never `playwright install`, which downloads a browser). Without Chromium the browser test is skipped locally
 * and fails in CI, where it must run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_QUERY } from '../../src/graphiql/default-query.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
// What Chromium sends when it navigates to a page.
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const ASSETS = ['graphiql.css', 'graphiql.umd.js', 'react.production.min.js', 'react-dom.production.min.js', 'boot.js'];

/** The text of the CodeMirror 5 editor inside `selector` (GraphiQL 4 keeps the instance on the element). */
const editorValue = (selector: string) =>
  `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)})?.CodeMirror.getValue()`;
const setEditorValue = (selector: string, value: string) =>
  `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)}).CodeMirror.setValue(${JSON.stringify(value)})`;

describe('GraphiQL enabled', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHIQL: 'true' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  test('GET /graphiql serves a self-contained page under a strict CSP', async () => {
    const response = await fetch(`${app.url}/graphiql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>/); // no inline script: the CSP would block it
    for (const name of ASSETS) expect(html).toContain(`/graphiql/assets/${name}?v=`);
  });

  test('GET /graphql shows the page to browsers only; API GETs fall through to Apollo', async () => {
    const browser = await fetch(`${app.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(browser.status).toBe(200);
    expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
    expect(browser.headers.get('vary')).toMatch(/accept/i);
    expect(await browser.text()).toContain('id="graphiql-config"');

    const api = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });

    const anything = await fetch(`${app.url}/graphql`, { headers: { accept: '*/*' } });
    expect(anything.headers.get('content-type')).not.toMatch(/html/);
  });

  test('serves the assets from node_modules with long-lived caching', async () => {
    for (const name of ASSETS) {
      const response = await fetch(`${app.url}/graphiql/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toMatch(
        name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect(response.headers.get('cache-control'), name).toContain('immutable');
      const etag = response.headers.get('etag')!;
      expect((await response.arrayBuffer()).byteLength, name).toBeGreaterThan(100);
      const again = await fetch(`${app.url}/graphiql/assets/${name}`, {
        // What a browser sends when it revalidates; without it fetch adds `no-cache`, which forbids a 304.
        headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
      });
      expect(again.status, name).toBe(304);
    }
    expect((await fetch(`${app.url}/graphiql/assets/nope.js`)).status).toBe(404);
  });

  test('sends the bundle compressed in the coding the browser accepts, and revalidates it with a 304', async () => {
    const url = `${app.url}/graphiql/assets/graphiql.umd.js`;
    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(900_000);
    expect((await rawGet(url, {})).headers['content-encoding']).toBeUndefined();
    const codings: Array<[string, string, (body: Buffer) => Buffer]> = [
      ['gzip', 'gzip', gunzipSync],
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync], // what Chromium sends
    ];
    for (const [acceptEncoding, coding, decode] of codings) {
      const response = await rawGet(url, { 'accept-encoding': acceptEncoding });
      expect(response.status, acceptEncoding).toBe(200);
      expect(response.headers['content-encoding'], acceptEncoding).toBe(coding);
      expect(response.headers.vary, acceptEncoding).toMatch(/accept-encoding/i);
      expect(response.headers['cache-control'], acceptEncoding).toContain('immutable');
      expect(response.body.length, acceptEncoding).toBeLessThan(plain.body.length / 3);
      expect(decode(response.body).equals(plain.body), acceptEncoding).toBe(true);
      const etag = response.headers.etag as string;
      expect(etag).not.toBe(plain.headers.etag);
      const again = await rawGet(url, { 'accept-encoding': acceptEncoding, 'if-none-match': etag });
      expect(again.status, acceptEncoding).toBe(304);
      expect(again.body.length, acceptEncoding).toBe(0);
    }
  });

  test('the default document is the whole flow and valid against the schema', () => {
    const document = parse(DEFAULT_QUERY);
    expect(validate(app.schema, document)).toEqual([]);
    const rootFields = document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .flatMap((d) => d.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '')));
    expect(rootFields).toEqual([
      'contents',
      'bindDevice',
      'deviceBinding',
      'purchase',
      'rent',
      'licenseToken',
      'entitlements',
    ]);
  });

  describe('in Chromium', () => {
    let browser: Browser | undefined;

    beforeAll(async () => {
      if (!existsSync(CHROMIUM_PATH) && !process.env.CI) return; // skipped below, with the reason
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('runs a query with a token, and loads nothing from elsewhere', async (ctx) => {
      if (!browser) ctx.skip(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH`);
      const started = Date.now();
      const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
      const origin = new URL(app.url).origin;
      const requested: string[] = [];
      const problems: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page: ${error.message}`));

      await page.goto(`${app.url}/graphiql`);
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      const loaded = Date.now() - started;
      const screenshots = await mkdtemp(join(tmpdir(), 'graphiql-'));
      await page.screenshot({ path: join(screenshots, 'first-visit.png') });
      expect(await page.evaluate(editorValue('.graphiql-query-editor'))).toBe(DEFAULT_QUERY);

      // The headers editor is open and pre-filled with the hint; replace the hint with a real token.
      const headersEditor = '.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
      expect(await page.evaluate(editorValue(headersEditor))).toContain('npm run token -- alice');
      const token = await app.token('alice');
      await page.evaluate(setEditorValue(headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` })));
      await page.evaluate(setEditorValue('.graphiql-query-editor', '{ contents { nodes { id title } } }'));

      const executed = page.waitForResponse(
        (r) => r.url() === `${origin}/graphql` && (r.request().postData() ?? '').includes('contents'),
      );
      // With several operations in the editor (the default document) the run button is a menu. Wait until
      // GraphiQL has seen the one-operation query and made it a plain button, or the click opens the menu.
      await page.click('.graphiql-execute-button:not([aria-haspopup])');
      const response = await executed;
      expect(response.status()).toBe(200);
      expect(response.request().headers()['authorization']).toBe(`Bearer ${token}`);
      // Polled from here: waitForFunction with a string predicate evals it inside the page, which the page's CSP
      // (script-src 'self') refuses whenever the first check comes too early.
      await expect
        .poll(async () => (await page.evaluate<string | undefined>(editorValue('.result-window'))) ?? '', {
          timeout: 15_000,
        })
        .toContain('big-buck-bunny');
      expect(JSON.parse(await page.evaluate<string>(editorValue('.result-window')))).toMatchObject({
        data: { contents: { nodes: expect.arrayContaining([{ id: 'big-buck-bunny', title: 'Big Buck Bunny' }]) } },
      });

      await page.screenshot({ path: join(screenshots, 'result.png') });
      await ctx.annotate(
        `page loaded in ${loaded} ms, whole test ${Date.now() - started} ms; screenshots in ${screenshots}`,
      );
      await page.close();

      expect(requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
      expect(requested).toEqual(
        expect.arrayContaining(ASSETS.map((name): unknown => expect.stringContaining(`/graphiql/assets/${name}`))),
      );
      expect(problems).toEqual([]);
    });
  });
});

test('GRAPHIQL=false serves no page', async () => {
  const app = await startTestApp({ GRAPHIQL: 'false' });
  try {
    expect((await fetch(`${app.url}/graphiql`)).status).toBe(404);
    expect((await fetch(`${app.url}/graphiql/assets/graphiql.umd.js`)).status).toBe(404);
    const browser = await fetch(`${app.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(browser.headers.get('content-type') ?? '').not.toMatch(/html/);
  } finally {
    await app.stop();
  }
});

/** A GET whose body is the bytes on the wire: fetch would undo the content coding. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    },
  );
}
