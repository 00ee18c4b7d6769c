// The GraphQL-over-HTTP audit (graphql-http's serverAudits) against the real
// leadforge binary on its embedded defaults: every MUST and every SHOULD passes
// (MAYs are listed, not required).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditServer } from 'graphql-http';

const bin = process.env.LEADFORGE_BIN ?? resolve(import.meta.dirname, '../../target/debug/leadforge');
let server;
let dataDir;
let base;

async function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'leadforge-http-audit-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve'], {
    env: { ...process.env, LEADFORGE_DATA_DIR: dataDir, LEADFORGE_ADDR: `127.0.0.1:${port}`, LEADFORGE_LOG: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${bin} did not become ready`);
});

after(() => {
  server?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('every GraphQL-over-HTTP audit passes, MUSTs and SHOULDs', async () => {
  const results = await auditServer({ url: `${base}/graphql` });
  // MAYs are choices: under application/json, invalid parameters answer 200
  // with errors (the spec allows either).
  const failed = results.filter((r) => r.status !== 'ok' && !r.name.startsWith('MAY'));
  for (const r of results) console.log(`${r.status.padEnd(6)} ${r.name}`);
  assert.ok(results.length > 50, `only ${results.length} audits ran`);
  assert.deepEqual(
    failed.map((r) => `${r.name}: ${r.reason}`),
    [],
  );
});
