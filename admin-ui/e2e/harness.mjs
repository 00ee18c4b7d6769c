// The end-to-end harness: the real leadforge binary on a fresh SQLite data dir,
// the built UI, and Debian's Chromium driven by playwright-core.
//
// LEADFORGE_BIN     the server binary (default ../target/debug/leadforge)
// LEADFORGE_SHOTS_DIR where screenshots go (default ../target/ui-screenshots)
// LEADFORGE_E2E_UI  how the UI is served: "server" (leadforge serves LEADFORGE_UI_DIR),
//                   "proxy" (a small Node static server serves dist and proxies the API),
//                   "auto" (default: "server" when leadforge answers / with the UI).
import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const uiRoot = path.resolve(here, '..');
export const repoRoot = path.resolve(uiRoot, '..');
export const dist = path.join(uiRoot, 'dist');
export const shotsDir = process.env.LEADFORGE_SHOTS_DIR ?? path.join(repoRoot, 'target', 'ui-screenshots');
const bin = path.resolve(uiRoot, process.env.LEADFORGE_BIN ?? '../target/debug/leadforge');

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, proc, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`leadforge exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves dist with SPA fallback and the production CSP; /graphql, /graphql/ws, /blobs, /readyz go to leadforge. */
function startProxy(port, apiPort) {
  const api = (p) => p.startsWith('/graphql') || p === '/graphiql' || p.startsWith('/blobs') || p === '/readyz' || p === '/healthz';
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (api(url.pathname)) {
      const up = httpRequest(
        { host: '127.0.0.1', port: apiPort, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
      return;
    }
    let file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html');
    const hashed = file.includes(`${path.sep}assets${path.sep}`);
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
    });
    fs.createReadStream(file).pipe(res);
  });
  // WebSocket upgrades: a raw TCP pipe to leadforge.
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(apiPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** Starts leadforge (and the proxy when needed); returns its base URL and a stop function. */
export async function startStack() {
  if (!fs.existsSync(bin)) throw new Error(`No leadforge binary at ${bin}: build it or set LEADFORGE_BIN.`);
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`No built UI in ${dist}: run npm run build first.`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadforge-ui-e2e-'));
  const apiPort = await freePort();
  const proxyPort = await freePort();
  let mode = process.env.LEADFORGE_E2E_UI ?? 'auto';

  const launch = (publicUrl) => {
    const env = {
      ...process.env,
      LEADFORGE_DATA_DIR: dataDir,
      LEADFORGE_ADDR: `127.0.0.1:${apiPort}`,
      LEADFORGE_PUBLIC_URL: publicUrl,
      LEADFORGE_UI_DIR: dist,
      LEADFORGE_LOG: process.env.LEADFORGE_LOG ?? 'warn',
      LEADFORGE_INSIGHTS_INTERVAL_SECS: process.env.LEADFORGE_INSIGHTS_INTERVAL_SECS ?? '2',
    };
    const proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => (log += d));
    proc.stderr.on('data', (d) => (log += d));
    return { proc, log: () => log, env };
  };

  let server = launch(`http://127.0.0.1:${apiPort}`);
  await waitReady(`http://127.0.0.1:${apiPort}/readyz`, server.proc);
  if (mode === 'auto') {
    const html = await fetch(`http://127.0.0.1:${apiPort}/`).then((r) => (r.ok ? r.text() : ''), () => '');
    mode = html.includes('<div id="root">') ? 'server' : 'proxy';
  }
  let proxy = null;
  let base = `http://127.0.0.1:${apiPort}`;
  if (mode === 'proxy') {
    // Blob links must be same-origin with the page (CSP img-src 'self'): restart with the proxy's URL.
    base = `http://127.0.0.1:${proxyPort}`;
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    server = launch(base);
    await waitReady(`http://127.0.0.1:${apiPort}/readyz`, server.proc);
    proxy = await startProxy(proxyPort, apiPort);
  }

  process.stderr.write(`leadforge ${bin} at ${base}; the UI is served by ${mode === 'server' ? 'leadforge (LEADFORGE_UI_DIR)' : 'the test proxy'}\n`);
  return {
    base,
    mode,
    dataDir,
    log: () => server.log(),
    createChiefArchitect(email, password) {
      execFileSync(bin, ['admin', 'create-chief-architect', '--email', email], {
        env: server.env,
        input: `${password}\n`,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
    },
    async stop() {
      proxy?.close();
      proxy?.closeAllConnections?.();
      if (server.proc.exitCode === null) {
        server.proc.kill('SIGTERM');
        await Promise.race([new Promise((r) => server.proc.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
        if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian's Chromium with a fresh profile (--user-data-dir, through playwright's
 * persistent context), and a page that records CSP violations and uncaught errors.
 */
export async function startBrowser(base, viewport = { width: 1366, height: 900 }, options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadforge-ui-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    viewport,
    baseURL: base,
    // Extra context options (colorScheme, isMobile, …).
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function shot(page, name) {
  fs.mkdirSync(shotsDir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
}

/** A valid PNG built without dependencies; `noise` makes it incompressible (a big upload). */
export function makePng(width, height, rgb = [37, 99, 235], noise = false) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      for (let i = 0; i < 3; i++) {
        const shade = (rgb[i] + ((x + y) * (i + 1)) % 60) & 255;
        row[1 + x * 3 + i] = noise ? (shade ^ (Math.random() * 24)) & 255 : shade;
      }
    }
    rows.push(row);
  }
  const raw = Buffer.concat(rows);
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
